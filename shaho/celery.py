import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

from shaho.core import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaho.settings")

app = Celery("shaho")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One log line per job (with LOG_FORMAT=json): its id, kind, attempt, duration and outcome (shaho.core.logs).
task_prerun.connect(logs.job_started, weak=False)
task_postrun.connect(logs.job_finished, weak=False)


@app.task(name="shaho.ping", ignore_result=False)
def ping():
    """Round trip used by the CI check that a real worker answers (its caller reads the result)."""
    return "pong"

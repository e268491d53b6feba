import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaho.settings")

app = Celery("shaho")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="shaho.ping", ignore_result=False)
def ping():
    """Round trip used by the CI check that a real worker answers (its caller reads the result)."""
    return "pong"

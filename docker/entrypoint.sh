#!/bin/sh
# One image, three roles: web (migrate unless MIGRATE_ON_START=0, collectstatic, gunicorn), worker, beat.
# Anything else is run as given, e.g. `docker-compose run web manage.py createsuperuser`.
set -eu

case "${1:-web}" in
web)
    # docker-compose.yml runs the migrations once in its `migrate` service (MIGRATE_ON_START=0), so that
    # several web containers never race at them; a lone `docker run` still migrates here.
    if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
        python manage.py migrate --noinput
    fi
    python manage.py collectstatic --noinput
    # Workers, threads, keep-alive and SO_REUSEPORT (connections spread over the workers): the file says
    # why; GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT, PORT … override it.
    exec gunicorn --config docker/gunicorn.conf.py shaho.wsgi:application
    ;;
worker)
    # Which queues (settings.CELERY_TASK_ROUTES) and how many processes: docker-compose.yml runs
    # worker-reports (CELERY_QUEUES=reports, 1 process) and worker (imports,default). Max tasks and memory
    # per process come from settings (CELERY_WORKER_MAX_TASKS_PER_CHILD, CELERY_WORKER_MAX_MEMORY_PER_CHILD).
    exec celery -A shaho worker --loglevel="${CELERY_LOG_LEVEL:-INFO}" \
        -Q "${CELERY_QUEUES:-reports,imports,default}" \
        ${CELERY_CONCURRENCY:+--concurrency="$CELERY_CONCURRENCY"}
    ;;
beat)
    # The schedule lives in settings (CELERY_BEAT_SCHEDULE); its state file goes to /tmp.
    exec celery -A shaho beat --loglevel="${CELERY_LOG_LEVEL:-INFO}" --schedule /tmp/celerybeat-schedule
    ;;
manage.py)
    shift
    exec python manage.py "$@"
    ;;
*)
    exec "$@"
    ;;
esac

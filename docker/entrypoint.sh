#!/bin/sh
# One image, three roles: web (migrate, collectstatic, gunicorn), worker, beat.
# Anything else is run as given, e.g. `docker-compose run web manage.py createsuperuser`.
set -eu

case "${1:-web}" in
web)
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput
    # Workers, threads, keep-alive and SO_REUSEPORT (connections spread over the workers): the file says
    # why; GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT, PORT … override it.
    exec gunicorn --config docker/gunicorn.conf.py shaho.wsgi:application
    ;;
worker)
    exec celery -A shaho worker --loglevel="${CELERY_LOG_LEVEL:-INFO}"
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

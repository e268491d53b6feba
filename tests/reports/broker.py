"""Point the project's Celery app at another broker for a block (the outbox tests, the worker tests)."""

from contextlib import contextmanager

CLOSED_PORT = "redis://127.0.0.1:1/12"  # nothing listens on port 1: connection refused


@contextmanager
def broker_at(url):
    """Publish to `url` for the block, with the result store there too, as in production (settings default
    CELERY_RESULT_BACKEND to the broker): the project's Celery app with its own settings (timeouts, retry
    policy), only the addresses changed. Not eager: messages really leave (or fail to)."""
    from shaho.celery import app

    saved = (app.conf.broker_write_url, app.conf.result_backend, app.conf.task_always_eager)
    caches = (app._pool, app.amqp._producer_pool, app._backend_cache, getattr(app._local, "backend", None))
    app.conf.broker_write_url, app.conf.result_backend, app.conf.task_always_eager = url, url, False
    # The next send connects to `url`, and the next look at the result store too.
    app._pool = app.amqp._producer_pool = app._backend_cache = app._local.backend = None
    try:
        yield app
    finally:
        app.conf.broker_write_url, app.conf.result_backend, app.conf.task_always_eager = saved
        app._pool, app.amqp._producer_pool, app._backend_cache, app._local.backend = caches

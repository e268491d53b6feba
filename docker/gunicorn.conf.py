"""gunicorn settings for production (docker/entrypoint.sh `web`) and for bench/bench_concurrent_entry.py.

    gunicorn -c docker/gunicorn.conf.py shaho.wsgi:application

Every setting can be overridden from the environment (GUNICORN_*) or, for one run, on the command line.

Why these (issue 22): phones keep their connection open between the form and the POST (keep-alive).
With one listening socket shared by all workers, the kernel wakes the worker that waited last, and a
threaded worker accepts every connection it is offered (up to `worker_connections`, 1,000): measured
here, one worker took nearly every kept-alive connection of 50 organizers while four idled, its four
threads queueing them. `reuse_port` gives each worker its own listening socket (SO_REUSEPORT) and
the kernel spreads new connections over them by address and port, so kept-alive connections are
shared out from the start; threads let a worker answer one connection while another waits on the
database. Keep-alive stays on (a phone on a slow network pays the TCP and TLS set-up once); a kept-alive
connection waits in the worker's poller, not in a thread, so a long one costs little. It is longer than
the front proxy's idle timeout for its connections to gunicorn (Caddy: `transport http { keepalive 60s }`
in the reverse_proxy; Caddy's default is 2 minutes), so the proxy never sends a request on a connection
gunicorn is just closing.

With reuse_port, a worker that stops drops the connections still queued on its own socket; workers
here are not recycled (no `max_requests`), so that happens only when one crashes or at a restart.
"""

import os


def _int(name, default):
    return int(os.environ.get(name, default))


bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", 3)
threads = _int("GUNICORN_THREADS", 4)
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "1") != "0"
keepalive = _int("GUNICORN_KEEPALIVE", 75)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
backlog = _int("GUNICORN_BACKLOG", 256)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The worker's pid on every line: how requests spread over the workers can be counted from the log.
access_log_format = os.environ.get(
    "GUNICORN_ACCESS_LOG_FORMAT", '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(p)s %(M)sms'
)

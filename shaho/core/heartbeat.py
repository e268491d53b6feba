"""A job's heartbeat: while a long block runs, a thread calls `beat()` every `interval` seconds.

A report's PDF layout or an import's transaction makes no progress call for minutes; without a beat the sweep
would take a busy job for dead. The thread uses its own database connections and closes them at the end; `beat`
logs its own failures (a failed beat is never raised: the work goes on, and the next beat tries again).
"""

import threading
from contextlib import contextmanager

from django.db import connections


@contextmanager
def beating(*, name, interval, beat):
    stop = threading.Event()

    def run():
        try:
            while not stop.wait(interval):
                beat()
        finally:
            connections.close_all()  # this thread's own connections only

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)

"""A task only the queue tests' workers load (`celery worker -I tests.core.queue_tasks`): it holds its worker
process until the test releases it, standing for a long report render without a clock in the test."""

import time

import redis

from shaho.celery import app


@app.task(name="tests.hold_until_released", ignore_result=False)
def hold_until_released(redis_url, key, limit_seconds=120):
    """Say it started (`key`:started), then wait until `key`:release exists (or `limit_seconds` pass)."""
    client = redis.Redis.from_url(redis_url)
    try:
        client.set(f"{key}:started", "1", ex=600)
        deadline = time.monotonic() + limit_seconds
        while time.monotonic() < deadline:
            if client.exists(f"{key}:release"):
                return "released"
            time.sleep(0.05)
        return "gave up"
    finally:
        client.close()

"""The two Redis roles (issue 22): `check --deploy` warns when the broker's Redis may evict (shaho.W101, asked
with CONFIG GET of a real redis-server started here on a free port) and when the cache shares the broker's
database (shaho.W102); a Redis that refuses CONFIG, or does not answer, gives no warning."""

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from shaho.core.redis_roles import check_redis_roles, redis_database
from tests.reports.broker import CLOSED_PORT
from tests.required_services import service_missing


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    """Start a redis-server of this test's own with the given options: its URL (database 0)."""
    started = []

    def start(*options):
        binary = shutil.which("redis-server")
        if binary is None:
            service_missing("needs redis-server (Debian's redis-server package) to start a Redis of its own")
        port = _free_port()
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(tmp_path), *options]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(process)
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline and process.poll() is None, "redis-server did not start"
                time.sleep(0.05)
        client.close()
        return url

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def _ids(settings, broker, cache=""):
    settings.CELERY_BROKER_URL, settings.CACHE_URL = broker, cache
    return [message.id for message in check_redis_roles()]


def test_a_broker_that_evicts_is_warned_about(settings, redis_server):
    assert _ids(settings, redis_server("--maxmemory-policy", "allkeys-lru")) == ["shaho.W101"]


def test_a_broker_that_never_evicts_passes(settings, redis_server):
    assert _ids(settings, redis_server("--maxmemory-policy", "noeviction")) == []


def test_a_broker_that_refuses_config_or_does_not_answer_gives_no_warning(settings, redis_server):
    # Managed Redis services often disable CONFIG: nothing can be known, nothing is claimed.
    assert _ids(settings, redis_server("--maxmemory-policy", "allkeys-lru", "--rename-command", "CONFIG", "")) == []
    started = time.monotonic()
    assert _ids(settings, CLOSED_PORT) == []
    assert time.monotonic() - started < 5


def test_cache_and_broker_on_the_same_redis_database_are_warned_about(settings, redis_server):
    broker = redis_server("--maxmemory-policy", "noeviction")
    assert _ids(settings, broker, cache=broker) == ["shaho.W102"]
    assert _ids(settings, broker, cache=broker.replace("/0", "/1")) == []  # another database: its own keys
    assert _ids(settings, broker, cache="") == []  # the per-process cache


def test_redis_database_reads_host_port_and_database():
    assert redis_database("redis://redis-broker:6379/0") == ("redis-broker", 6379, 0)
    assert redis_database("redis://:secret@Redis-Broker/3") == ("redis-broker", 6379, 3)
    assert redis_database("redis://a:6380,redis://b:6380") == ("a", 6380, 0)
    assert redis_database("") is None and redis_database("amqp://guest@rabbit//") is None


def test_check_deploy_fails_at_warning_level_on_an_evicting_broker(settings, redis_server):
    settings.CELERY_BROKER_URL = redis_server("--maxmemory-policy", "allkeys-lru")
    settings.CACHE_URL = ""
    with pytest.raises(SystemCheckError, match=r"shaho\.W101"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "caches")

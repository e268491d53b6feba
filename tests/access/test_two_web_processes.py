"""Nothing a limit counts lives in one web process's memory (issue 22): two gunicorn processes on free ports,
the same PostgreSQL database and the same Redis as cache (CACHE_URL), DEBUG off, behind a trusted address
header as behind the proxy. A lock-out made on one holds on the other (django-axes, in the database), and a
password-reset limit counted on one holds on the other (the cache).

PostgreSQL and Redis are required (tests/required_services.py): under CI (SHAHO_REQUIRE_SERVICES=1, .ci/run's
`services` pass on PostgreSQL) a missing one fails the test; on a developer's SQLite it is skipped, said by -ra.
Locally: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> SHAHO_TEST_CACHE_URL=redis://127.0.0.1:6379/<n>.
"""

import http.client
import os
import random
import re
import secrets
from urllib.parse import urlencode

import pytest
from django.conf import global_settings
from django.db import connection

from councils.models import Role
from shaho.core.access import LOCKOUT_MESSAGE, PASSWORD_RESET_LIMIT_MESSAGE
from tests.councils.factories import prefectural_council, staff_of
from tests.harness import processes
from tests.required_services import require_postgresql, require_redis

CACHE_URL = os.environ.get("SHAHO_TEST_CACHE_URL", "redis://127.0.0.1:6379/3")
LIMIT = 3

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _database_url():
    s = connection.settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Browser:
    """One browser at one address (X-Real-IP, which the proxy would set), talking to one web process."""

    def __init__(self, port, address):
        self.port, self.address, self.cookies = port, address, {}

    def request(self, method, path, data=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1", "X-Real-IP": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            payload = answer.read().decode("utf-8", errors="replace")
            for name, value in answer.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return answer.status, payload
        finally:
            conn.close()

    def submit(self, path, data):
        """GET the form (its CSRF cookie), then POST it."""
        self.request("GET", path)
        return self.request("POST", path, data)


def _address():
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


@pytest.fixture
def two_web_processes(tmp_path, settings):
    require_postgresql()
    # The web processes check passwords with the project's hashers; the suite's fast MD5 is not among them.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    redis = require_redis(CACHE_URL)
    missing = [p for p in processes.missing_binaries() if p.endswith("gunicorn")]
    assert not missing, f"gunicorn is a pinned requirement: {missing}"
    started, touched = [], set()

    def start(name, **overrides):
        env = processes.django_env(
            database_url=_database_url(),
            media_root=tmp_path / name,
            DEBUG="0",
            SECRET_KEY="two-web-processes-" + "x" * 40,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_COOKIES="0",
            TRUSTED_PROXY_IP_HEADER="HTTP_X_REAL_IP",
            CACHE_URL=CACHE_URL,
            LOGIN_FAILURE_LIMIT=str(LIMIT),
            PASSWORD_RESET_LIMIT=str(LIMIT),
            CONN_MAX_AGE="0",  # nothing holds the test database open when pytest-django drops it
        )
        env.update(overrides)
        process = processes.gunicorn(env, name=f"two-web-{name}", workers=1)
        started.append(process)
        return process

    yield start, touched
    for process in started:
        process.stop(timeout=5)
        processes._started.remove(process)
    # The counters this test made, and nothing else in that Redis database.
    for pattern in touched:
        for key in redis.scan_iter(match=pattern):
            redis.delete(key)
    redis.close()


def test_a_lockout_made_on_one_web_process_holds_on_the_other(two_web_processes):
    start, _touched = two_web_processes
    staff = staff_of(prefectural_council("14"), role=Role.COUNCIL_STAFF, username=f"lock-{secrets.token_hex(4)}")
    bystander = staff_of(staff.council, role=Role.COUNCIL_STAFF, username=f"other-{secrets.token_hex(4)}")
    web1, web2 = start("web1"), start("web2")

    guesser = Browser(web1.port, _address())
    answers = [
        guesser.submit("/login/", {"username": staff.username, "password": "wrong-guess"})[0] for _ in range(LIMIT)
    ]
    assert answers[:-1] == [200] * (LIMIT - 1)  # the form again, with its error

    # On the other process, from another address, with the right password: the user name is locked there too.
    status, page = Browser(web2.port, _address()).submit(
        "/login/", {"username": staff.username, "password": "test-pass-2025"}
    )
    assert status == 429, page[:400]
    assert LOCKOUT_MESSAGE.split("。")[0] in page
    # … and the guessing address is locked on the other process whatever user it tries.
    status, _page = Browser(web2.port, guesser.address).submit(
        "/login/", {"username": bystander.username, "password": "test-pass-2025"}
    )
    assert status == 429
    # The other process is not simply refusing everyone: another user from another address logs in.
    status, _page = Browser(web2.port, _address()).submit(
        "/login/", {"username": bystander.username, "password": "test-pass-2025"}
    )
    assert status == 302, re.findall(r"errorlist[^<]*<li>([^<]*)", _page)


def test_a_password_reset_limit_counted_on_one_web_process_holds_on_the_other(two_web_processes):
    start, touched = two_web_processes
    web1, web2 = start("web1"), start("web2")
    email = f"reset-{secrets.token_hex(4)}@example.jp"
    browser1, browser2 = Browser(web1.port, _address()), Browser(web2.port, _address())
    touched.update({f"*password-reset:email:{email}", f"*password-reset:ip:{browser1.address}"})
    touched.add(f"*password-reset:ip:{browser2.address}")

    for _ in range(LIMIT):
        status, page = browser1.submit("/password/password_reset/", {"email": email})
        assert status == 302, page[:400]  # accepted (the same answer whether the address has an account or not)
    # The same e-mail address, on the other process, from another address: over the limit counted on web 1.
    status, page = browser2.submit("/password/password_reset/", {"email": email})
    assert status == 429, page[:400]
    assert re.sub(r"\s+", "", PASSWORD_RESET_LIMIT_MESSAGE)[:30] in re.sub(r"\s+", "", page)
    # Another e-mail from a fresh address is still accepted there: the limit is the shared count, not a fault.
    other = f"reset-{secrets.token_hex(4)}@example.jp"
    touched.add(f"*password-reset:email:{other}")
    browser3 = Browser(web2.port, _address())
    touched.add(f"*password-reset:ip:{browser3.address}")
    assert browser3.submit("/password/password_reset/", {"email": other})[0] == 302

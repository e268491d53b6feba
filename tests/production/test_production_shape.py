"""The production shape on 127.0.0.1, without containers (issue 22): Caddy in front with `tls internal` and the
snippets compose ships (docker/shaho-proxy.caddy), two gunicorn processes with different empty MEDIA_ROOTs, two
Celery workers on different queues (`-Q reports`; `-Q imports,default`), Redis (broker and cache), the harness's
own PostgreSQL cluster and a real S3 server (moto's server mode: a pip package, so it is always there — SeaweedFS's
wheel would need a Go binary fetched at run time, and its server takes seconds more to start).

A national staff member logs in through Caddy over HTTPS (password, then the authenticator's code: DEBUG is off),
requests a policy draft through web 1; a worker renders it into the bucket; the member downloads it through web 2
(neither web process nor worker keeps a file on its disk). Plain HTTP is redirected to HTTPS, HTTPS answers carry
HSTS. Failed logins are counted against the client's address (X-Real-IP, set by Caddy over whatever the client
sent), not against the proxy's: the guesser is locked out, another client behind the same proxy is not. Web 1 is
killed (SIGKILL); every request sent after that through the front is answered by web 2, and every tally entry is
recorded once. One line of figures: PRODUCTION: …

Storage: SHAHO_STORAGE=s3 and the SHAHO_S3_* names are the storage part of issue 22 (branch `storage`); without it
the report lands on the worker's disk and web 2 cannot serve it (this test then fails on the download, as it
should: the shape is not stateless).
"""

import binascii
import hashlib
import http.client
import re
import secrets
import time
import uuid
from urllib.parse import urlsplit

import pytest

from tests.harness import processes
from tests.required_services import service_missing

pytestmark = pytest.mark.drill

JOB_URL = re.compile(r"^/reports/jobs/([0-9a-f-]{36})/$")
BUCKET = "shaho-production"


def _totp(key):
    from django_otp.oath import totp

    return f"{totp(binascii.unhexlify(key)):06d}"


def _job(site, token):
    sql = "SELECT status, file, sha256, page_count, error FROM reports_reportjob WHERE token = %s"
    found = site.query(sql, (token,))
    return dict(zip(["status", "file", "sha256", "page_count", "error"], found[0], strict=True)) if found else None


def _files(*roots):
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


def _entry(client, rows, note):
    data = {"petition": rows["petition"], "council": rows["yokohama"], "count": "3", "collected_on": "2025-12-01",
            "kind": "individual", "organisation": "", "source": "", "note": note,
            "submission_token": str(uuid.uuid4())}  # fmt: skip
    return client.post("/petitions/entry/", data)


def test_production_shape_through_caddy(drill, figures, tmp_path):
    site, _media = drill
    missing = processes.missing_binaries(processes.CADDY, processes.BIN / "moto_server")
    if missing:
        service_missing(f"the production shape needs {', '.join(missing)} (apt-get install caddy; moto[server])")
    rows = site.rows
    redis = processes.RedisServer(tmp_path / "redis")
    redis.start()
    s3 = processes.MotoS3(name="production-s3")
    s3.client().create_bucket(Bucket=BUCKET)
    media = {name: tmp_path / name for name in ("web1", "web2", "worker-reports", "worker-default")}
    for path in media.values():
        path.mkdir()
    production = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # As docker-compose.yml's web: Caddy sets both headers.
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "TRUSTED_PROXY_IP_HEADER": "HTTP_X_REAL_IP",
        "CACHE_URL": f"redis://127.0.0.1:{redis.port}/1",
        "LOGIN_FAILURE_LIMIT": "3",
        "CONN_MAX_AGE": "0",
        **s3.env(BUCKET),
    }

    def env(where):
        return site.env(media_root=media[where], broker_url=redis.url, **production)

    processes.rows(env("web1"), "long_meeting", chapters=2, paragraphs=10)
    key = secrets.token_hex(20)
    processes.rows(env("web1"), "totp_device", username=rows["staff"], key=key)
    organizer_session = processes.rows(env("web1"), "sessions", usernames=[rows["organizers"][3]])
    workers = {
        "reports": processes.celery_worker(
            env("worker-reports"), name="production-worker-reports", extra=["-Q", "reports"]
        ),
        # `celery`: Celery's default queue, where every task goes until the queues part routes them by kind.
        "default": processes.celery_worker(
            env("worker-default"), name="production-worker-default", extra=["-Q", "imports,default,celery"]
        ),
    }
    web1 = processes.gunicorn(env("web1"), name="production-web1", workers=1, threads=4, ready=(301,))
    web2 = processes.gunicorn(env("web2"), name="production-web2", workers=1, threads=4, ready=(301,))
    caddy = processes.Caddy(
        tmp_path / "caddy",
        {"front": [web1.port, web2.port], "web1": [web1.port], "web2": [web2.port]},
        name="production-caddy",
    )

    # Plain HTTP: Caddy redirects to HTTPS; HTTPS answers carry HSTS (Django, told by X-Forwarded-Proto).
    plain = http.client.HTTPConnection("127.0.0.1", caddy.http_port, timeout=10)
    plain.request("GET", "/login/", headers={"Host": "127.0.0.1"})
    redirect = plain.getresponse()
    assert redirect.status in (301, 308), redirect.status
    target = urlsplit(redirect.getheader("Location"))
    # Caddy 2.6 leaves the HTTPS port out of its redirect (443 in production; here a free port).
    assert (target.scheme, target.hostname, target.path) == ("https", "127.0.0.1", "/login/"), target
    assert target.port in (None, caddy.https_port), target
    page = caddy.client("front").get("/login/")
    assert page.status == 200
    assert page.headers["strict-transport-security"].startswith("max-age=31536000"), page.headers
    # Without the proxy's header Django itself sends plain HTTP to HTTPS (web 1 asked directly).
    assert processes.Client(web1.port).get("/login/").status == 301

    # The staff member logs in through web 1 over HTTPS: password, then the authenticator's code.
    clock = time.monotonic()
    staff = caddy.client("web1", source="127.0.0.5", timeout=30)
    staff.get("/login/")
    response = staff.post("/login/", {"username": rows["staff"], "password": rows["password"]})
    assert response.status == 302, (response.status, response.text[:1000])
    staff.get("/account/otp/verify/")
    response = staff.post("/account/otp/verify/", {"token": _totp(key), "next": "/reports/"})
    assert response.status == 302 and response.location == "/reports/", (response.status, response.text[:1000])
    logged_in = time.monotonic() - clock

    # The policy draft: requested on web 1, rendered by a worker into the bucket, downloaded through web 2.
    staff.get("/reports/new/policy_draft/")
    response = staff.post("/reports/new/policy_draft/", {"meeting": "64", "format": "pdf"})
    assert response.status == 302 and JOB_URL.match(response.location), (response.status, response.text[:2000])
    token = JOB_URL.match(response.location).group(1)
    requested = time.monotonic()
    done = processes.wait_for(
        "the policy draft rendered",
        lambda: (j := _job(site, token)) and j["status"] in ("done", "failed") and j,
        timeout=180,
        interval=0.2,
        logs=[w.log for w in workers.values()],
    )
    rendered_in = time.monotonic() - requested
    assert done["status"] == "done", done["error"]
    # Which worker took it: `-Q reports` once the queues part routes it there; until then Celery's `celery` queue.
    rendered_by = [n for n, w in workers.items() if "reports.render_report[" in w.log.read_text(errors="replace")]
    keys = [o["Key"] for o in s3.client().list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert done["file"] in keys, (done["file"], keys)
    assert _files(*media.values()) == [], "no process keeps a file on its own disk"
    other = staff.same_session(caddy.ports["web2"])
    download = other.get(f"/reports/{token}/download/")
    assert download.status == 200, (download.status, download.text[:500])
    assert hashlib.sha256(download.body).hexdigest() == done["sha256"]
    assert download.body.startswith(b"%PDF")

    # The lock-out counts the client's address (X-Real-IP from Caddy), whatever header the client forged.
    guesser = caddy.client("front", source="127.0.0.2")
    guesser.extra_headers = {"X-Real-IP": "203.0.113.9", "X-Forwarded-For": "203.0.113.9"}
    guesser.get("/login/")
    guesses = [
        guesser.post("/login/", {"username": f"production-nobody{i}", "password": "wrong"}).status for i in range(3)
    ]
    assert guesses == [200, 200, 429], guesses  # LOGIN_FAILURE_LIMIT=3: the third failure locks the address
    refused = guesser.post("/login/", {"username": rows["organizers"][1], "password": rows["password"]})
    assert refused.status == 429, (refused.status, refused.text[:500])
    sql = "SELECT ip_address FROM axes_accessattempt WHERE username LIKE 'production-nobody%%'"
    addresses = {r[0] for r in site.query(sql)}
    assert addresses == {"127.0.0.2"}, addresses
    neighbour = caddy.client("front", source="127.0.0.3")
    neighbour.login(rows["organizers"][2], rows["password"])  # same proxy, another client: not locked

    # Web 1 killed: every request sent afterwards through the front is answered (by web 2), entries once each.
    organizer = caddy.client("front", source="127.0.0.4").use_session(organizer_session[rows["organizers"][3]])
    organizer.get("/petitions/entry/")
    before = [_entry(organizer, rows, f"production before {i}").status for i in range(4)]
    assert before == [302] * 4, before
    web1.kill()
    killed = time.monotonic()
    # GETs first: round robin sends one of them to web 1, the refused connection takes web 1 out (passive health
    # check) and the GET goes to web 2. Caddy 2.6 (Debian's) cannot resend a POST's body: a POST whose first
    # try met the dead process would reach web 2 empty (403, nothing recorded) — see docs/deploy.md.
    answers = [organizer.get("/login/").status for _ in range(4)]
    assert answers == [302] * 4, answers
    for i in range(20):
        organizer.close()  # a new connection each time, as 20 phones would open
        answers.append(organizer.get("/petitions/entry/").status)
        answers.append(_entry(organizer, rows, f"production after {i}").status)
    after_kill = time.monotonic() - killed
    recorded, distinct = site.query(
        "SELECT count(*), count(DISTINCT note) FROM petitions_tallyentry WHERE note LIKE 'production after %%'"
    )[0]
    lost = sum(1 for status in answers if status >= 500)
    figures(
        "PRODUCTION",
        login=f"{logged_in:.2f}s",
        draft_pages=done["page_count"],
        rendered_in=f"{rendered_in:.1f}s",
        rendered_by="+".join(rendered_by) or "?",
        bucket_objects=len(keys),
        local_files=len(_files(*media.values())),
        download_bytes=len(download.body),
        lockout_address="127.0.0.2",
        after_kill_requests=len(answers),
        lost=lost,
        entries=recorded,
        doubled=recorded - distinct,
        after_kill_s=f"{after_kill:.1f}",
    )
    assert answers == [302] * 4 + [200, 302] * 20, answers
    assert (recorded, distinct) == (20, 20)

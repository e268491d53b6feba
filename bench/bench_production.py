"""The production shape under a submission day's load (issue 22): 50 organizers entering tallies and 5 report
requests at once, through Caddy (TLS), against one and then two web processes.

Everything runs on 127.0.0.1 on free ports, as the production-shape test does (tests/harness/: its own PostgreSQL
cluster, redis-server, Caddy with `tls internal` and the snippets compose ships, gunicorn, two Celery workers
`-Q reports` and `-Q imports,default,celery`, moto's S3 server with SHAHO_STORAGE=s3), DEBUG off, behind the
proxy headers as docker-compose.yml's web. Each organizer is a phone: its own TLS connection through Caddy, the
entry form (GET), the entry (POST), its confirmation page (GET, reading what was just written); every 10th entry
is tapped twice with the same token. At the same moment 5 national staff request a policy draft each.

Printed per shape: requests, seconds, requests per second, p50 and p95 of every request, entries recorded /
sent / doubled, reports done; then the ratio two/one of the requests per second. On two shared cores expect
little from a second web process: the figure is for the record. Correctness is checked: every entry sent is in
the ledger exactly once (re-taps answered with the first entry), every report done.

    .venv/bin/python bench/bench_production.py [--organizers 50] [--entries 20] [--reports 5]
"""

import argparse
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness import processes  # noqa: E402
from tests.harness.fixtures import DrillSite, _migrate  # noqa: E402

JOB_URL = re.compile(r"^/reports/jobs/([0-9a-f-]{36})/$")
DONE_URL = re.compile(r"^/petitions/entry/(\d+)/$")
BUCKET = "shaho-bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizers", type=int, default=50)
    parser.add_argument("--entries", type=int, default=20, help="entries each organizer sends, per shape")
    parser.add_argument("--reports", type=int, default=5, help="policy drafts requested at the same moment")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web process")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    return parser.parse_args()


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


class Phone:
    """One organizer's run: form, entry, confirmation; every 10th entry tapped twice."""

    def __init__(self, caddy, session, rows, label, index, entries):
        self.client = caddy.client("front", timeout=60).use_session(session)
        self.rows, self.label, self.index, self.entries = rows, label, index, entries
        self.seconds, self.errors, self.sent, self.retaps_same = [], [], {}, 0

    def timed(self, method, path, data=None):
        start = time.perf_counter()
        try:
            response = self.client.request(method, path, data)
        except OSError as exc:
            self.errors.append(f"{method} {path}: {exc!r}")
            return None
        self.seconds.append(time.perf_counter() - start)
        return response

    def run(self, go):
        go.wait()
        for i in range(self.entries):
            form = self.timed("GET", "/petitions/entry/")
            if form is None or form.status != 200:
                self.errors.append(f"form: {form and form.status}")
                continue
            note = f"bench {self.label} {self.index} {i}"
            data = {"petition": self.rows["petition"], "council": self.rows["yokohama"], "count": str(i % 99 + 1),
                    "collected_on": "2025-12-01", "kind": "individual", "organisation": "", "source": "",
                    "note": note, "submission_token": str(uuid.uuid4())}  # fmt: skip
            taps = 2 if i % 10 == 9 else 1
            answers = [self.timed("POST", "/petitions/entry/", data) for _ in range(taps)]
            pks = [DONE_URL.match(a.location).group(1) if a and DONE_URL.match(a.location) else None for a in answers]
            if pks[0] is None:
                self.errors.append(f"entry: {answers[0] and answers[0].status}")
                continue
            self.sent[note] = pks[0]
            self.retaps_same += sum(1 for pk in pks[1:] if pk == pks[0])
            confirmation = self.timed("GET", answers[0].location)
            if confirmation is None or confirmation.status != 200:
                self.errors.append(f"confirmation: {confirmation and confirmation.status}")


def request_report(caddy, session, seconds, tokens, errors, go):
    client = caddy.client("front", timeout=60).use_session(session)
    go.wait()
    start = time.perf_counter()
    client.get("/reports/new/policy_draft/")
    response = client.post("/reports/new/policy_draft/", {"meeting": "64", "format": "pdf"})
    seconds.append(time.perf_counter() - start)
    if response.status == 302 and JOB_URL.match(response.location):
        tokens.append(JOB_URL.match(response.location).group(1))
    else:
        errors.append(f"report request: {response.status}")


def run_shape(site, env, rows, sessions, staff_sessions, args, label, web_count, workdir):
    webs = [
        processes.gunicorn(env(f"{label}-web{n}"), name=f"bench-{label}-web{n}", workers=args.web_workers,
                           threads=args.threads, ready=(301,))
        for n in range(1, web_count + 1)
    ]  # fmt: skip
    caddy = processes.Caddy(workdir / f"caddy-{label}", {"front": [w.port for w in webs]}, name=f"bench-{label}-caddy")
    go = threading.Barrier(len(sessions) + len(staff_sessions) + 1)
    phones = [Phone(caddy, s, rows, label, i, args.entries) for i, s in enumerate(sessions)]
    report_seconds, tokens, errors = [], [], []
    threads = [threading.Thread(target=p.run, args=(go,)) for p in phones] + [
        threading.Thread(target=request_report, args=(caddy, s, report_seconds, tokens, errors, go))
        for s in staff_sessions
    ]
    for t in threads:
        t.start()
    go.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    seconds = [s for p in phones for s in p.seconds] + report_seconds
    sent = {note: pk for p in phones for note, pk in p.sent.items()}
    recorded = site.query(
        "SELECT note, count(*) FROM petitions_tallyentry WHERE note LIKE %s GROUP BY note", (f"bench {label} %",)
    )
    counts = dict(recorded)
    doubled = sum(n - 1 for n in counts.values() if n > 1)
    missing = [note for note in sent if note not in counts]
    done = processes.wait_for(
        "the report jobs finished",
        lambda: (rows_ := site.query("SELECT status FROM reports_reportjob WHERE token = ANY(%s::uuid[])", (tokens,)))
        and all(r[0] in ("done", "failed") for r in rows_) and rows_,
        timeout=600,
        interval=0.5,
    )  # fmt: skip
    errors += [e for p in phones for e in p.errors]
    result = {
        "requests": len(seconds),
        "wall": wall,
        "rps": len(seconds) / wall,
        "p50": percentile(seconds, 50) * 1000,
        "p95": percentile(seconds, 95) * 1000,
        "sent": len(sent),
        "recorded": len(counts),
        "doubled": doubled,
        "missing": len(missing),
        "retaps_same": sum(p.retaps_same for p in phones),
        "reports_done": sum(1 for r in done if r[0] == "done"),
        "errors": errors,
    }
    print(
        f"{label}: {web_count} web x {args.web_workers} workers x {args.threads} threads, "
        f"{result['requests']} requests in {wall:.1f} s = {result['rps']:.1f} req/s, p50 {result['p50']:.0f} ms, "
        f"p95 {result['p95']:.0f} ms; entries sent {result['sent']}, recorded {result['recorded']}, "
        f"doubled {doubled}, missing {len(missing)}, re-taps answered with the first entry {result['retaps_same']}; "
        f"reports done {result['reports_done']}/{len(staff_sessions)}; errors {len(errors)}",
        flush=True,
    )
    for error in errors[:10]:
        print("  error:", error)
    caddy.process.stop()
    for web in webs:
        web.stop()
    return result


def main():
    args = parse_args()
    missing = processes.missing_binaries(processes.CADDY, processes.BIN / "moto_server")
    if missing:
        sys.exit(f"bench_production needs {', '.join(missing)} (apt-get install postgresql redis-server caddy)")
    # The migrated database is kept as a dump named by the migrations' hash (tests/harness/fixtures.py), shared
    # with the drills; computing that hash reads the apps, so Django is set up here (no database is touched).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaho.settings")
    import django

    django.setup()
    workdir = Path(tempfile.mkdtemp(prefix="shaho-bench-production-"))
    workdir.chmod(0o755)
    processes.LOG_DIR = workdir / "logs"  # never the drills' logs
    processes.LOG_DIR.mkdir()
    site = DrillSite(workdir)
    try:
        clock = time.monotonic()
        site.cluster.init()
        site.cluster.query("postgres", f"CREATE DATABASE {site.database}")
        redis = processes.RedisServer(workdir / "redis")
        redis.start()
        s3 = processes.MotoS3(name="bench-s3")
        s3.client().create_bucket(Bucket=BUCKET)
        production = {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
            "TRUSTED_PROXY_IP_HEADER": "HTTP_X_REAL_IP",
            "CACHE_URL": f"redis://127.0.0.1:{redis.port}/1",
            "LOG_LEVEL": "WARNING",
            **s3.env(BUCKET),
        }

        def env(name):
            media = workdir / "media" / name
            media.mkdir(parents=True, exist_ok=True)
            return site.env(media_root=media, broker_url=redis.url, **production)

        how = _migrate(site, env("setup"))
        rows = processes.rows(env("setup"), "federation", organizers=args.organizers)
        processes.rows(env("setup"), "long_meeting", chapters=3, paragraphs=20)
        staff = processes.rows(env("setup"), "staff_accounts", count=args.reports)["staff"]
        staff_sessions = list(processes.rows(env("setup"), "sessions", usernames=staff, verified=True).values())
        sessions = list(processes.rows(env("setup"), "sessions", usernames=rows["organizers"]).values())
        processes.celery_worker(env("worker-reports"), name="bench-worker-reports", extra=["-Q", "reports"])
        default_queues = ["-Q", "imports,default,celery"]  # celery: until the queues part routes by kind
        processes.celery_worker(env("worker-default"), name="bench-worker-default", extra=default_queues)
        print(f"set up ({how}) in {time.monotonic() - clock:.0f} s; {os.cpu_count()} cores; logs {processes.LOG_DIR}")
        one = run_shape(site, env, rows, sessions, staff_sessions, args, "one", 1, workdir)
        two = run_shape(site, env, rows, sessions, staff_sessions, args, "two", 2, workdir)
        print(f"ratio two/one: {two['rps'] / one['rps']:.2f} (req/s), p95 {two['p95'] / one['p95']:.2f}")
        failed = [
            label
            for label, r in (("one", one), ("two", two))
            if r["missing"] or r["doubled"] or r["recorded"] != r["sent"] or r["sent"] != args.organizers * args.entries
            or r["reports_done"] != args.reports
        ]  # fmt: skip
        print("every entry recorded once, every report done" if not failed else f"NOT CORRECT: {failed}")
        return 1 if failed else 0
    finally:
        processes.kill_all()
        site.cluster.stop("immediate")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

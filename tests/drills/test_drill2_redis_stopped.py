"""Drill 2: Redis stopped while 20 report requests and 200 tally entries come in.

gunicorn and a Celery worker (with its beat: the sweep, every REPORTS_SWEEP_SECONDS) run on a redis-server of
the drill's own, which is then killed. National staff request 20 集約一覧表 (one per 基準日), and ten organizers
send 200 phone tally entries, all at once: every report request answers within 2 s with its job page saying
it waits 「処理サーバーに接続できません」, and every tally entry is acknowledged and in the ledger (the ledger
does not need Redis). Redis comes back (empty, as after a crash without persistence): every job runs, once
(attempt 1, one file each), sent by the sweep from the job rows (the outbox).
"""

import datetime
import re
import threading
import time
import uuid

import pytest

from tests.harness import processes

pytestmark = pytest.mark.drill

JOB_URL = re.compile(r"^/reports/jobs/([0-9a-f-]{36})/$")
SHORT = {"REPORTS_HEARTBEAT_SECONDS": "1", "REPORTS_STALE_AFTER_SECONDS": "5", "REPORTS_SWEEP_SECONDS": "2"}
REPORTS, ORGANIZERS, ENTRIES_EACH = 20, 10, 20


def test_drill2_redis_stopped_requests_answer_entries_recorded_jobs_run_once_when_it_returns(drill, figures, tmp_path):
    site, media = drill
    rows = site.rows
    redis = processes.RedisServer(tmp_path / "redis")
    redis.start()
    env = site.env(media_root=media, broker_url=redis.url, **SHORT)
    organizers = rows["organizers"][:ORGANIZERS]
    sessions = processes.rows(env, "sessions", usernames=[rows["staff"], *organizers])
    worker = processes.celery_worker(env, name="drill2-worker", extra=("-B", "-s", str(tmp_path / "beat-schedule")))
    server = processes.gunicorn(env, name="drill2-gunicorn", workers=1, threads=8)
    staff = processes.Client(server.port).use_session(sessions[rows["staff"]])
    assert staff.get("/reports/new/tally_table/").status == 200
    # The server has been working before Redis fails: one report requested and made while Redis is up.
    warm = staff.post(
        "/reports/new/tally_table/", {"petition": rows["petition_slug"], "date": "2025-10-31", "format": "xlsx"}
    )
    assert warm.status == 302 and JOB_URL.match(warm.location), warm.status
    warm_token = JOB_URL.match(warm.location).group(1)
    processes.wait_for(
        "the report requested before Redis stops is done",
        lambda: (
            site.query("SELECT status FROM reports_reportjob WHERE token::text = %s", (warm_token,))[0][0] == "done"
        ),
        timeout=60,
        interval=0.2,
        logs=[worker.log],
    )

    redis.stop()
    report_times, tokens, entry_acks, problems = [], [], [], []
    lock = threading.Lock()

    def request_reports():
        for day in range(REPORTS):
            date = datetime.date(2025, 11, 1) + datetime.timedelta(days=day)
            started = time.monotonic()
            try:
                response = staff.post(
                    "/reports/new/tally_table/",
                    {"petition": rows["petition_slug"], "date": date.isoformat(), "format": "xlsx"},
                )
            except OSError as exc:
                problems.append(f"report {date}: {exc}")
                continue
            took = time.monotonic() - started
            with lock:
                report_times.append(took)
                if response.status == 302 and JOB_URL.match(response.location):
                    tokens.append(JOB_URL.match(response.location).group(1))
                else:
                    problems.append(f"report {date}: HTTP {response.status} {response.text[:300]}")

    def enter(name):
        client = processes.Client(server.port).use_session(sessions[name])
        client.get("/petitions/entry/")
        for i in range(ENTRIES_EACH):
            data = {"petition": rows["petition"], "council": rows["yokohama"], "count": str(i + 1),
                    "collected_on": "2025-12-01", "kind": "individual", "organisation": "", "source": "",
                    "note": f"drill2 {name} e{i}", "submission_token": str(uuid.uuid4())}  # fmt: skip
            try:
                response = client.post("/petitions/entry/", data)
            except OSError as exc:
                problems.append(f"entry {name} {i}: {exc}")
                continue
            with lock:
                if response.status == 302 and response.location.startswith("/petitions/entry/"):
                    entry_acks.append(data["note"])
                else:
                    problems.append(f"entry {name} {i}: HTTP {response.status}")

    threads = [threading.Thread(target=request_reports)] + [
        threading.Thread(target=enter, args=(name,)) for name in organizers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not problems, problems[:10]
    assert len(tokens) == REPORTS and len(entry_acks) == ORGANIZERS * ENTRIES_EACH
    waiting = staff.get(f"/reports/jobs/{tokens[0]}/")
    assert waiting.status == 200 and "処理サーバーに接続できません" in waiting.text, waiting.text[:3000]
    ledger, distinct = site.query(
        "SELECT count(*), count(DISTINCT note) FROM petitions_tallyentry"
        " WHERE petition_id = %s AND note LIKE 'drill2 %%'",
        (rows["petition"],),
    )[0]
    not_done = site.scalar(
        "SELECT count(*) FROM reports_reportjob WHERE token::text = ANY(%s) AND status <> 'done'", (tokens,)
    )
    assert not_done == REPORTS, "a job ran while Redis was down?"

    redis.start()  # the same port; empty
    back = time.monotonic()

    def all_finished():
        found = site.query("SELECT status, attempt, file FROM reports_reportjob WHERE token::text = ANY(%s)", (tokens,))
        return found if all(s in ("done", "failed") for s, _, _ in found) else None

    jobs = processes.wait_for("every job finished after Redis returned", all_finished, timeout=120, interval=0.3,
                              logs=[worker.log])  # fmt: skip
    recovered_in = time.monotonic() - back
    files = [p for p in media.rglob("*") if p.is_file() and p.suffix == ".xlsx"]
    files = [p for p in files if str(p.relative_to(media)) != warm_file(site, warm_token)]
    runs = -1 + len(
        re.findall(r"Task reports\.render_report\[[^\]]+\] succeeded in [0-9.]+s: 'done'", worker.log.read_text())
    )
    figures(
        2,
        requests=len(report_times),
        slowest_request=f"{max(report_times):.2f}s",
        median_request=f"{sorted(report_times)[len(report_times) // 2]:.2f}s",
        entries=len(entry_acks),
        ledger=ledger,
        jobs=len(jobs),
        runs=runs,
        files=len(files),
        lost=(ORGANIZERS * ENTRIES_EACH - distinct) + sum(s != "done" for s, _, _ in jobs),
        doubled=(runs - len(jobs)) + (ledger - distinct),
        recovered_in=f"{recovered_in:.1f}s",
    )
    assert max(report_times) < 2, sorted(report_times)[-5:]
    assert ledger == distinct == ORGANIZERS * ENTRIES_EACH
    assert [(s, a) for s, a, _ in jobs] == [("done", 1)] * REPORTS
    assert runs == REPORTS and len(files) == REPORTS
    assert sorted(str(p.relative_to(media)) for p in files) == sorted(f for _, _, f in jobs)


def warm_file(site, token):
    return site.query("SELECT file FROM reports_reportjob WHERE token::text = %s", (token,))[0][0]

"""Drill 1: the Celery worker killed (SIGKILL to its whole process group) in the middle of a 45-page report.

National staff request the 64th general meeting's policy draft (議案書, about 50 pages from seeded chapters)
through gunicorn; a real worker takes it. While the PDF is being laid out (step 「PDFを組版中」, attempt 1)
the worker's whole process group is killed. A worker started again under the same node name takes the job
back at once (reports.tasks: worker start-up recovery of its dead predecessor's jobs; the heartbeat and the
sweep are the fallback, shortened here by REPORTS_* settings). The report then completes once: the job shows
attempt 2, its file is the only file in storage and matches the recorded checksum.
"""

import hashlib
import re
import time

import pytest

from tests.harness import processes

pytestmark = pytest.mark.drill

JOB_URL = re.compile(r"^/reports/jobs/([0-9a-f-]{36})/$")
SHORT = {"REPORTS_HEARTBEAT_SECONDS": "1", "REPORTS_STALE_AFTER_SECONDS": "5", "REPORTS_SWEEP_SECONDS": "2"}


def _job(site, token):
    found = site.query(
        "SELECT status, attempt, step, page_count, file, sha256, error, steps FROM reports_reportjob WHERE token = %s",
        (token,),
    )
    keys = ["status", "attempt", "step", "page_count", "file", "sha256", "error", "steps"]
    return dict(zip(keys, found[0], strict=True)) if found else None


def test_drill1_worker_killed_mid_report_completes_once_on_attempt_2(drill, figures, tmp_path):
    site, media = drill
    redis = processes.RedisServer(tmp_path / "redis")
    redis.start()
    env = site.env(media_root=media, broker_url=redis.url, **SHORT)
    processes.rows(env, "long_meeting", chapters=7)
    staff_session = processes.rows(env, "sessions", usernames=[site.rows["staff"]])[site.rows["staff"]]
    worker = processes.celery_worker(env, name="drill1-worker")
    server = processes.gunicorn(env, name="drill1-gunicorn", workers=1, threads=2)
    client = processes.Client(server.port).use_session(staff_session)
    client.get("/reports/new/policy_draft/")  # the form, and its CSRF cookie

    response = client.post("/reports/new/policy_draft/", {"meeting": "64", "format": "pdf"})
    assert response.status == 302 and JOB_URL.match(response.location), (response.status, response.text[:2000])
    token = JOB_URL.match(response.location).group(1)
    requested = time.monotonic()
    processes.wait_for(
        "attempt 1 laying out the PDF",
        lambda: (_job(site, token) or {}).get("step") == "PDFを組版中",
        timeout=120,
        interval=0.05,
        logs=[worker.log],
    )
    before = _job(site, token)
    assert before["status"] == "running" and before["attempt"] == 1, before
    worker.kill()  # SIGKILL, the whole process group: the main process and its pool
    killed = time.monotonic()
    assert _job(site, token)["status"] == "running"  # nobody said anything to the job: it just stopped

    second = processes.celery_worker(env, name="drill1-worker")  # the same node name, as a supervisor restarts it
    done = processes.wait_for(
        "the report done after the kill",
        lambda: (j := _job(site, token))["status"] in ("done", "failed") and j,
        timeout=150,
        interval=0.2,
        logs=[worker.log, second.log],
    )
    recovered_in = time.monotonic() - killed
    files = [p for p in media.rglob("*") if p.is_file()]
    layouts = [s.get("attempt") for s in done["steps"] if s.get("step") == "PDFを組版中"]
    jobs = site.scalar("SELECT count(*) FROM reports_reportjob WHERE kind = 'policy_draft'")
    figures(
        1,
        requests=1,
        pages=done["page_count"],
        attempt=done["attempt"],
        files=len(files),
        jobs=jobs,
        lost=int(done["status"] != "done"),
        doubled=len(files) - 1,
        killed_after=f"{killed - requested:.1f}s",
        recovered_in=f"{recovered_in:.1f}s",
    )
    assert done["status"] == "done", done["error"]
    assert done["attempt"] == 2 and layouts == [1, 2], (done["attempt"], layouts)
    assert done["page_count"] >= 45
    assert jobs == 1
    assert [str(p.relative_to(media)) for p in files] == [done["file"]], "one file, the job's"
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == done["sha256"]
    download = client.get(f"/reports/{token}/download/")
    assert download.status == 200 and hashlib.sha256(download.body).hexdigest() == done["sha256"]

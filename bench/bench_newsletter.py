"""Benchmark: the demo's 神奈川社保協ニュース 第1号 (seed 003: five articles from the records, a photo) end to end
against WeasyPrint alone on the same final HTML.

Builds its own data in a temporary SQLite database (registry, seed_demo), then measures, best of three:
  - end to end: request (validation, every article's figures and blocks) + data + HTML + WeasyPrint
    (the photo read from storage by the allow-list fetcher) + saving the file and the web version;
  - WeasyPrint alone on the same final HTML, with the same fetcher (layout + write_pdf);
and prints the ratio, the pages and the PDF size. Targets: < 3 s, ratio <= 1.3, < 1 MB.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import build_demo, demo_sqlite_setup  # noqa: E402

WORK = demo_sqlite_setup()

from councils.models import User  # noqa: E402
from reports import documents, services  # noqa: E402
from reports.models import ReportJob  # noqa: E402
from reports.newsletters.models import Newsletter  # noqa: E402


def run_once(issue, user):
    ReportJob.objects.filter(kind="newsletter").delete()  # the next run is not deduplicated into this one
    t0 = time.perf_counter()
    job, _ = services.request_job(kind="newsletter", params={"newsletter": str(issue.pk)}, user=user)
    job = services.start_attempt(job_id=job.pk, attempt=job.attempt + 1)
    timings = {}
    services.render_job(job=job, timings=timings)
    total = time.perf_counter() - t0
    job.refresh_from_db()
    html = timings.pop("html_source")
    t1 = time.perf_counter()
    alone = documents.render_pdf(html, title=job.title, fetcher=documents.asset_fetcher(council=job.council))
    weasy = time.perf_counter() - t1
    assert not alone.refused, alone.refused
    return job, total, weasy, timings


def main():
    t = time.perf_counter()
    build_demo()
    print(f"data built in {time.perf_counter() - t:.1f} s ({WORK})")
    issue = Newsletter.objects.get(title="神奈川社保協ニュース", number=1)
    user = User.objects.get(username="kanagawa")
    run_once(issue, user)  # warm: fonts, templates, caches
    runs = [run_once(issue, user) for _ in range(3)]
    job, total, _, timings = min(runs, key=lambda r: r[1])
    weasy = min(r[2] for r in runs)
    print(f"newsletter: {job.title}, {issue.articles.count()} articles, {job.page_count} pages")
    print("phases (best run): " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    print(f"end to end:          {total:.2f} s   (target < 3 s)")
    print(f"WeasyPrint alone:    {weasy:.2f} s   (same final HTML and fetcher)")
    print(f"ratio:               {total / weasy:.2f}    (target <= 1.3)")
    print(f"PDF size:            {job.file_size / 1024:.0f} KB  (target < 1 MB)")
    checks = [
        (f"newsletter end to end {total:.2f} s (target < 3 s)", total < 3),
        (f"newsletter against WeasyPrint alone {total / weasy:.2f}x (target <= 1.3)", total / weasy <= 1.3),
        (f"newsletter PDF {job.file_size / 1024:.0f} KB (target < 1 MB)", job.file_size < 1024 * 1024),
    ]
    for text, ok in checks:
        print(f"SUMMARY {text}: {'PASS' if ok else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

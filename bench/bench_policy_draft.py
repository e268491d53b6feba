"""Benchmark: the 第64回 policy draft (about 40 pages, every appendix) from a full demo database.

Builds its own data in a temporary SQLite database (registry, seed_demo: 466 councils, petitions
and their ledger, the meeting), lengthens the meeting with the seed draft's own text to about 40
pages, then measures in the same run:
  - end to end: request (validation, placeholders) + data + HTML + WeasyPrint + saving the file;
  - WeasyPrint alone on the same final HTML (layout + write_pdf, with the same PDF options: tagged PDF/A-2u);
  - what tagging and PDF/A cost: layout + write of the same HTML untagged, tagged (PDF/UA-1), tagged PDF/A-2u;
and prints the ratio and the PDF size. Targets: < 6 s, ratio <= 1.2, < 2 MB, tagging and PDF/A <= +20 %.
"""

import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import build_demo, demo_sqlite_setup  # noqa: E402

WORK = demo_sqlite_setup()

from reports import documents, services  # noqa: E402
from reports.models import Chapter, Meeting  # noqa: E402

TARGET_PAGES = 40
SEED = ROOT.parent / "shared" / "seeds" / "000_eb68dec02dc9e998.txt"


def seed_paragraphs():
    text = SEED.read_text(encoding="utf-8") if SEED.exists() else "社会保障の拡充を求める運動を広げます。" * 400
    paragraphs = [p.strip() for p in text.splitlines() if len(p.strip()) > 10 and "[" not in p and "<" not in p]
    body = "\n\n".join(paragraphs)
    for ch in documents.missing_glyphs(body):  # ⑴ and the like are not in IPAexGothic
        replacement = unicodedata.normalize("NFKC", ch)
        body = body.replace(ch, replacement if replacement != ch else "・")
    return body


def lengthen(meeting, *, extra_chapters):
    body = seed_paragraphs()
    start = meeting.chapters.count() + 1
    for i in range(extra_chapters):
        Chapter.objects.update_or_create(
            meeting=meeting, order=start + i, defaults={"title": f"資料{i + 1}（2020年度方針案の本文）", "body": body}
        )


def run_once():
    t0 = time.perf_counter()
    job, _ = services.request_job(kind="policy_draft", params={"meeting": "64"}, user=None)
    job = services.start_attempt(job_id=job.pk, attempt=job.attempt + 1)
    timings = {}
    services.render_job(job=job, timings=timings)
    total = time.perf_counter() - t0
    job.refresh_from_db()
    html = timings.pop("html_source")
    (WORK / "policy_draft.html").write_text(html, encoding="utf-8")
    t1 = time.perf_counter()
    alone = documents.render_pdf(html, title=job.title, archival=True)
    weasy = time.perf_counter() - t1
    job.delete()  # the next run is not deduplicated into this one
    return job, total, weasy, timings, alone


PDF_OUTPUTS = {
    "untagged": {},
    "tagged (PDF/UA-1)": documents.pdf_options(archival=False),
    "tagged PDF/A-2u": documents.pdf_options(archival=True),
}


def pdf_output_costs(html, *, runs=3):
    """Best CPU seconds of layout and of write_pdf of `html` for each PDF output, a fresh layout each time.

    CPU time of this process, not wall time: the machine is shared, and the variants differ by a fraction of
    the whole, less than what a neighbour's load moves a wall clock by."""
    best = {}
    for _ in range(runs):
        for name, options in PDF_OUTPUTS.items():
            t = time.process_time()
            document = documents.layout(html)
            laid = time.process_time()
            document.write_pdf(**options)
            written = time.process_time()
            layout_s, write_s = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(layout_s, laid - t), min(write_s, written - laid))
    return best


def main():
    t = time.perf_counter()
    build_demo()
    meeting = Meeting.objects.get(number=64)
    print(f"data built in {time.perf_counter() - t:.1f} s ({WORK})")
    extra = 0
    job, *_ = run_once()
    while job.page_count < TARGET_PAGES and extra < 10:
        extra += 1
        lengthen(meeting, extra_chapters=extra)
        job, *_ = run_once()
    # Best of three for each measure (the machine is shared): end to end and WeasyPrint alone alternate.
    runs = [run_once() for _ in range(3)]
    job, total, _, timings, alone = min(runs, key=lambda r: r[1])
    weasy = min(r[2] for r in runs)
    print(f"policy draft: {job.page_count} pages, {meeting.chapters.count()} chapters + appendices")
    print("phases (best run): " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    print(f"end to end:          {total:.2f} s   (target < 6 s)")
    print(f"WeasyPrint alone:    {weasy:.2f} s   (same final HTML, {alone.page_count} pages)")
    print(f"ratio:               {total / weasy:.2f}    (target <= 1.2)")
    print(f"PDF size:            {job.file_size / 1024 / 1024:.2f} MB  (target < 2 MB)")
    costs = pdf_output_costs((WORK / "policy_draft.html").read_text(encoding="utf-8"))  # the last run's HTML
    plain = sum(costs["untagged"])
    print("PDF output (CPU s, best of 3, layout + write):")
    for name, (layout_s, write_s) in costs.items():
        whole = layout_s + write_s
        print(f"  {name + ':':<20}{layout_s:.2f} + {write_s:.2f} = {whole:.2f} s  ({(whole / plain - 1) * 100:+.0f} %)")
    archive_cost = sum(costs["tagged PDF/A-2u"]) / plain - 1
    print(f"tagging and PDF/A:   {archive_cost * 100:+.0f} %  (target <= +20 %)")
    ok = total < 6 and total / weasy <= 1.2 and job.file_size < 2 * 1024 * 1024 and archive_cost <= 0.2
    print("OK" if ok else "OVER TARGET")
    return 0


if __name__ == "__main__":
    sys.exit(main())

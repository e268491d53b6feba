"""The worst tally file the upload limits accept: how long its preview takes (issue 7, "Uploads have limits").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_intake .venv/bin/python bench/bench_import_limits.py

The limits (settings.SHAHO_IMPORT_*, read by shaho.core.intake) bound what one upload
can cost. This script builds, for the limits in force, the worst files they accept:

- CSV: SHAHO_IMPORT_MAX_ROWS data rows, SHAHO_IMPORT_MAX_COLUMNS columns wide (the last
  column filled), as close to SHAHO_IMPORT_MAX_FILE_BYTES as the rows allow; every row
  valid, councils, counts, dates and notes varied, so nothing is memoised away;
- xlsx: the same rows as cells, with as many filler cells per row as keep the sheet's
  unpacked XML under SHAHO_IMPORT_MAX_UNPACKED_BYTES (the cost of parsing grows with it);

and measures `petitions.importing.tally_import_preview` (read, every row checked, what
the admin's 確認 does inside one web request) on each, next to a baseline in the same
run: reading the same bytes without checking anything (csv.reader / openpyxl's
read-only iter_rows). It also times the refusal of files past the limits (a zip bomb
declaring 4 GB, one row too many), which must cost next to nothing.

Both wall-clock and CPU seconds are printed: the machine is shared, and under load the
wall clock is two to three times the CPU time.

Why the defaults are 100,000 rows and 32 MB unpacked (not 200,000 rows): the row check
costs about 50 µs of CPU a row (building and validating each entry as the phone form
does), and openpyxl parses about 5 MB of sheet XML a CPU second, so 200,000 rows or
100 MB of XML alone take longer than 10 s. 100,000 rows is the largest file the import
is benchmarked for (bench_import.py); 24 MB unpacked (about 66,000 rows of inline-string
cells) keeps the worst xlsx under 10 s.

Targets: the worst accepted file previews in ≤ 10 s on this machine; and the whole
budget stays below the web worker's timeout: SHAHO_IMPORT_MAX_SECONDS (45 s) <
gunicorn --timeout (GUNICORN_TIMEOUT, 60 s), so a file slower than the measured worst
case (a loaded machine) is stopped by the intake's deadline with a message, never by
gunicorn killing the worker.
"""

import argparse
import datetime
import io
import os
import random
import struct
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaho.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_intake")

from bench_import import PERIOD, bench_user, federation, new_petition, prepare_database, setup_django

TARGET_SECONDS = 10.0
GUNICORN_TIMEOUT = float(os.environ.get("GUNICORN_TIMEOUT", 60))
HEADERS = ["社保協", "団体", "種別", "筆数", "日付", "備考"]


def _values(names, rows, seed=11):
    rng = random.Random(seed)
    days = (PERIOD[1] - PERIOD[0]).days
    for i in range(rows):
        yield [
            rng.choice(names),
            "",
            rng.choice(["個人", "WEB", "個人署名", ""]),
            rng.randint(1, 500),
            (PERIOD[0] + datetime.timedelta(days=rng.randrange(days))).isoformat(),
            f"宣伝{i}",
        ]


def worst_csv(names, limits):
    """(bytes, filler cells per row): max rows, max columns, as large as the size limit allows."""
    extra = limits.max_columns - len(HEADERS)
    header = ",".join(HEADERS + [f"列{n}" for n in range(extra)])
    rows = list(_values(names, limits.max_rows))
    base = sum(len(",".join(map(str, r)).encode()) for r in rows) + len(header.encode()) + 2 * (len(rows) + 1)
    # Each filler column costs its comma; the rest of the budget goes into one-byte cells.
    budget = limits.max_file_bytes - 1024 - base - extra * (len(rows) + 1)
    filled = max(1, min(extra, budget // len(rows)))
    filler = "," * (extra - filled) + ",x" * filled
    lines = [header] + [",".join(map(str, r)) + filler for r in rows]
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    assert len(data) <= limits.max_file_bytes, len(data)
    return data, filled


def _column(n):
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref, value):
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def worst_xlsx(names, limits):
    """(bytes, cells per row): max rows, the last column filled, filler cells up to the unpacked limit."""
    last = _column(limits.max_columns)
    first = next(iter(_values(names, 1)))
    sample = "".join(_cell(f"{_column(i + 1)}{limits.max_rows}", v) for i, v in enumerate(first))
    row_cost = len(f'<row r="{limits.max_rows}">{sample}</row>'.encode())
    # Under the unpacked limit an xlsx may hold fewer rows than the row limit: the worst file is then
    # as many rows as fit, each as cheap as a row can be.
    fit = (limits.max_unpacked_bytes - 64 * 1024) // (row_cost + len(f'<c r="{last}{limits.max_rows}"><v>1</v></c>'))
    rows = list(_values(names, min(limits.max_rows, fit)))
    filler_cost = len(_cell(f"AA{limits.max_rows}", 1))
    budget = (limits.max_unpacked_bytes - 64 * 1024) // (len(rows) + 1) - row_cost - filler_cost
    fillers = max(0, min(limits.max_columns - len(HEADERS) - 1, budget // filler_cost))
    filler_columns = [_column(len(HEADERS) + 1 + i) for i in range(fillers)]
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n']
    parts.append('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    header = HEADERS + ["x"] * fillers
    parts.append('<row r="1">' + "".join(_cell(f"{_column(i + 1)}1", v) for i, v in enumerate(header)) + "</row>")
    for number, values in enumerate(rows, start=2):
        cells = [_cell(f"{_column(i + 1)}{number}", v) for i, v in enumerate(values) if v != ""]
        cells += [f'<c r="{c}{number}"><v>1</v></c>' for c in filler_columns]
        cells.append(f'<c r="{last}{number}"><v>1</v></c>')
        parts.append(f'<row r="{number}">' + "".join(cells) + "</row>")
    parts.append("</sheetData></worksheet>")
    sheet = "".join(parts).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    data = buffer.getvalue()
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert unpacked <= limits.max_unpacked_bytes, unpacked
    return data, len(HEADERS) + fillers + 1


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="集約" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def one_row_too_many(names, limits):
    lines = ["社保協,筆数,日付"] + [f"{names[i % len(names)]},1,2025-04-02" for i in range(limits.max_rows + 1)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def raw_read(data):
    """The baseline: the same bytes read without any checking."""
    import csv

    if data[:4] == b"PK\x03\x04":
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        n = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
        return n
    return sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def bomb(declared):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/worksheets/sheet1.xml", b"<x/>")
    data = bytearray(buffer.getvalue())
    struct.pack_into("<I", data, data.rfind(b"PK\x01\x02") + 24, declared)
    return bytes(data)


def timed(function):
    """(wall seconds, result); the CPU seconds of the last call are in timed.cpu (the machine is shared)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function()
    timed.cpu = time.process_time() - cpu
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each preview, best reported")
    parser.add_argument("--only", choices=["csv", "xlsx"], help="measure one of the two files")
    args = parser.parse_args()

    url = prepare_database()
    setup_django()
    from django.db import connection

    from petitions.importing import tally_import_preview
    from shaho.core.intake import Limits

    limits = Limits.from_settings()
    national, names = federation()
    user = bench_user()
    petition = new_petition(national, "limits")
    print(f"database: {connection.vendor} {url.rsplit('@', 1)[-1]}; load {os.getloadavg()}")
    print(
        f"limits: {limits.max_rows:,} rows, {limits.max_columns} columns, file {limits.max_file_bytes / 2**20:.0f} MB, "
        f"xlsx unpacked {limits.max_unpacked_bytes / 2**20:.0f} MB, ratio {limits.max_ratio}, "
        f"budget {limits.max_seconds:g} s; gunicorn --timeout {GUNICORN_TIMEOUT:g} s"
    )
    results = {}
    try:
        for label, build in (("CSV", worst_csv), ("xlsx", worst_xlsx)):
            if args.only and args.only != label.lower():
                continue
            seconds, (data, width) = timed(lambda build=build: build(names, limits))
            print(f"{label}: built {len(data) / 2**20:.1f} MB ({width} cells filled per row) in {seconds:.1f} s")
            base_s, n = timed(lambda data=data: raw_read(data))
            base_cpu = timed.cpu
            # A CSV reaches the row limit; an xlsx may stop at the unpacked limit first (it then has fewer rows).
            assert n >= limits.max_rows or label == "xlsx", n
            print(f"  {n - 1:,} data rows")
            times, cpus = [], []
            for _ in range(args.repeat):
                s, preview = timed(
                    lambda data=data, label=label: tally_import_preview(
                        petition=petition, data=data, filename=f"worst.{label.lower()}", user=user
                    )
                )
                assert preview.ok and len(preview.rows) == min(n - 1, limits.max_rows), preview.error_lines(limit=5)
                times.append(s)
                cpus.append(timed.cpu)
            results[label] = min(times)
            if label == "CSV":
                # The commit (the 取り込む button) re-reads, re-checks and writes every row, in the same request.
                from petitions.importing import tally_import_commit
                from petitions.models import TallyEntry

                commit_s, batch = timed(
                    lambda data=data: tally_import_commit(petition=petition, data=data, filename="worst.csv", user=user)
                )
                commit_cpu = timed.cpu
                assert TallyEntry.objects.filter(import_batch=batch).count() == limits.max_rows
            print(
                f"  preview {', '.join(f'{t:.2f}' for t in times)} s wall (best {min(times):.2f} s), "
                f"{min(cpus):.2f} s CPU; baseline raw read {base_s:.2f} s wall, {base_cpu:.2f} s CPU; "
                f"ratio {min(times) / base_s:.1f}x"
            )
            if label == "CSV":
                print(f"  commit {commit_s:.2f} s wall, {commit_cpu:.2f} s CPU (read, check, COPY every row)")
        for label, data in (
            ("zip bomb declaring 4 GB", bomb(2**32 - 1)),
            ("one row past the limit", one_row_too_many(names, limits)),
        ):
            s, preview = timed(
                lambda data=data: tally_import_preview(
                    petition=petition, data=data, filename="x.xlsx" if data[:2] == b"PK" else "x.csv", user=user
                )
            )
            assert not preview.ok and preview.general_errors, label
            print(f"refused, {label}: {s * 1000:.0f} ms — {preview.general_errors[0].message[:60]}…")
    finally:
        from petitions.models import ImportBatch, TallyEntry

        TallyEntry.objects.filter(petition=petition)._raw_delete(TallyEntry.objects.db)
        ImportBatch.objects.filter(petition=petition).delete()
        petition.rounds.all().delete()
        petition.delete()
    print(f"load after: {os.getloadavg()}")
    worst = max(results.values())
    ok = worst <= TARGET_SECONDS
    print(
        f"SUMMARY worst accepted file previews in {worst:.2f} s (target ≤ {TARGET_SECONDS:g} s): "
        + ("PASS" if ok else "FAIL")
    )
    print(
        f"SUMMARY budget {limits.max_seconds:g} s < gunicorn timeout {GUNICORN_TIMEOUT:g} s: "
        + ("PASS" if limits.max_seconds < GUNICORN_TIMEOUT else "FAIL")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

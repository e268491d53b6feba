"""Cells the system writes into CSV and xlsx files, made safe to open in a spreadsheet.

Every exporter (tally tables, import templates, import outcome files, and what later
apps add) writes its cells through `safe_cell`: a text cell that a spreadsheet would
run as a formula — one beginning with `=`, `+`, `-`, `@`, a tab or a carriage return
(OWASP "CSV Injection") — is prefixed with `'`, so Excel and LibreOffice show it as
the text it is. Numbers, dates and booleans stay what they are, so totals still add up.

`csv_bytes` and `xlsx_bytes` are the two writers built on it; an exporter that needs
more (tablib, styled sheets) calls `safe_row` on every row it appends.
"""

import csv
import datetime
import io
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODINGS = {"utf-8": "utf-8-sig", "cp932": "cp932"}  # UTF-8 with a BOM, so Excel reads it


def safe_cell(value):
    """`value` as a spreadsheet cell that runs nothing: text starting like a formula gets a leading `'`.

    int, float, Decimal, date, datetime, bool and None are returned unchanged; anything
    else is turned into text first (a lazy translation, a model instance).
    """
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date | datetime.time):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values):
    return [safe_cell(v) for v in values]


def csv_bytes(rows, *, encoding="utf-8"):
    """CSV bytes of `rows` (header first), every cell through `safe_cell`; CRLF line ends as Excel writes.

    UTF-8 with a BOM by default, or CP932 for older Excel (a character CP932 lacks shows as "?").
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(safe_row(row))
    return encode_csv(buffer.getvalue(), encoding)


def encode_csv(text, encoding="utf-8"):
    """CSV text as bytes: 'utf-8' (with a BOM) or 'cp932' (a character CP932 lacks shows as "?")."""
    if encoding not in CSV_ENCODINGS:
        raise ValueError(f"encoding must be one of {sorted(CSV_ENCODINGS)}")
    return text.encode(CSV_ENCODINGS[encoding], errors="replace" if encoding == "cp932" else "strict")


def xlsx_bytes(sheets, *, bold_header=True):
    """xlsx bytes of `sheets`: [(title, rows, {column letter: width})], every cell through `safe_cell`.

    Cells are written as values, never as formulas: openpyxl would store a text cell
    starting with `=` as a formula, which `safe_cell` has already prefixed.
    """
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows, widths in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            values = safe_row(row)
            sheet.append(values)
            for column, value in enumerate(values, start=1):
                if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                    sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy/m/d"
        if bold_header and sheet.max_row >= 1:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
        for letter, width in (widths or {}).items():
            sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def attachment_header(file_name, fallback):
    """Content-Disposition for an export: the one helper of shaho.core.downloads."""
    from .downloads import attachment_header as header

    return header(file_name, ascii_fallback=fallback)

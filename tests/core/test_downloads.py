"""`file_response`: every download the project hands out, built once."""

import io

import pytest

from shaho.core.downloads import XLSX, file_response


def test_an_xlsx_with_a_japanese_name():
    response = file_response(b"PK...", filename="行動一覧_20231101-20231130.xlsx", ascii_fallback="actions.xlsx")
    assert response["Content-Type"] == XLSX == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        'attachment; filename="actions.xlsx"; '
        "filename*=utf-8''%E8%A1%8C%E5%8B%95%E4%B8%80%E8%A6%A7_20231101-20231130.xlsx"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b"PK..."


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("集約一覧表.csv", "text/csv; charset=utf-8"),
        ("報告書.pdf", "application/pdf"),
        ("calendar.ics", "text/calendar; charset=utf-8"),
        ("名簿.XLSX", XLSX),
        ("謎.bin", "application/octet-stream"),
    ],
)
def test_the_kind_comes_from_the_name(filename, content_type):
    assert file_response(b"x", filename=filename)["Content-Type"] == content_type


def test_an_ascii_name_needs_no_fallback_and_a_missing_fallback_is_safe():
    assert file_response(b"x", filename="calendar.ics")["Content-Disposition"] == 'attachment; filename="calendar.ics"'
    header = file_response(b"x", filename="名簿.csv")["Content-Disposition"]
    assert header.startswith("attachment; filename=\"download.csv\"; filename*=utf-8''")


def test_a_content_type_given_wins_and_a_file_is_streamed():
    response = file_response(b"x", filename="集約一覧表.csv", content_type="text/csv; charset=shift_jis")
    assert response["Content-Type"] == "text/csv; charset=shift_jis"
    streamed = file_response(io.BytesIO(b"%PDF-1.7"), filename="報告書.pdf", ascii_fallback="report.pdf")
    assert streamed.streaming and b"".join(streamed.streaming_content) == b"%PDF-1.7"
    assert streamed["Content-Disposition"].startswith('attachment; filename="report.pdf"; filename*=')
    assert streamed["Content-Type"] == "application/pdf"

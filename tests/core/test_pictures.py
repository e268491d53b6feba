"""A picture on a page and in a PDF (templates/_picture.html, shaho/core/pictures.py): the include shows
the SVG, the credit and every number of the table; the downloads neutralise formulas; the same include
in a WeasyPrint document prints the chart's labels, its colours from the classes, and the table."""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from reports import documents
from shaho.core import charts
from shaho.core.pictures import LazyRows, Picture, Table, table_response

D = datetime.date
START, END = D(2026, 4, 1), D(2027, 3, 31)


def progress_picture(**overrides):
    series = [
        charts.Series("2026年度", [(D(2026, 4, 1), 0), (D(2026, 6, 1), 12_000), (D(2026, 9, 15), 31_000)]),
        charts.Series("2025年度", [(D(2026, 4, 1), 0), (D(2026, 12, 1), 45_000), (D(2027, 3, 31), 52_000)], "last"),
    ]
    svg = charts.line_chart(
        series,
        start=START,
        end=END,
        goal=50_000,
        marks=[charts.Mark(D(2026, 8, 31), "第1次締切")],
        title="25条署名の累計",
    )
    fields = {
        "key": "petitions.progress",
        "title": "25条署名 累計の推移",
        "svg": svg,
        "table": Table(
            ["日付", "2026年度（筆）", "2025年度（筆）"],
            [[D(2026, 6, 1), 12_000, None], [D(2026, 9, 15), 31_000, 1_234_567], ['=HYPERLINK("http://x")', 7.5, 0]],
        ),
        "link": "/petitions/25jo/",
        "credit": "出典：集約一覧表",
        "note": "前年度は同じ日付に置き換えて表示",
        "download": "/petitions/25jo/progress/",
    }
    fields.update(overrides)
    return Picture(**fields)


def render(picture):
    return render_to_string("_picture.html", {"picture": picture})


# --- the include on a page ------------------------------------------------------------------


def test_the_include_shows_title_link_svg_note_credit_and_downloads():
    html = render(progress_picture())
    assert '<figure class="picture" id="picture-petitions.progress">' in html
    assert '<a href="/petitions/25jo/">25条署名 累計の推移</a>' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-line"' in html  # inline, not escaped
    assert "前年度は同じ日付に置き換えて表示" in html
    assert "<small>出典：集約一覧表</small>" in html
    assert '<a href="/petitions/25jo/progress/?format=xlsx" download>Excel（xlsx）</a>' in html
    assert '<a href="/petitions/25jo/progress/?format=csv" download>CSV</a>' in html
    assert "<summary>表で見る</summary>" in html
    assert "style=" not in html and "<style" not in html and "<script" not in html


def test_the_include_tables_every_number_right_aligned_with_thousands_separators():
    html = render(progress_picture())
    cells = re.findall(r"<td( class=\"num\")?>([^<]*)</td>", html)
    assert cells == [
        ("", "2026年6月1日"),
        (' class="num"', "12,000"),
        ("", "—"),
        ("", "2026年9月15日"),
        (' class="num"', "31,000"),
        (' class="num"', "1,234,567"),
        ("", "=HYPERLINK(&quot;http://x&quot;)"),
        (' class="num"', "7.5"),
        (' class="num"', "0"),
    ]
    assert re.findall(r"<th scope=\"col\">([^<]*)</th>", html) == ["日付", "2026年度（筆）", "2025年度（筆）"]


def test_the_include_leaves_out_what_is_not_set():
    html = render(progress_picture(link="", credit="", note="", download=""))
    assert "<a href" not in html.split("<svg")[0]  # the title is not a link
    assert "picture-credit" not in html and "picture-note" not in html and "format=" not in html


def test_a_plain_string_svg_is_escaped_not_trusted():
    html = render(progress_picture(svg='<svg onload="alert(1)"></svg>'))
    assert "<svg onload" not in html and "&lt;svg onload" in html


def test_a_download_url_with_a_query_gets_the_format_added():
    html = render(progress_picture(download="/dash/pictures/?key=a"))
    assert 'href="/dash/pictures/?key=a&amp;format=csv"' in html


# --- downloads ---------------------------------------------------------------------------------


def test_csv_download_writes_a_formula_in_a_label_as_text():
    response = table_response(progress_picture(), fmt="csv", filename="累計の推移")
    assert response["Content-Type"].startswith("text/csv")
    assert "filename*=utf-8''%E7%B4%AF%E8%A8%88%E3%81%AE%E6%8E%A8%E7%A7%BB.csv" in response["Content-Disposition"]
    assert 'filename="petitions_progress.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["日付", "2026年度（筆）", "2025年度（筆）"]
    assert rows[2] == ["2026-09-15", "31000", "1234567"]
    assert rows[3][0] == '\'=HYPERLINK("http://x")'


def test_xlsx_download_keeps_numbers_and_writes_no_formula():
    response = table_response(progress_picture(), fmt="xlsx", filename="累計の推移.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "25条署名 累計の推移"
    assert sheet["B3"].value == 31_000 and sheet["C3"].value == 1_234_567
    formula_cell = sheet["A4"]
    assert formula_cell.data_type == "s" and formula_cell.value == '\'=HYPERLINK("http://x")'


def test_an_unknown_download_format_is_refused():
    with pytest.raises(ValueError):
        table_response(progress_picture(), fmt="html", filename="x")


# --- the same include in a PDF -------------------------------------------------------------------


def rgb(hex_colour):
    """'#08519c' as WeasyPrint writes it in a content stream: '0.031373 0.317647 0.611765'."""
    return " ".join(f"{int(hex_colour[i : i + 2], 16) / 255:.6f}".rstrip("0").rstrip(".") for i in (1, 3, 5))


def test_a_document_prints_the_chart_labels_colours_and_table():
    html = f'<!DOCTYPE html><html lang="ja"><body><h1>活動報告</h1>{render(progress_picture())}</body></html>'
    rendered = documents.render_pdf(html)
    assert rendered.refused == []  # an inline SVG fetches nothing
    (page,) = PdfReader(io.BytesIO(rendered.content)).pages
    text = page.extract_text()
    for label in ("25条署名の累計", "目標 50,000筆", "第1次締切", "4月", "3月", "20,000", "31,000筆", "52,000筆"):
        assert label in text, label
    # the table prints below the picture (WeasyPrint lays <details> out open), its toggle and links do not
    for number in ("1,234,567", "2026年9月15日", "出典：集約一覧表"):
        assert number in text, number
    assert "表で見る" not in text and "Excel" not in text
    # the classes got their colours from document.css: this year's line #08519c, the goal #a63603
    stream = page.get_contents().get_data().decode("latin1")
    strokes = set(re.findall(r"([0-9.]+ [0-9.]+ [0-9.]+) RG", stream))
    assert rgb("#08519c") in strokes and rgb("#a63603") in strokes and rgb("#6baed6") in strokes


def test_the_page_and_the_document_share_one_svg():
    picture = progress_picture()
    page = render(picture)
    assert str(picture.svg) in page
    printed = charts.for_print(page)
    assert str(picture.svg).split("<title>")[0] in printed  # the same opening tag, the style follows it
    ET.fromstring(str(picture.svg))


def test_a_table_prints_rates_with_one_decimal_evenly_and_counts_with_separators():
    from shaho.core.templatetags.pictures import cell

    assert cell(24.0) == "24.0"
    assert cell(22.66) == "22.7"
    assert cell(1741) == "1,741"
    assert cell(None) == "—"


def test_lazy_rows_count_without_building_and_build_once_when_read():
    """A long table's rows (LazyRows) are built when first read, once; its length is known before."""
    built = []

    def build():
        built.append(1)
        return [["横浜市", 1], ["川崎市", 2]]

    rows = LazyRows(2, build)
    picture = Picture(key="k", title="地図", svg="", table=Table(["市区町村", "数"], rows), download="/d/")
    assert len(picture.table.rows) == 2 and not rows.built and built == []
    assert picture.table.as_rows() == [["市区町村", "数"], ["横浜市", 1], ["川崎市", 2]]
    assert rows[-1] == ["川崎市", 2] and rows == [["横浜市", 1], ["川崎市", 2]] and built == [1]
    csv_text = table_response(picture, fmt="csv", filename="x").content.decode("utf-8-sig")
    assert "川崎市,2" in csv_text and built == [1]
    with pytest.raises(ValueError, match="announced 3"):
        list(LazyRows(3, build))

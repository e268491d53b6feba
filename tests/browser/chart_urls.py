"""A test-only page that shows one picture of each chart kind (tests/browser/test_charts.py).

Used through `@pytest.mark.urls("tests.browser.chart_urls")`; the project's own URLs stay
reachable (base.html links to the login and the public pages).
"""

import datetime

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from shaho.core import charts
from shaho.core.pictures import Picture, Table
from shaho.urls import urlpatterns as project_urlpatterns

D = datetime.date
PAGE = """{% extends "base.html" %}{% block content %}<h1>図の見本</h1>
{% for p in pictures %}{% include "_picture.html" with picture=p %}{% endfor %}{% endblock %}"""

PREFECTURES = ["北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県"]


def pictures():
    start, end = D(2026, 4, 1), D(2027, 3, 31)
    this = [(D(2026, 4, 1), 0), (D(2026, 6, 1), 120_000), (D(2026, 9, 15), 310_000)]
    last = [(D(2026, 4, 1), 0), (D(2026, 12, 1), 450_000), (D(2027, 3, 31), 520_000)]
    table = Table(["項目", "値"], [["合計", 1_234_567]])
    return [
        Picture(
            key="bars",
            title="目標に対する達成率",
            svg=charts.bar_chart(
                [charts.Bar(p, 30 + 12 * i, f"{30 + 12 * i}%", href="/") for i, p in enumerate(PREFECTURES)],
                maximum=120,
                target=100,
                title="達成率（%）",
            ),
            table=table,
            download="/",
        ),
        Picture(
            key="line",
            title="累計の推移",
            svg=charts.line_chart(
                [charts.Series("2026年度", this), charts.Series("2025年度", last, kind="last")],
                start=start,
                end=end,
                goal=500_000,
                marks=[charts.Mark(D(2026, 8, 31), "第1次締切")],
                title="25条署名の累計",
            ),
            table=table,
            link="/",
        ),
        Picture(
            key="paired",
            title="学習会",
            svg=charts.paired_bar_chart([charts.Pair(p, 10 + i, 8 + i) for i, p in enumerate(PREFECTURES)], unit="回"),
            table=table,
        ),
        Picture(
            key="stacked",
            title="カバー率",
            svg=charts.stacked_bar(
                [charts.Segment("あり", 820), charts.Segment("準備中", 120), charts.Segment("なし", 801)]
            ),
            table=table,
            credit="出典：見本",
        ),
        Picture(
            key="small",
            title="都道府県別",
            svg=charts.small_multiples([charts.Small(p, [0, i, 2 * i], goal=20) for i, p in enumerate(PREFECTURES)]),
            table=table,
        ),
    ]


def picture_page(request):
    return HttpResponse(engines["django"].from_string(PAGE).render({"pictures": pictures()}, request))


urlpatterns = [path("_test/pictures/", picture_page, name="test_pictures"), *project_urlpatterns]

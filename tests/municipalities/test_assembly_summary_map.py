"""The assembly summary shows the adoption map (issue 17): all Japan for national staff, the prefecture for
its staff, with the MLIT credit and the numbers; nothing of another prefecture in a Kanagawa summary.

From the demo's 国保 campaign (seed 004: 112 municipalities in 18 prefectures, 111 意見書; Kanagawa 7,
Tokyo 8 — the first by code), rendered through the real report service and read back with pypdf.
"""

import datetime

import pytest
from pypdf import PdfReader

from demo import assemblies as demo
from municipalities.assemblies.report_kinds import summary_picture
from municipalities.assemblies.selectors import assembly_count
from municipalities.registry.maps import CREDIT
from reports import services as report_services

pytestmark = pytest.mark.django_db
D = datetime.date
TOKYO_ONLY = ("千代田区", "東京都", "渋谷区")


@pytest.fixture
def kokuho(national, kanagawa, tokyo):
    campaigns = demo._campaigns(national)
    demo._kokuho(campaigns[demo.KOKUHO])
    demo._shibuya(campaigns[demo.HOKENSHO])
    return campaigns[demo.KOKUHO]


def _text(job):
    assert job.status == "done", job.error
    return (
        "".join(page.extract_text() for page in PdfReader(job.file.open("rb")).pages).replace("\n", "").replace(" ", "")
    )


def test_the_national_summary_prints_the_adoption_map_of_japan(national_staff, kokuho, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = report_services.run_now(kind="assembly_summary", params={"campaign": kokuho.slug}, user=national_staff)
    text = _text(job)
    assert CREDIT in text
    assert "採択112市区町村（18都道府県）・意見書111本" in text
    assert "未提出" in text and "継続・審議中" in text  # the legend
    # The numbers table: one row per municipality with a petition (Hokkaido's first by code, Tokyo's first).
    assert "北海道011002札幌市採択110" in text and "東京都131016千代田区採択11" in text


def test_a_kanagawa_summary_maps_kanagawa_only(kanagawa_staff, kokuho, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = report_services.run_now(kind="assembly_summary", params={"campaign": kokuho.slug}, user=kanagawa_staff)
    text = _text(job)
    assert CREDIT in text and "神奈川県" in text
    assert "神奈川県国保意見書運動採択7市区町村・意見書7本" in text
    for name in (*TOKYO_ONLY, "北海道", "札幌市"):
        assert name not in text, name
    picture = summary_picture(campaign=kokuho, start=None, end=None, user=kanagawa_staff)
    assert {row[0] for row in picture.table.rows} == {"神奈川県"} and len(picture.table.rows) == 7
    for name in TOKYO_ONLY:
        assert name not in picture.svg, name


def test_the_maps_period_is_the_summarys(national_staff, kokuho):
    start, end = D(2024, 9, 1), D(2024, 12, 31)  # the September and December 2024 sittings only
    count = assembly_count(campaign=kokuho, start=start, end=end)
    picture = summary_picture(campaign=kokuho, start=start, end=end, user=national_staff)
    adopted = [row for row in picture.table.rows if row[3] == "採択"]
    assert 0 < len(adopted) == count.municipalities < 112
    assert f"採択 {count.municipalities:,}市区町村" in picture.title

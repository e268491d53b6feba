"""The 資料集 shows its prefecture's answer map (issue 17): the credit, the legend, the numbers, its prefecture only.

From the demo caravans (seeds 001/003: Kanagawa's 33 municipalities answered and were visited in 2023;
seed 002: 16 Tokyo municipalities answered the 資格確認書 questionnaire, no visits), rendered through the
real report service and read back with pypdf.
"""

import pytest
from pypdf import PdfReader

from councils.models import Council, CouncilKind, User
from municipalities.caravans import selectors
from municipalities.caravans.report_kinds import answer_picture
from municipalities.models import Questionnaire
from municipalities.registry.maps import CREDIT
from reports import services as report_services
from tests.councils.factories import staff_of

TOKYO_ONLY = ("御蔵島村", "八丈町", "練馬区", "東京都")


@pytest.fixture
def demo(demo_caravans, db):
    return demo_caravans


def _council(code):
    return Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code=code)


def _pdf_text(job):
    job.file.open("rb")
    return "".join(page.extract_text() for page in PdfReader(job.file).pages).replace("\n", "").replace(" ", "")


def test_kanagawas_compilation_prints_its_answer_map_with_the_credit_and_the_table(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = report_services.run_now(
        kind="caravan_compilation",
        params={"prefecture": "14", "year": "2023"},
        user=User.objects.get(username="kanagawa"),
    )
    assert job.status == "done", job.error
    text = _pdf_text(job)
    assert "回答の状況" in text and CREDIT in text
    assert "神奈川県の回答33／33市区町村・懇談33" in text
    assert "回答・懇談済" in text  # the legend and the table's status column
    # 都道府県, the same on every row of a one-prefecture table, is left out; the status stays.
    assert "141305川崎市回答・懇談済" in text and "144029清川村回答・懇談済" in text and "神奈川県141305" not in text
    # The sections' tables still follow the map.
    assert text.index("回答の状況") < text.rindex("1.国保")
    for name in TOKYO_ONLY:
        assert name not in text, name


def test_a_kanagawa_answer_maps_data_has_no_tokyo_municipality(demo):
    questionnaire = Questionnaire.objects.get(council=_council("14"), fiscal_year=2023)
    picture = answer_picture(questionnaire=questionnaire, caravan=questionnaire.caravans.get())
    assert {row[0] for row in picture.table.rows} == {"神奈川県"} and len(picture.table.rows) == 33
    for name in TOKYO_ONLY:
        assert name not in picture.svg, name
    assert 'class="map-c0"' in picture.svg  # drawn in the legend's first class, not black


def test_tokyos_compilation_shows_16_answered_and_the_others_waiting(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    questionnaire = Questionnaire.objects.get(council=_council("13"), fiscal_year=2024)
    rows = selectors.compilation_map(questionnaire=questionnaire, caravan=questionnaire.caravans.get())
    plain = [r for r in rows if not r.is_ward]
    assert sum(1 for r in plain if r.status == selectors.CaravanStatus.ANSWERED) == 16
    assert {r.status for r in plain} == {selectors.CaravanStatus.ANSWERED, selectors.CaravanStatus.NEITHER}
    job = report_services.run_now(
        kind="caravan_compilation", params={"prefecture": "13", "year": "2024"}, user=staff_of(_council("13"))
    )
    assert job.status == "done", job.error
    text = _pdf_text(job)
    assert f"東京都の回答16／{len(plain)}市区町村" in text and "懇談" not in text.split("回答の状況")[2][:40]
    assert "133825御蔵島村回答のみ" in text and CREDIT in text

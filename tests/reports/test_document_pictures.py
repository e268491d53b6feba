"""The documents carry the same pictures as the pages (issue 17): maps with the MLIT credit and their numbers.

Rendered through the real report service (`run_now`: WeasyPrint, the allow-list fetcher) from real rows;
the PDF's text (pypdf) holds the credit line, the map's legend and title and the numbers table under it.
A Kanagawa report's pictures hold no Tokyo-only figure.
"""

import datetime
import io

import pytest
from pypdf import PdfReader

from municipalities.registry.maps import CREDIT
from reports.models import JobStatus
from reports.services import run_now
from tests.councils.factories import staff_of

from . import factories

D = datetime.date


def pdf_text(job):
    with job.file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


@pytest.fixture
def councils(db):
    return factories.federation()


@pytest.mark.django_db
def test_the_policy_drafts_activity_report_shows_the_coverage_map_and_the_progress_line(councils, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    petition = factories.petition_25jo(councils)
    factories.meeting(councils, petitions=[petition])

    job = run_now(kind="policy_draft", params={"meeting": "64"})

    assert job.status == JobStatus.DONE, job.error
    text = pdf_text(job)
    assert CREDIT in text
    # The coverage map: its title, its legend's bins, and its numbers table (神奈川県 1 of 33, 横浜市 only).
    assert "地域社保協のある市区町村全国" in text and "過半数を超えた都道府県0" in text
    assert "25%未満" in text and "75%以上" in text
    assert "神奈川県2336.1" in text  # 都道府県・地域社保協のある市区町村・市区町村数・割合（横浜市・川崎市）
    # The progress line: 18,000 筆 of 100,000 on 2020-09-01, and the month-end table under it.
    assert "25条署名の集約の推移（全国、2020年9月1日現在18,000筆、目標の18.0%）" in text
    assert "2020年1月12,345100,00012.3" in text and "2020年8月18,000100,00018" in text
    # Under the activity report, before the appendices; the title once (the table's caption is not printed).
    assert text.index("活動報告組織の現勢") < text.index("集約の推移") < text.index("付録\u3000集約一覧表社会保障")
    assert text.count("地域社保協のある市区町村全国0.2%") == 1


TOKYO_ONLY = ("渋谷社保協", "板橋準備会", "東京都", "渋谷区", "御蔵島村")


@pytest.mark.django_db
def test_a_kanagawa_prefecture_report_shows_its_municipality_map_and_nothing_of_tokyo(councils, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staff = staff_of(councils["kanagawa"])
    job = run_now(
        kind="prefecture_report", params={"prefecture": "14", "start": "2020-09-01", "end": "2020-11-30"}, user=staff
    )

    assert job.status == JobStatus.DONE, job.error
    text = pdf_text(job)
    assert CREDIT in text
    assert "神奈川県地域社保協のある市区町村6.1%（2/33、2020年11月30日現在）" in text
    assert "地域社保協あり" in text and "準備会あり" in text  # the legend
    # The numbers table: every municipality and ward, with the council that covers it; its 都道府県 column,
    # 神奈川県 on every row, is left out.
    assert "141003横浜市地域社保協あり横浜市社保協" in text and "神奈川県141003" not in text
    assert "141305川崎市地域社保協あり川崎市社保協" in text and "142069小田原市なし" in text
    # The period's work first; the map and its long table close the report.
    assert text.index("この期間の記録はありません") < text.index("地域社保協のある市区町村神奈川県")
    for name in TOKYO_ONLY:
        assert name not in text, name


@pytest.mark.django_db
def test_the_prefecture_reports_map_data_holds_only_its_prefecture(councils):
    from municipalities.models import Prefecture
    from reports.prefecture_report import municipality_picture

    picture = municipality_picture(prefecture=Prefecture.objects.get(code="14"), date=D(2020, 11, 30))
    assert {row[0] for row in picture.table.rows} == {"神奈川県"}
    assert all("渋谷" not in cell for row in picture.table.rows for cell in row if isinstance(cell, str))
    for name in TOKYO_ONLY:
        assert name not in picture.svg, name
    assert (
        "横浜市鶴見区：地域社保協あり" in picture.svg and "小田原市：なし" in picture.svg and picture.credit == CREDIT
    )


@pytest.mark.django_db
def test_a_prefectural_meetings_draft_maps_its_prefecture_and_counts_its_own_signatures(councils, settings, tmp_path):
    from reports.models import Chapter, Meeting

    settings.MEDIA_ROOT = tmp_path
    petition = factories.petition_25jo(councils)
    meeting = Meeting.objects.create(
        council=councils["kanagawa"],
        number=30,
        title="神奈川県社保協第30回総会議案",
        date=D(2020, 9, 5),
        as_of=D(2020, 9, 1),
    )
    Chapter.objects.create(meeting=meeting, order=1, title="1年間の活動報告", body="県内の運動を報告します。")
    meeting.petitions.set([petition])

    job = run_now(kind="policy_draft", params={"meeting": "30"}, user=staff_of(councils["kanagawa"]))

    assert job.status == JobStatus.DONE, job.error
    text = pdf_text(job)
    assert CREDIT in text and "神奈川県地域社保協のある市区町村6.1%（2/33、2020年9月1日現在）" in text
    # Kanagawa's entries (12,345 + 655) against Kanagawa's goal (20,000); Tokyo's 5,000 not in the line.
    assert "25条署名の集約の推移（神奈川県、2020年9月1日現在13,000筆、目標の65.0%）" in text
    assert "2020年8月13,00020,00065" in text
    # The activity report's pictures name nothing of Tokyo (the appendices are federation-public tables).
    report = text[text.index("県内の運動を報告します") : text.index("付録\u3000集約一覧表社会保障")]
    assert "集約の推移" in report and CREDIT in report
    for name in TOKYO_ONLY:
        assert name not in report, name


@pytest.mark.django_db
def test_the_progress_line_costs_the_same_queries_for_3_or_60_days_of_entries(councils, django_assert_num_queries):
    from petitions.report_kinds import progress_picture
    from tests.petitions.factories import record

    petition = factories.petition_25jo(councils)  # entries on 3 days
    with django_assert_num_queries(3):  # the day sums, the goals, the rounds
        small = progress_picture(petition=petition, as_of=D(2020, 9, 1))
    clerk = staff_of(councils["national"], role="national_staff")
    for day in range(57):
        record(clerk, petition, councils["yokohama"], 10, collected_on=D(2020, 3, 1) + datetime.timedelta(days=day))
    with django_assert_num_queries(3):
        large = progress_picture(petition=petition, as_of=D(2020, 9, 1))
    assert len(small.table.rows) == 3 and len(large.table.rows) == 5  # month ends: Jan, (Mar, Apr), Jul, Aug
    assert large.table.rows[-1][1] == 18_000 + 570

"""Done when: the 2020 policy draft from the demo data carries the seed's blanks filled from the data."""

import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from demo import meetings as demo_meetings
from demo.campaigns import CALENDAR_2020
from demo.petitions import ARTICLE25_ITEMS
from petitions.models import PetitionDrive
from petitions.selectors import signatures_of_period, tally_table
from reports.models import Chapter, Meeting


@pytest.mark.django_db
def test_demo_2020_policy_draft_has_the_census_and_the_25jo_signatures(demo, tmp_path):
    meeting = Meeting.objects.get(number=64)
    assert meeting.date.isoformat() == "2020-09-02" and meeting.chapters.count() == 6

    target = tmp_path / "64.pdf"
    call_command("generate_report", "policy_draft", "--param", "meeting=64", "--out", str(target), stdout=io.StringIO())
    reader = PdfReader(target)
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "").replace(" ", "")

    assert "都道府県社保協47、地域社保協374、準備会27、友好組織18、計466（前年465、+1）" in text
    assert "社保協の総数は466で、前年から+1となりました" in text
    # The demo's 2019–2020 25条 drive, running on the figures date: a real, non-zero count from the ledger.
    petition = PetitionDrive.objects.get(slug="article25-2019")
    to_date = tally_table(petition=petition, as_of=demo_meetings.FIGURES_DATE).total.to_date
    assert to_date > 0
    assert f"{demo_meetings.FIGURES_DATE.year}年9月1日までに{to_date:,}筆を集約し" in text
    # The caravans of seed 000's 活動報告, from the demo caravans (demo.caravans).
    assert "県内63市町村を36コースで訪ねて懇談し、延べ約500団体・1,500人、行政側からも約900人が参加" in text
    assert "42市町村とくすのき広域連合、大阪市・堺市の31区と懇談し、のべ1,400人が参加" in text
    # The 2019 call-in day of the demo (demo.consultations): the seed's 「２４県で相談件数は２５２件」 from data.
    assert "24県で相談件数は252件" in text
    from consultations.models import ConsultationDay
    from consultations.selectors import day_totals

    day2023 = ConsultationDay.objects.get(date="2023-11-11", council__kind="national")
    kanagawa = next(r for r in day_totals(day=day2023).stations if r.prefecture_code == "14")
    assert (kanagawa.text(), kanagawa.line_count, kanagawa.responders) == ("33件（昨年15件）", 3, 9)
    assert "{{" not in text and "地域社保協一覧" in text and "集約一覧表" in text
    assert "はじめに" in text and "情勢の特徴" in text and "当面の日程" in text
    assert target.stat().st_size < 2 * 1024 * 1024
    blocks_of_the_2020_draft(text)

    # The 2025 国保 proposal (seed 004): the assemblies' national count and a caravan indicator, from data.
    proposal = tmp_path / "69.pdf"
    call_command(
        "generate_report", "policy_draft", "--param", "meeting=69", "--out", str(proposal), stdout=io.StringIO()
    )
    text = "".join(page.extract_text() for page in PdfReader(proposal).pages).replace("\n", "").replace(" ", "")
    assert "11月末現在、18都道府県の112市区町村で採択、意見書111本となりました" in text
    assert "資格確認書を加入者全員に送付することを望む自治体が33市町村中30にのぼりました" in text
    assert "{{" not in text


def blocks_of_the_2020_draft(text):
    """Where seed 000 has a table or a list, the demo's draft prints it from a block, never from typed rows."""
    # 当面の日程: the seed's twelve dates in order, the month on its first line, a time where the action has one.
    start = text.index("月日日程")  # the calendar's header row
    calendar = text[start : text.index("付録", start)]
    months = [month for month, *_ in CALENDAR_2020]
    lines = [
        (f"{month}月" if month != previous else "") + f"{day}日(?:\\d+:\\d+)?" + re.escape(title.replace(" ", ""))
        for (month, day, _kind, title), previous in zip(CALENDAR_2020, [None, *months[:-1]], strict=True)
    ]
    assert re.search(".*".join(lines), calendar), calendar
    assert len(re.findall(r"\d+日", calendar)) == 12
    # 請願項目（案）【1】【2】: the drive's items.
    for number, item in enumerate(ARTICLE25_ITEMS, start=1):
        assert f"【{number}】{item}" in text
    # 「社会保障関連の署名総数は　筆」: every drive of the year, summed by the database.
    total = signatures_of_period(start=demo_meetings.D(2019, 9, 1), end=demo_meetings.D(2020, 8, 31), user=None)
    assert total > 0 and f"社会保障関連の署名総数は{total:,}筆" in text
    assert f"署名総数（団体署名を除く）筆{total:,}" in text
    # 「（一覧表参照）」: the study sessions per prefecture follow the sentence.
    assert "（一覧表参照）学習会一覧表（2019年9月1日〜2020年9月1日）" in text
    # No chapter of the demo types a table by hand.
    for body in Chapter.objects.values_list("body", flat=True):
        assert not re.search(r"\|\s*:?-{3,}", body), body

"""Done when: each demo action reads back as the seeds report it, the 42 are in the ledger once, the calendar
and prefecture reports print the figures, the feed holds the 2020 calendar, and the 2020 draft has its count."""

import datetime

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from campaigns import feeds, selectors
from campaigns.models import Action
from councils.models import Council, CouncilKind
from petitions.models import PetitionDrive, TallyEntry
from petitions.selectors import tally_table
from reports import services as report_services
from reports.models import Meeting
from shaho.core import blocks
from shaho.core.figures import PlaceholderContext, resolve
from tests import demo_snapshot

D = datetime.date


def _report(title, **lookup):
    return selectors.action_report(Action.objects.get(title=title, **lookup))


def _pdf_text(job):
    with job.file.open("rb") as f:
        return "".join(page.extract_text() for page in PdfReader(f).pages).replace("\n", "").replace(" ", "")


@pytest.mark.django_db
def test_demo_actions_read_back_as_the_seeds_report_them(demo):
    # The demo (seed_demo's first run, loaded from the run's snapshot), then the steps that write actions and
    # ledger entries run again: they make none. (Every step run again: tests/councils/test_demo_all_steps.py.)
    counts = (Action.objects.count(), TallyEntry.objects.count())
    demo_snapshot.seed(["demo.federation", "demo.petitions", "demo.campaigns"])
    assert (Action.objects.count(), TallyEntry.objects.count()) == counts  # idempotent

    street = _report("なくすな保険証！桜木町駅前宣伝")
    assert street.headline == "11団体26人、チラシ・ポケットティッシュ1,000枚、署名42筆、シール投票75（反対72、賛成3）"
    assert street.disagreement == "報告は12団体26人、参加団体の行は11団体26人"
    assert street.action.totals_confirmed_at is not None
    isezakicho = _report("伊勢佐木町有隣堂前宣伝", starts_on=D(2023, 12, 14))  # not the planned ones of 2024
    assert isezakicho.headline.startswith("5団体14人、チラシ・ティッシュ500枚、署名26筆")
    negotiation = _report("保健・医療・介護分野の神奈川県交渉")
    assert (negotiation.participants, negotiation.organisations) == (23, 12)
    assert [(d.answer, d.get_evaluation_display()) for d in negotiation.demands] == [
        ("拡充する予定はない", "現状維持"),
        ("現行の補助率を維持することが重要", "現状維持"),
    ]
    exchange = Action.objects.get(title="全県国保改善交流集会")
    assert (exchange.onsite_count, exchange.online_points) == (42, 13)
    tsudoi = Action.objects.get(title="介護保険のいまと未来を考えるつどい")
    assert (tsudoi.onsite_count, tsudoi.online_points) == (32, 17)
    assert Action.objects.get(title="なくしていいのか保険証シンポジウム").onsite_count == 57
    rally = Action.objects.get(title="9.26いのちまもる総行動")
    assert (rally.onsite_count, rally.online_points) == (2400, 200)
    assert sorted(
        Action.objects.filter(title__contains="健康保険証緊急学習会").values_list("onsite_count", flat=True)
    ) == [93]
    caravan = Action.objects.filter(title__startswith="西湘地域キャラバン①").order_by("pk")
    assert list(caravan.values_list("onsite_count", flat=True)) == [11, 6, 3, 4, 4]

    # The 42 are one ledger entry, linked to the action, and the 集約一覧表 counts them once.
    hokensho = PetitionDrive.objects.get(slug="hokensho")
    kanagawa_day = TallyEntry.objects.filter(
        petition=hokensho, council__prefecture__code="14", collected_on=D(2023, 11, 25)
    )
    assert list(kanagawa_day.values_list("count", "action")) == [(42, street.action.pk)]
    table = tally_table(petition=hokensho, as_of=D(2023, 11, 25), prefecture=street.action.organiser.prefecture)
    assert table.total.to_date == 42
    assert hokensho.campaign.slug == "nakusuna-hokensho" and hokensho.campaign_name == "なくすな保険証！"

    # The 2020 draft: the study-session count fills the seed's blank from the data.
    meeting = Meeting.objects.get(number=64)
    chapter = meeting.chapters.get(title="活動報告")
    ctx = PlaceholderContext(date=meeting.figures_date)
    text = resolve(blocks.extract(chapter.body, ctx)[0], ctx)  # the chapter's blocks (tables) taken out first
    count = selectors.study_session_count(start=D(2019, 9, 1), end=meeting.figures_date).sessions
    assert count > 2000 and f"学習会は{count:,}ヶ所まで到達し" in text and "{{" not in text

    # The feed holds the 2020 calendar with Tokyo times (a window around the calendar's days).
    national = Council.objects.get(kind=CouncilKind.NATIONAL)
    body = feeds.council_feed(council=national, base_url="https://shaho.example/", today=D(2020, 9, 1))
    events = {str(e["summary"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
    meeting_day = events["北海道・東北ブロック会議（ブロック会議）"].decoded("dtstart")
    assert meeting_day == datetime.datetime(2020, 10, 9, 13, 0, tzinfo=meeting_day.tzinfo)
    assert str(meeting_day.tzinfo) == "Asia/Tokyo"
    assert events["2020年度全国総会（総会）"].decoded("dtstart") == D(2020, 9, 2)
    assert "地域医療を守る運動全国交流集会（交流集会）" in events

    # The calendar and prefecture_report PDFs, from the demo data.
    calendar_job = report_services.run_now(kind="calendar", params={"start": "2020-09-01", "end": "2020-11-30"})
    text = _pdf_text(calendar_job)
    assert "北海道・東北ブロック会議" in text and "10月" in text and "11月" in text and "23日" in text
    report_job = report_services.run_now(
        kind="prefecture_report", params={"prefecture": "14", "start": "2023-11-01", "end": "2023-12-31"}
    )
    text = _pdf_text(report_job)
    for figure in ("計11団体26人", "チラシ・ポケットティッシュ1,000枚", "署名42筆", "シール投票75（反対72、賛成3）",
                   "拡充する予定はない", "会場42人、オンライン13か所", "1,241"):  # fmt: skip
        assert figure in text, figure

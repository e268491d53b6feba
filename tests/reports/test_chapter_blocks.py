"""Blocks of campaigns, petitions and councils in a meeting's chapters: each prints from the data at the
document's date, changes when its data changes, and a wrong or out-of-scope argument is refused in
Japanese naming the chapter, through reports.kinds.prepare_chapters (what a request runs first)."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Action, StudyGoal
from councils.models import Organisation
from petitions.models import PetitionDrive, PetitionItem, TallyEntry
from petitions.selectors import signatures_of_period
from reports.kinds import prepare_chapters
from reports.models import Chapter, JobStatus
from reports.services import run_now
from shaho.core.blocks import known_blocks
from tests.campaigns.factories import action
from tests.councils.factories import staff_of
from tests.petitions.factories import PetitionDriveFactory, goal, record

from . import factories
from .test_policy_draft import pdf_text

D = datetime.date


@pytest.fixture
def councils(db):
    return factories.federation()


@pytest.fixture
def clerk(councils):
    return staff_of(councils["national"], role="national_staff")


def chapter_html(meeting, *, user=None, order=1):
    prepared = prepare_chapters(meeting, user=user)
    return next(c["html"] for c in prepared if c["anchor"] == f"ch{order}")


def text_of(html):
    """The chapter's text without tags and without the template's spaces and line breaks between cells."""
    return re.sub(r"[ \n]+", "", re.sub(r"<[^>]+>", "", html))


def refusal(meeting, *, user):
    with pytest.raises(ValidationError) as caught:
        prepare_chapters(meeting, user=user)
    return " ".join(caught.value.messages)


def one_chapter(councils, title, body, **kwargs):
    return factories.meeting(councils, chapters=[(title, body)], **kwargs)


# --- calendar.period -----------------------------------------------------------------------------


@pytest.fixture
def calendar(councils, clerk):
    national, kanagawa = councils["national"], councils["kanagawa"]
    action(clerk, national, code="general_meeting", title="2020年度全国総会", starts_on=D(2020, 9, 2), place="東京")
    action(clerk, national, code="other", title="国際高齢者デー", starts_on=D(2020, 10, 1))
    action(
        clerk,
        national,
        code="block_meeting",
        title="北海道・東北ブロック会議",
        starts_on=D(2020, 10, 9),
        start_time=datetime.time(13, 0),
    )
    town = action(clerk, kanagawa, title="西湘地域キャラバン①（大磯町）", starts_on=D(2020, 10, 9), place="大磯町")
    action(clerk, national, code="rally", title="12月の集会", starts_on=D(2020, 12, 5))  # after the period
    return {"town": town}


def test_calendar_period_prints_month_and_day_once_and_the_place_once(councils, calendar):
    meeting = one_chapter(councils, "当面の日程", "{{ calendar.period start=2020-09-01 end=2020-11-30 }}")

    html = chapter_html(meeting)

    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", html)
    assert rows == [
        ("9月", "2日", "2020年度全国総会（東京）"),
        ("10月", "1日", "国際高齢者デー"),
        ("", "9日", "西湘地域キャラバン①（大磯町）"),  # the town the title names, printed once
        ("", "", "13:00 北海道・東北ブロック会議"),  # all-day actions first, then by time
    ]
    assert "12月の集会" not in html


def test_calendar_period_changes_when_an_action_is_cancelled_or_added(councils, calendar, clerk):
    meeting = one_chapter(councils, "当面の日程", "{{ calendar.period start=2020-09-01 end=2020-11-30 }}")
    assert "国際高齢者デー" in chapter_html(meeting)

    Action.objects.filter(title="国際高齢者デー").update(status=Action.Status.CANCELLED)
    action(clerk, councils["national"], code="exchange", title="全国交流集会", starts_on=D(2020, 11, 23))

    html = chapter_html(meeting)
    assert "国際高齢者デー" not in html
    assert "<td>11月</td><td>23日</td><td>全国交流集会</td>" in html


def test_calendar_period_of_a_prefecture_has_its_councils_and_the_national_ones(councils, calendar, clerk):
    action(clerk, councils["tokyo"], title="東京の宣伝", starts_on=D(2020, 10, 2))
    meeting = one_chapter(councils, "当面の日程", "{{ calendar.period start=2020-09-01 end=2020-11-30 prefecture=14 }}")

    html = chapter_html(meeting, user=staff_of(councils["kanagawa"]))

    assert "西湘地域キャラバン①（大磯町）" in html and "国際高齢者デー" in html
    assert "東京の宣伝" not in html


def test_calendar_period_refuses_another_prefecture_the_national_calendar_and_a_reversed_period(councils, calendar):
    kanagawa_staff = staff_of(councils["kanagawa"])
    meeting = one_chapter(councils, "当面の日程", "{{ calendar.period start=2020-09-01 end=2020-11-30 prefecture=13 }}")
    message = refusal(meeting, user=kanagawa_staff)
    assert "第1章「当面の日程」" in message and "都道府県「13」は指定できません" in message

    def body(text):
        Chapter.objects.filter(meeting=meeting).update(body=text)

    body("{{ calendar.period start=2020-09-01 end=2020-11-30 }}")
    message = refusal(meeting, user=kanagawa_staff)
    assert "第1章「当面の日程」" in message and "中央事務局" in message and "prefecture=" in message

    body("{{ calendar.period start=2020-11-30 end=2020-09-01 }}")
    message = refusal(meeting, user=None)
    assert "第1章「当面の日程」" in message and "終了日 2020年9月1日 は開始日 2020年11月30日 より前です" in message

    body("{{ calendar.period start=2020-09-01 }}")
    assert "end=終了日" in refusal(meeting, user=None)


# --- campaigns.study_by_prefecture ---------------------------------------------------------------


def test_study_by_prefecture_counts_sessions_per_prefecture_and_changes_with_them(councils, clerk):
    for day in (D(2019, 10, 1), D(2020, 2, 1)):
        action(clerk, councils["yokohama"], code="study", title="学習会", starts_on=day, onsite_count=30)
    action(clerk, councils["shibuya"], code="study", title="学習会", starts_on=D(2020, 3, 1), onsite_count=12)
    action(clerk, councils["shibuya"], code="study", title="前年の学習会", starts_on=D(2019, 3, 1), onsite_count=9)
    StudyGoal.objects.create(council=councils["kanagawa"], year=2019, goal=4)
    meeting = one_chapter(councils, "活動報告", "一覧です。\n\n{{ campaigns.study_by_prefecture start=2019-09-01 }}")

    text = text_of(chapter_html(meeting))

    assert "学習会一覧表（2019年9月1日〜2020年9月1日）" in text
    assert "神奈川県2604" in text and "50.0" in text  # 2 sessions, 60 people, goal 4, 50.0%
    assert "東京都112—" in text
    assert "全国372" in text  # the national total from the database: 3 sessions, 72 people

    Action.objects.filter(title="学習会", organiser=councils["shibuya"]).delete()
    assert "東京都00—" in text_of(chapter_html(meeting))


def test_study_by_prefecture_refuses_a_reversed_period_naming_the_chapter(councils):
    meeting = one_chapter(councils, "活動報告", "{{ campaigns.study_by_prefecture start=2020-09-01 end=2019-09-01 }}")
    message = refusal(meeting, user=None)
    assert "第1章「活動報告」" in message and "より前です" in message


# --- petition.items, petition.drives and the figure petition.all_drives --------------------------


@pytest.fixture
def drives(councils, clerk):
    """The 25条 drive (18,000 to date, from the reports' factories) and three more around its year."""
    article25 = factories.petition_25jo(councils)
    article25.addressee = "衆議院議長・参議院議長"
    article25.cosponsor_names = "全労連・民医連・中央社保協"
    article25.save()
    PetitionItem.objects.create(petition=article25, number=1, text="国庫負担を増額すること。")
    PetitionItem.objects.create(petition=article25, number=2, text="社会保障制度・体制を国の責任で拡充すること。")
    kaigo = PetitionDriveFactory(title="介護改善署名", slug="kaigo", starts_on=D(2020, 3, 1), ends_on=D(2021, 2, 28))
    goal(kaigo, councils["national"], 10_000)
    record(clerk, kaigo, councils["yokohama"], 1_000, collected_on=D(2020, 5, 1))
    record(clerk, kaigo, councils["yokohama"], 70, collected_on=D(2020, 9, 20))  # after the period
    groups = PetitionDriveFactory(
        title="団体署名", slug="dantai", kind=PetitionDrive.Kind.ORGANISATIONAL, starts_on=D(2019, 10, 1),
        ends_on=D(2020, 6, 30),
    )  # fmt: skip
    record(clerk, groups, councils["yokohama"], 30, collected_on=D(2020, 1, 10), kind="organisational")
    old = PetitionDriveFactory(title="前年度の署名", slug="old", starts_on=D(2018, 9, 1), ends_on=D(2019, 6, 30))
    record(clerk, old, councils["yokohama"], 500, collected_on=D(2019, 5, 1))
    tokyo_drive = PetitionDriveFactory(
        title="東京の署名", slug="tokyo-drive", organiser=councils["tokyo"], starts_on=D(2019, 9, 1)
    )
    return {"article25": article25, "kaigo": kaigo, "groups": groups, "tokyo": tokyo_drive}


def test_petition_items_print_numbered_with_addressee_and_cosponsors(councils, drives):
    meeting = one_chapter(councils, "運動のすすめ方", "請願項目（案）\n\n{{ petition.items petition=25jo }}")

    text = text_of(chapter_html(meeting))

    assert "【1】国庫負担を増額すること。【2】社会保障制度・体制を国の責任で拡充すること。" in text
    assert "宛先：衆議院議長・参議院議長　連名：全労連・民医連・中央社保協" in text

    PetitionItem.objects.filter(petition=drives["article25"], number=2).delete()
    text = text_of(chapter_html(meeting))
    assert "【1】国庫負担を増額すること。" in text and "【2】" not in text


def test_petition_items_name_the_cosponsoring_organisations_when_no_text_is_typed(councils, drives):
    article25 = drives["article25"]
    article25.cosponsor_names = ""
    article25.save()
    for name in ("全労連", "医団"):
        article25.cosponsors.add(
            Organisation.objects.create(
                name=name, short_name=name, level=Organisation.Level.NATIONAL, home_council=councils["national"]
            )
        )
    meeting = one_chapter(councils, "運動のすすめ方", "{{ petition.items petition=25jo }}")
    assert "連名：全労連・医団" in text_of(chapter_html(meeting))


def test_petition_items_of_a_drive_out_of_scope_read_as_none(councils, drives):
    meeting = one_chapter(councils, "運動のすすめ方", "{{ petition.items petition=tokyo-drive }}")

    assert "東京の署名" in text_of(chapter_html(meeting, user=staff_of(councils["tokyo"])))
    message = refusal(meeting, user=staff_of(councils["kanagawa"]))
    assert "第1章「運動のすすめ方」" in message
    assert "署名「tokyo-drive」はありません（または見る権限がありません）" in message
    assert "tokyo-drive" not in message.split("指定できる署名")[1]

    Chapter.objects.filter(meeting=meeting).update(body="{{ petition.items }}")
    assert "petition=識別名" in refusal(meeting, user=None)


def test_all_drives_and_the_drives_table_add_up_every_drive_of_the_period(councils, drives):
    meeting = one_chapter(
        councils,
        "活動報告",
        "社会保障関連の署名総数は {{ petition.all_drives start=2019-09-01 end=2020-08-31 }}筆です。\n\n"
        "{{ petition.drives start=2019-09-01 end=2020-08-31 }}",
    )

    text = text_of(chapter_html(meeting))

    # 25条 18,000 + 介護 1,000 in the period; the organisational drive's 30 団体 and last year's drive left out.
    assert "社会保障関連の署名総数は19,000筆です。" in text
    assert signatures_of_period(start=D(2019, 9, 1), end=D(2020, 8, 31), user=None) == 19_000
    assert "社会保障拡充・財源確保を求める署名筆18,0000100,00018.0" in text
    assert "介護改善署名筆1,000010,00010.0" in text
    assert "団体署名団体300—" in text
    assert "前年度の署名" not in text
    assert "署名総数（団体署名を除く）筆19,000" in text

    entry = record(staff_of(councils["national"], role="national_staff"), drives["kaigo"], councils["shibuya"], 234,
                   collected_on=D(2020, 8, 30))  # fmt: skip
    assert "社会保障関連の署名総数は19,234筆です。" in text_of(chapter_html(meeting))
    TallyEntry.objects.filter(pk=entry.pk).delete()
    assert "社会保障関連の署名総数は19,000筆です。" in text_of(chapter_html(meeting))


def test_all_drives_counts_only_the_drives_the_author_may_see(councils, drives, clerk):
    record(clerk, drives["tokyo"], councils["tokyo"], 777, collected_on=D(2020, 1, 5))
    meeting = one_chapter(
        councils,
        "活動報告",
        "総数は {{ petition.all_drives start=2019-09-01 end=2020-08-31 }}筆。\n\n"
        "{{ petition.drives start=2019-09-01 end=2020-08-31 }}",
    )

    everything = text_of(chapter_html(meeting))
    assert "総数は19,777筆。" in everything and "東京の署名" in everything
    kanagawa = text_of(chapter_html(meeting, user=staff_of(councils["kanagawa"])))
    assert "総数は19,000筆。" in kanagawa and "東京の署名" not in kanagawa


def test_the_drives_table_reads_a_fixed_number_of_queries_whatever_the_number_of_drives(councils, drives, clerk):
    meeting = one_chapter(councils, "活動報告", "{{ petition.drives start=2019-09-01 end=2020-08-31 }}")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            chapter_html(meeting)
        return len(captured)

    before = queries()
    for n in range(3):
        extra = PetitionDriveFactory(title=f"追加の署名{n}", starts_on=D(2020, 1, 1), ends_on=D(2020, 12, 31))
        goal(extra, councils["national"], 100)
        record(clerk, extra, councils["yokohama"], 10 + n, collected_on=D(2020, 2, 1))
    assert queries() == before


def test_drives_refuse_a_missing_start_naming_the_chapter(councils, drives):
    meeting = one_chapter(councils, "活動報告", "{{ petition.drives end=2020-08-31 }}")
    message = refusal(meeting, user=None)
    assert "第1章「活動報告」" in message and "start=開始日" in message


# --- petition.tally, petition.progress, overview.coverage_map ---------------------------------------


def test_tally_block_is_the_appendix_table_and_changes_with_the_ledger(councils, drives, clerk):
    meeting = one_chapter(councils, "活動報告", "{{ petition.tally petition=25jo }}")

    text = text_of(chapter_html(meeting))
    assert "集約一覧表2020年9月1日現在" in text and "今次集約：最終集約" in text
    assert "神奈川県20,000" in text and "13,000" in text  # 横浜 12,345 + the prefecture's 655

    record(clerk, drives["article25"], councils["yokohama"], 1_000, collected_on=D(2020, 8, 2))
    assert "14,000" in text_of(chapter_html(meeting))


def test_tally_block_national_is_the_national_office_s_a_prefecture_is_its_own(councils, drives):
    kanagawa_staff = staff_of(councils["kanagawa"])
    meeting = one_chapter(councils, "活動報告", "{{ petition.tally petition=25jo }}")
    message = refusal(meeting, user=kanagawa_staff)
    assert "第1章「活動報告」" in message and "prefecture=都道府県" in message

    Chapter.objects.filter(meeting=meeting).update(body="{{ petition.tally petition=25jo prefecture=14 }}")
    assert "横浜市社保協" in text_of(chapter_html(meeting, user=kanagawa_staff))
    Chapter.objects.filter(meeting=meeting).update(body="{{ petition.tally petition=25jo prefecture=13 }}")
    assert "都道府県「13」は指定できません" in refusal(meeting, user=kanagawa_staff)


def test_progress_and_coverage_pictures_draw_in_a_chapter(councils, drives):
    meeting = one_chapter(
        councils,
        "活動報告",
        "{{ petition.progress petition=25jo }}\n\n{{ overview.coverage_map }}\n\n"
        "{{ overview.coverage_map prefecture=14 }}",
    )

    html = chapter_html(meeting)

    assert html.count("<svg") == 3 and html.count('<figure class="picture"') == 3
    assert "25条署名の集約の推移（全国、2020年9月1日現在 18,000筆、目標の18.0%）" in html
    assert "地域社保協のある市区町村 全国" in html
    assert "神奈川県 地域社保協のある市区町村" in html

    record(staff_of(councils["national"], role="national_staff"), drives["article25"], councils["shibuya"], 2_000,
           collected_on=D(2020, 8, 20))  # fmt: skip
    assert "（全国、2020年9月1日現在 20,000筆、目標の20.0%）" in chapter_html(meeting)

    Chapter.objects.filter(meeting=meeting).update(body="{{ overview.coverage_map prefecture=13 }}")
    message = refusal(meeting, user=staff_of(councils["kanagawa"]))
    assert "第1章「活動報告」" in message and "都道府県「13」は指定できません" in message


# --- the document and the editor's help --------------------------------------------------------------


def test_policy_draft_pdf_prints_the_blocks(councils, calendar, drives, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    factories.meeting(
        councils,
        chapters=[
            (
                "活動報告",
                "署名総数は {{ petition.all_drives start=2019-09-01 end=2020-08-31 }}筆です。\n\n"
                "{{ petition.drives start=2019-09-01 end=2020-08-31 }}\n\n"
                "請願項目（案）\n\n{{ petition.items petition=25jo }}",
            ),
            ("当面の日程", "{{ calendar.period start=2020-09-01 end=2020-11-30 }}"),
        ],
        petitions=[drives["article25"]],
    )

    job = run_now(kind="policy_draft", params={"meeting": "64"})

    assert job.status == JobStatus.DONE, job.error
    _reader, text = pdf_text(job)
    compact = text.replace(" ", "").replace("\n", "")
    assert "署名総数は19,000筆です。" in compact
    assert "【1】国庫負担を増額すること。" in compact and "宛先：衆議院議長・参議院議長" in compact
    assert "9月2日2020年度全国総会（東京）" in compact and "10月1日国際高齢者デー" in compact
    assert "西湘地域キャラバン①（大磯町）" in compact and "（大磯町）（大磯町）" not in compact
    assert "{{" not in text and "SHAHOBLOCK" not in text


def test_meeting_page_lists_every_figure_and_block_with_its_example(councils, client):
    meeting = factories.meeting(councils)
    client.force_login(staff_of(councils["national"], role="national_staff"))

    page = client.get(reverse("admin:reports_meeting_change", args=[meeting.pk])).content.decode()

    assert '<details class="module chapter-help"' in page
    help_panel = page[page.index('class="module chapter-help"') :]
    assert "<code>calendar.period</code>" in help_panel
    assert "{{ calendar.period start=2020-09-01 end=2020-11-30 }}" in help_panel
    for block in known_blocks():
        assert f"<code>{block.name}</code>" in help_panel
    assert "<code>census.total</code>" in help_panel and "<code>petition.all_drives</code>" in help_panel
    assert "<script" not in help_panel.split("</details>")[0] and "style=" not in help_panel.split("</details>")[0]


def test_calendar_kind_prints_the_rows_of_the_block_with_a_place_once(councils, calendar, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    job = run_now(kind="calendar", params={"prefecture": "14", "start": "2020-10-01", "end": "2020-10-31"})

    assert job.status == JobStatus.DONE, job.error
    compact = pdf_text(job)[1].replace(" ", "").replace("\n", "")
    assert "10月1日国際高齢者デー9日西湘地域キャラバン①（大磯町）13:00北海道・東北ブロック会議" in compact
    assert "（大磯町）（大磯町）" not in compact


def test_a_picture_a_chapter_prints_as_a_block_is_not_drawn_again_under_the_activity_report(councils, drives):
    from reports.kinds import POLICY_DRAFT

    factories.meeting(
        councils,
        chapters=[("活動報告", "{{ overview.coverage_map }}\n\n{{ petition.progress petition=25jo prefecture=14 }}")],
        petitions=[drives["article25"]],
    )

    built = POLICY_DRAFT.build(params={"meeting": 64}, user=None, progress=lambda *args: None)

    chapter = built.context["chapters"][0]
    drawn = re.findall(r'id="picture-([^"]+)"', chapter["html"])
    assert drawn == ["coverage.prefectures", "petitions.progress.25jo.14"]
    # Under the chapter: the national progress line only, not the map a second time.
    assert [p.key for p in chapter["pictures"]] == ["petitions.progress.25jo"]

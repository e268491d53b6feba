"""The request form asks for nothing internal: drives, meetings and prefectures are selects of what the
user may see, 基準日 is a date picker (typed 全角 and 和暦 still accepted), 形式 a select; every kind
shows its Japanese label on the site and in the admin."""

import datetime
import re

import pytest
from django.urls import reverse

from councils.models import Role
from reports.models import JobStatus, Meeting, ReportJob
from tests.councils.factories import staff_of
from tests.petitions.factories import PetitionDriveFactory

from . import factories

D = datetime.date


@pytest.fixture
def councils(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return factories.federation()


@pytest.fixture
def drives(councils):
    return {
        "national": factories.petition_25jo(councils),
        "kanagawa": PetitionDriveFactory(
            title="神奈川の国保署名", slug="kanagawa-kokuho", organiser=councils["kanagawa"], starts_on=D(2020, 1, 1)
        ),
        "tokyo": PetitionDriveFactory(
            title="東京都の介護署名", slug="tokyo-kaigo", organiser=councils["tokyo"], starts_on=D(2020, 1, 1)
        ),
    }


def _options(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, flags=re.S)
    assert select, f"no select named {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1])


def test_kind_list_shows_japanese_labels_only(client, councils):
    client.force_login(staff_of(councils["kanagawa"]))
    html = client.get(reverse("reports:new")).content.decode()
    for label in ("集約一覧表", "総会方針案", "社保協名簿"):
        assert label in html
    text = re.sub(r"<[^>]+>", " ", html)
    for name in ("tally_table", "policy_draft", "council_directory"):
        assert name not in text


def test_tally_form_offers_the_drives_the_user_may_see_a_date_picker_and_a_format_select(client, councils, drives):
    client.force_login(staff_of(councils["kanagawa"]))
    html = client.get(reverse("reports:new_kind", args=["tally_table"])).content.decode()
    drive_values = [v for v, _ in _options(html, "petition") if v]
    assert sorted(drive_values) == ["25jo", "kanagawa-kokuho"]  # not Tokyo's
    assert "東京都の介護署名" not in html
    assert re.search(r'<input type="date" name="date"', html)
    assert _options(html, "format") == [("pdf", "PDF"), ("xlsx", "Excel（xlsx）")]
    prefectures = _options(html, "prefecture")
    assert [v for v, _ in prefectures if v] == ["14"] and ("14", "神奈川県") in prefectures
    assert "識別名" not in html and "25jo" not in re.sub(r"<[^>]+>", " ", html)


def test_national_staff_are_offered_every_prefecture_and_the_national_directory(client, councils):
    client.force_login(staff_of(councils["national"], role=Role.NATIONAL_STAFF))
    html = client.get(reverse("reports:new_kind", args=["council_directory"])).content.decode()
    options = _options(html, "prefecture")
    assert options[0] == ("", "全国") and len(options) == 48
    assert options[1] == ("01", "北海道") and options[-1] == ("47", "沖縄県")


def test_prefectural_staff_are_not_offered_the_national_directory(client, councils):
    client.force_login(staff_of(councils["kanagawa"]))
    html = client.get(reverse("reports:new_kind", args=["council_directory"])).content.decode()
    assert _options(html, "prefecture") == [("14", "神奈川県")]


def test_meetings_are_a_select_of_the_users_meetings(client, councils):
    Meeting.objects.create(
        council=councils["kanagawa"], number=20, title="神奈川県社保協第20回総会", date=D(2020, 9, 1)
    )
    Meeting.objects.create(council=councils["tokyo"], number=33, title="東京都社保協第33回総会", date=D(2020, 7, 1))
    factories.meeting(councils)  # national, 第64回
    client.force_login(staff_of(councils["kanagawa"]))
    html = client.get(reverse("reports:new_kind", args=["policy_draft"])).content.decode()
    options = [v for v, _ in _options(html, "meeting") if v]
    assert options == ["20"]
    client.force_login(staff_of(councils["national"], role=Role.NATIONAL_STAFF))
    html = client.get(reverse("reports:new_kind", args=["policy_draft"])).content.decode()
    assert sorted(v for v, _ in _options(html, "meeting") if v) == ["20", "33", "64"]


def test_a_date_typed_in_full_width_or_the_japanese_era_is_accepted(
    client, councils, drives, django_capture_on_commit_callbacks
):
    client.force_login(staff_of(councils["national"], role=Role.NATIONAL_STAFF))
    url = reverse("reports:new_kind", args=["tally_table"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"petition": "25jo", "date": "令和2年8月31日", "format": "pdf"})
    assert response.status_code == 302, response.content.decode()
    job = ReportJob.objects.get()
    assert job.params["date"] == "2020-08-31" and job.status == JobStatus.DONE
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"petition": "25jo", "date": "２０２０年７月３１日", "format": "xlsx"})
    assert ReportJob.objects.filter(params__date="2020-07-31", format="xlsx").exists()


def test_a_drive_outside_the_list_is_refused_like_one_that_does_not_exist(client, councils, drives):
    client.force_login(staff_of(councils["kanagawa"]))
    url = reverse("reports:new_kind", args=["tally_table"])
    theirs = client.post(url, {"petition": "tokyo-kaigo", "date": "2020-08-31", "format": "pdf"}).content.decode()
    assert "署名: 一覧から選んでください。" in theirs and "東京都の介護署名" not in theirs
    assert not ReportJob.objects.exists()


def test_admin_job_list_shows_kind_labels_and_filters_by_them(client, councils, drives):
    staff = staff_of(councils["national"], role=Role.NATIONAL_STAFF)
    for kind, params in (("council_directory", {"prefecture": "14"}), ("tally_table", {"petition": "25jo"})):
        ReportJob.objects.create(
            kind=kind, title=f"{kind} job", params=params, council=councils["national"], dedupe_key=kind
        )
    client.force_login(staff)
    url = reverse("admin:reports_reportjob_changelist")
    html = client.get(url).content.decode()
    cells = re.findall(r'<td class="field-kind">([^<]*)</td>', html)
    assert sorted(cells) == ["社保協名簿", "集約一覧表"]
    assert "?kind__exact=tally_table" in html and "集約一覧表</a>" in html  # the filter, by label
    filtered = client.get(url, {"kind__exact": "tally_table"}).content.decode()
    assert re.findall(r'<td class="field-kind">([^<]*)</td>', filtered) == ["集約一覧表"]
    # The list links the page where jobs are requested.
    assert f'href="{reverse("reports:new")}"' in html and "報告書を作成" in html


def test_empty_job_lists_offer_to_create_one(client, councils):
    client.force_login(staff_of(councils["kanagawa"]))
    html = client.get(reverse("reports:jobs")).content.decode()
    assert 'id="no-jobs"' in html and f'href="{reverse("reports:new")}"' in html
    admin_html = client.get(reverse("admin:reports_reportjob_changelist")).content.decode()
    assert "報告書はまだ作成されていません" in admin_html


def test_staff_home_page_links_the_report_request(client, councils):
    client.force_login(staff_of(councils["kanagawa"]))
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("reports:new")}"' in html
    client.force_login(staff_of(councils["kanagawa"], role=Role.MEMBER))
    assert f'href="{reverse("reports:new")}"' not in client.get(reverse("home")).content.decode()


def test_admin_action_makes_the_draft_of_the_chosen_meeting_when_numbers_repeat(client, councils):
    factories.meeting(councils)  # national 第64回
    kanagawa = Meeting.objects.create(council=councils["kanagawa"], number=64, title="神奈川第64回", date=D(2020, 8, 1))
    from reports.models import Chapter

    Chapter.objects.create(meeting=kanagawa, order=1, title="はじめに", body="本文です。")
    client.force_login(staff_of(councils["national"], role=Role.NATIONAL_STAFF))
    client.post(
        reverse("admin:reports_meeting_changelist"), {"action": "make_policy_draft", "_selected_action": [kanagawa.pk]}
    )
    job = ReportJob.objects.get()
    assert job.council == councils["kanagawa"] and job.title == "神奈川第64回"

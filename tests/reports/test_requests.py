"""Bad requests are refused before a job exists, with the reason; identical requests make one job."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from councils.models import Role
from reports.forms import ChapterForm
from reports.models import Chapter, JobStatus, ReportJob
from reports.services import request_job, run_now
from tests.councils.factories import staff_of

from . import factories


@pytest.fixture
def councils(db):
    return factories.federation()


@pytest.fixture
def national_staff(councils):
    return staff_of(councils["national"], role=Role.NATIONAL_STAFF)


def _messages(excinfo):
    return " ".join(excinfo.value.messages)


def test_unknown_placeholder_is_refused_with_the_known_names(councils, national_staff):
    factories.meeting(councils, chapters=[("活動報告", "総数は {{ census.totl }} です。")])
    with pytest.raises(ValidationError) as excinfo:
        request_job(kind="policy_draft", params={"meeting": "64"}, user=national_staff)
    text = _messages(excinfo)
    assert "census.totl" in text and "活動報告" in text
    assert "使える項目" in text and "census.total" in text and "coverage.percent" in text
    assert not ReportJob.objects.exists()


def test_placeholder_naming_a_petition_that_does_not_exist_is_refused(councils, national_staff):
    factories.meeting(councils, chapters=[("署名", "累計 {{ petition.to_date petition=nothing }} 筆")])
    with pytest.raises(ValidationError) as excinfo:
        request_job(kind="policy_draft", params={"meeting": "64"}, user=national_staff)
    assert "署名「nothing」はありません" in _messages(excinfo)
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "本文 <script>alert(1)</script>",
        "<div onclick='x()'>本文</div>",
        "本文 <img src=x onerror=alert(1)>",
        "<!-- コメント -->",
    ],
)
def test_markdown_with_html_or_script_is_refused(councils, national_staff, body):
    factories.meeting(councils, chapters=[("はじめに", body)])
    with pytest.raises(ValidationError) as excinfo:
        request_job(kind="policy_draft", params={"meeting": "64"}, user=national_staff)
    assert "HTML" in _messages(excinfo)
    assert not ReportJob.objects.exists()


def test_chapter_form_refuses_html_unknown_placeholders_and_missing_glyphs(councils):
    form = ChapterForm(data={"order": 1, "title": "章", "body": "<b>x</b> {{ nope.x }} 😀"})
    assert not form.is_valid()
    errors = " ".join(form.errors["body"])
    assert "HTML" in errors and "nope.x" in errors and "U+1F600" in errors


def test_characters_outside_the_font_are_reported_not_dropped(councils, national_staff):
    factories.meeting(councils, chapters=[("はじめに", "みんなで 🎉 がんばろう")])
    with pytest.raises(ValidationError) as excinfo:
        request_job(kind="policy_draft", params={"meeting": "64"}, user=national_staff)
    assert "🎉" in _messages(excinfo) and "U+1F389" in _messages(excinfo)


def test_safe_markdown_links_cannot_run_script(councils, national_staff):
    from reports.documents import markdown_to_html

    html = markdown_to_html("[押す](javascript:alert(1)) と **太字**")
    assert "javascript:" not in html.replace("[押す](javascript:alert(1))", "")
    assert "<strong>太字</strong>" in html


def test_unknown_kind_and_parameter_are_refused(councils, national_staff):
    with pytest.raises(ValidationError) as excinfo:
        request_job(kind="nope", params={}, user=national_staff)
    assert "council_directory" in _messages(excinfo) and "policy_draft" in _messages(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        request_job(kind="council_directory", params={"colour": "red"}, user=national_staff)
    assert "colour" in _messages(excinfo)


def test_staff_cannot_request_another_prefectures_directory(councils):
    kanagawa_staff = staff_of(councils["kanagawa"])
    with pytest.raises(ValidationError) as excinfo:
        request_job(kind="council_directory", params={"prefecture": "13"}, user=kanagawa_staff)
    assert "「13」は指定できません" in _messages(excinfo) and "東京都" not in _messages(excinfo)
    with pytest.raises(ValidationError):
        request_job(kind="council_directory", params={}, user=kanagawa_staff)
    job, _ = request_job(kind="council_directory", params={"prefecture": "神奈川県"}, user=kanagawa_staff)
    assert job.council == councils["kanagawa"] and job.params == {"prefecture": "14"}


def test_members_cannot_request_reports(councils):
    member = staff_of(councils["kanagawa"], role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        request_job(kind="council_directory", params={"prefecture": "14"}, user=member)


def test_tally_table_of_a_period_before_the_petition_is_refused(councils, national_staff):
    factories.petition_25jo(councils)
    with pytest.raises(ValidationError) as excinfo:
        request_job(kind="tally_table", params={"petition": "25jo", "date": "2019-01-01"}, user=national_staff)
    assert "開始日" in _messages(excinfo)
    with pytest.raises(ValidationError):
        request_job(kind="tally_table", params={"petition": "25jo", "date": "2999-01-01"}, user=national_staff)


def test_two_identical_requests_in_quick_succession_make_one_job(councils, national_staff):
    first, _ = request_job(kind="council_directory", params={"prefecture": "14"}, user=national_staff)
    second, _ = request_job(kind="council_directory", params={"prefecture": "１４"}, user=national_staff)
    assert first.pk == second.pk
    assert ReportJob.objects.count() == 1
    other, _ = request_job(kind="council_directory", params={"prefecture": "13"}, user=national_staff)
    assert other.pk != first.pk


def test_the_same_request_after_the_window_makes_a_new_job(councils, national_staff):
    first, _ = request_job(kind="council_directory", params={"prefecture": "14"}, user=national_staff)
    ReportJob.objects.filter(pk=first.pk).update(
        status=JobStatus.FAILED, created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    second, _ = request_job(kind="council_directory", params={"prefecture": "14"}, user=national_staff)
    assert second.pk != first.pk


def test_database_allows_one_active_job_per_request(councils, national_staff):
    from django.db import IntegrityError, transaction

    job, _ = request_job(kind="council_directory", params={"prefecture": "14"}, user=national_staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.create(kind=job.kind, council=job.council, dedupe_key=job.dedupe_key)


def test_generate_report_refuses_a_bad_text_before_creating_a_job(councils, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = factories.meeting(councils)
    Chapter.objects.filter(meeting=meeting, order=2).update(body="{{ petition.to_date petition=25jo }}")
    with pytest.raises(ValidationError):
        run_now(kind="policy_draft", params={"meeting": "64"})
    assert not ReportJob.objects.exists()

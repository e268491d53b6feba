"""A corrected figure prints at once: a request is a duplicate of a recent one only when nothing it reads changed.

The fingerprint of what a kind reads (reports.selectors.data_version) is part of the request's identity: a
double click returns the job already made; a tally entered, a chapter edited, an action changed, a caravan
answer typed, a drive added to the meeting, a row deleted — each makes the next request a new document.
The job page says which data the document was made from: its 基準日 and when it was made.
"""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from campaigns import services as campaign_services
from municipalities.caravans import services as caravans
from municipalities.models import Municipality
from petitions.models import TallyEntry
from reports import services
from reports.models import Chapter, JobStatus, ReportJob
from reports.selectors import data_version
from shaho.core.japanese import format_datetime
from shaho.core.report_kinds import ReportKind, data_models, get_kind
from tests.campaigns import factories as campaign_factories
from tests.councils.factories import staff_of
from tests.petitions.factories import record

from . import factories

D = datetime.date
TALLY = {"petition": "25jo", "date": "2020-08-31", "format": "pdf"}


@pytest.fixture
def councils(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return factories.federation()


@pytest.fixture
def petition(councils):
    return factories.petition_25jo(councils)


def _text(job):
    with job.file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_a_double_click_returns_the_document_already_made(petition):
    first = services.run_now(kind="tally_table", params=TALLY)
    second = services.run_now(kind="tally_table", params=TALLY)

    assert first.status == JobStatus.DONE and second.pk == first.pk
    assert ReportJob.objects.count() == 1
    assert first.data_version and first.as_of == D(2020, 8, 31)


def test_a_tally_entered_between_two_requests_makes_a_new_document_with_the_new_figure(councils, petition):
    before = services.run_now(kind="tally_table", params=TALLY)
    assert "18,000" in _text(before) and "19,000" not in _text(before)

    clerk = staff_of(councils["kanagawa"])
    record(clerk, petition, councils["kanagawa"], 1_000, collected_on=D(2020, 8, 20))
    after = services.run_now(kind="tally_table", params=TALLY)

    assert after.pk != before.pk and after.status == JobStatus.DONE
    assert after.data_version != before.data_version
    assert "19,000" in _text(after)
    # …and a double click on the corrected one is again a duplicate.
    assert services.run_now(kind="tally_table", params=TALLY).pk == after.pk


def test_a_deleted_ledger_row_makes_a_new_document(councils, petition):
    before = services.run_now(kind="tally_table", params=TALLY)
    # Not the newest entry: the row count sees it, not only the highest id.
    TallyEntry.objects.filter(petition=petition, count=5_000).delete()

    after = services.run_now(kind="tally_table", params=TALLY)

    assert after.pk != before.pk and "13,000" in _text(after)


def _policy_version():
    return data_version(get_kind("policy_draft"))


def test_every_kind_of_edit_changes_what_the_policy_draft_reads(councils, petition, django_assert_num_queries):
    """A tally entry, a chapter edit, an action edit, a caravan answer, the meeting's drives: each is a change."""
    meeting = factories.meeting(councils)
    staff = staff_of(councils["kanagawa"])
    action = campaign_factories.action(staff, councils["kanagawa"], title="桜木町駅前宣伝")
    questionnaire = caravans.questionnaire_create(
        user=staff,
        council=councils["kanagawa"],
        prefecture=councils["kanagawa"].prefecture,
        fiscal_year=2024,
        title="神奈川県 国保アンケート",
        sections=[("国保", [{"code": "1", "text": "資格確認書を全員に送付するか", "kind": "yes_no"}])],
    )
    question = questionnaire.questions.get()
    yokohama = Municipality.objects.get(code="141003")

    with django_assert_num_queries(1):  # every table the kind reads, in one query
        version = _policy_version()
    assert _policy_version() == version  # reading changes nothing

    def answer(raw):
        return caravans.answer_record(user=staff, question=question, municipality=yokohama, raw=raw)

    def edit_action():
        fields = {"title": "桜木町駅前宣伝（訂正）"}
        campaign_services.action_update(
            user=staff, action=action, kind=action.kind, organiser=action.organiser, fields=fields
        )

    edits = {
        "tally entry": lambda: record(staff, petition, councils["kanagawa"], 10, collected_on=D(2020, 8, 2)),
        "chapter edit": lambda: _edit_chapter(meeting),
        "action edit": edit_action,
        "caravan answer": lambda: answer("はい"),
        "caravan answer changed": lambda: answer("いいえ"),
        "drive added to the meeting": lambda: meeting.petitions.add(petition),
        "drive taken off the meeting": lambda: meeting.petitions.remove(petition),
    }
    for what, edit in edits.items():
        edit()
        changed = _policy_version()
        assert changed != version, what
        version = changed


def _edit_chapter(meeting):
    chapter = meeting.chapters.get(order=1)
    chapter.body += "\n\n訂正: 数字を直しました。"
    chapter.save()


def test_a_new_job_or_a_login_is_not_a_change_of_data(councils, petition, client):
    version = _policy_version()
    services.run_now(kind="tally_table", params=TALLY)
    staff = staff_of(councils["national"], role="national_staff")
    client.force_login(staff)  # writes last_login
    assert _policy_version() == version


def test_a_kind_that_names_what_it_reads_is_fingerprinted_on_that_alone(councils, petition):
    kind = ReportKind(
        name="ledger_only", label="台帳", params=(), clean=None, build=None, reads=("petitions.TallyEntry",)
    )
    assert [m._meta.label for m in data_models(kind)] == ["petitions.TallyEntry"]
    version = data_version(kind)
    _edit_chapter(factories.meeting(councils))
    assert data_version(kind) == version
    record(staff_of(councils["kanagawa"]), petition, councils["kanagawa"], 1, collected_on=D(2020, 8, 3))
    assert data_version(kind) != version


def test_the_job_page_says_which_data_the_document_was_made_from(councils, petition, client):
    job = services.run_now(kind="tally_table", params=TALLY)
    staff = staff_of(councils["national"], role="national_staff")
    client.force_login(staff)

    html = client.get(reverse("reports:job", args=[job.token])).content.decode()

    line = re.search(r'<p id="job-data">([^<]+)</p>', html)[1]
    assert line == f"基準日 2020年8月31日・{format_datetime(job.finished_at)} 時点のデータで作成"


def test_the_policy_draft_is_dated_by_its_meeting_and_a_directory_by_nothing(councils, petition, client):
    factories.meeting(councils)
    draft = services.run_now(kind="policy_draft", params={"meeting": "64"})
    directory = services.run_now(kind="council_directory", params={"prefecture": "14"})
    assert draft.as_of == factories.FIGURES_DAY and directory.as_of is None

    client.force_login(staff_of(councils["national"], role="national_staff"))
    html = client.get(reverse("reports:job", args=[directory.token])).content.decode()
    assert re.search(r'<p id="job-data">基準日の指定なし・[^<]+ 時点のデータで作成</p>', html)
    assert Chapter.objects.exists()

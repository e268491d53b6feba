"""Every site form, driven through its real view with Django's test client as a user of the right role,
with generated values in its fields (hypothesis; `tests.fuzz.strategies`).

For each form the page is read once (GET) and its form's fields filled as a user would (initial values, the
first choice offered); an example replaces some fields with what phones and copy-paste bring. Properties:

* never a 500 (the test client raises what the view raised);
* a refused form (the page again, with errors) writes nothing: every table of the form's apps counted before
  and after;
* every error shown is Japanese, and a field's error names the field (its label, as the page shows it).
"""

import datetime
import re

import pytest
from django.apps import apps
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from councils.models import Role
from tests.councils.factories import staff_of

from . import strategies as s
from .conftest import is_japanese, rolled_back

pytestmark = pytest.mark.django_db


def _counts(labels):
    return {m._meta.label: m._base_manager.count() for label in labels for m in apps.get_app_config(label).get_models()}


def _base_data(form):
    """The form filled as the page offers it: its initial values and, for a choice, the first one."""
    data = {}
    for name, bound in form.fields.items():
        value = form.initial.get(name, bound.initial)
        if callable(value):
            value = value()
        if value is None and hasattr(bound, "choices"):
            choices = [c for c, _label in bound.choices if c not in ("", None)]
            value = choices[0] if choices else ""
        if hasattr(value, "pk"):
            value = value.pk
        if hasattr(value, "value"):  # a ModelChoiceIteratorValue
            value = value.value
        if isinstance(value, datetime.date | datetime.time):
            value = value.isoformat()
        data[name] = "" if value is None else value
    return data


def _field_values(name):
    """What a field may receive: what the page would send, a count, a date, or something nasty."""
    return st.one_of(s.count_cell(-10, 10**6).map(str), s.date_cell().map(str), s.nasty_text())


class FormPage:
    def __init__(self, client, url, *, apps, method="post", extra=None, form_key="form"):
        self.client, self.url, self.apps, self.method = client, url, apps, method
        self.extra, self.form_key = extra or {}, form_key
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        self.form = page.context[form_key]
        self.base = {**_base_data(self.form), **self.extra}

    def send(self, data):
        if self.method == "get":
            return self.client.get(self.url, data)
        return self.client.post(self.url, data)


@st.composite
def filled(draw, page):
    data = dict(page.base)
    names = sorted(page.form.fields)
    for name in draw(st.sets(st.sampled_from(names), min_size=1, max_size=min(4, len(names)))):
        data[name] = draw(st.one_of(st.just(page.base.get(name, "")), _field_values(name)))
    return data


def check(page, data, examples):
    examples()
    with rolled_back():
        before = _counts(page.apps)
        response = page.send(data)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            return
        form = response.context[page.form_key] if page.form_key in (response.context or {}) else None
        if form is None or not form.is_bound or not form.errors:
            return
        assert _counts(page.apps) == before, "a refused form wrote something"
        for name, errors in form.errors.items():
            label = str(form.fields[name].label) if name in form.fields else ""
            for message in errors:
                assert is_japanese(message), (name, message)
                if label and name != "__all__":
                    assert _names(message, label), (name, label, message)


def _names(message, label):
    """The message names the field: its label, or a 「…」 quoting the start of it (「参加団体 1行目」: 人数を…)."""
    label = label.split("（")[0]
    quoted = re.findall(r"「([^」]+)」", message)
    return label in message or any(q and label.startswith(q) for q in quoted)


# --- the pages -------------------------------------------------------------------------------------------


@pytest.fixture
def tally_entry(client, organizer, kawasaki, petition):
    client.force_login(organizer)
    return FormPage(client, reverse("petitions:entry"), apps=["petitions"])


@pytest.fixture
def correction(client, organizer, kawasaki, petition):
    from tests.petitions.factories import record

    entry = record(organizer, petition, kawasaki, 42)
    client.force_login(organizer)
    return FormPage(client, reverse("petitions:correct", args=[entry.pk]), apps=["petitions"])


@pytest.fixture
def tally_table(client, kanagawa_staff, petition):
    client.force_login(kanagawa_staff)
    url = reverse("petitions:prefecture", args=[petition.slug, "14"])
    return FormPage(client, url, apps=["petitions"], method="get", form_key="filters")


@pytest.fixture
def street_action(client, organizer, kawasaki, petition):
    client.force_login(organizer)
    return FormPage(client, reverse("campaigns:street_entry"), apps=["campaigns", "petitions"])


@pytest.fixture
def action_signatures(client, organizer, kawasaki, petition):
    from tests.campaigns.factories import action

    done = action(organizer, kawasaki)
    client.force_login(organizer)
    return FormPage(
        client,
        reverse("campaigns:action", args=[done.pk]),
        apps=["campaigns", "petitions"],
        extra={"_signatures": "1"},
        form_key="signature_form",
    )


@pytest.fixture
def calendar_range(client, kanagawa_staff):
    client.force_login(kanagawa_staff)
    return FormPage(client, reverse("campaigns:calendar"), apps=["campaigns"], method="get")


REPORT_KINDS = [
    "newsletter", "calendar", "council_directory", "material_invoice", "policy_draft", "assembly_summary",
    "caravan_compilation", "prefecture_report", "tally_table", "consultation_summary",
]  # fmt: skip


def report_request(request, kind):
    """The request form of one report kind (shaho.core.report_kinds), as Kanagawa's staff see it."""
    client, user = request.getfixturevalue("client"), request.getfixturevalue("kanagawa_staff")
    request.getfixturevalue("petition")
    client.force_login(user)
    return FormPage(client, reverse("reports:new_kind", args=[kind]), apps=["reports"])


@pytest.fixture
def call_record(client, kanagawa):
    from tests.consultations import factories

    station = factories.station(factories.national_day(), kanagawa)
    me = factories.responder(station)
    factories.category("利用料・費用")
    client.force_login(me.user)
    return FormPage(client, reverse("consultations:call_new", args=[station.pk]), apps=["consultations"])


@pytest.fixture
def answer_sheet(client, tokyo):
    from municipalities.caravans import services

    user = staff_of(tokyo, role=Role.COUNCIL_STAFF)
    questions = [
        {"code": "1", "text": "滞納世帯数", "kind": "integer", "unit": "世帯"},
        {"code": "2", "text": "一人あたり保険料", "kind": "money"},
        {"code": "3", "text": "全員に送付するか", "kind": "yes_no"},
    ]
    questionnaire = services.questionnaire_create(
        user=user, council=tokyo, prefecture=tokyo.prefecture, fiscal_year=2024, title="国保アンケート",
        sections=[("国保", questions)],
    )  # fmt: skip
    client.force_login(user)
    url = reverse("caravans:answer_entry", args=[questionnaire.pk, "131130"])
    return FormPage(client, url, apps=["municipalities"])


@pytest.fixture
def call_edit(client, kanagawa):
    from tests.consultations import factories

    station = factories.station(factories.national_day(), kanagawa)
    me = factories.responder(station)
    made = factories.call(me, summary="母の介護", categories=[factories.category("利用料・費用")])
    client.force_login(me.user)
    return FormPage(client, reverse("consultations:call_edit", args=[made.pk]), apps=["consultations"])


@pytest.fixture
def action_confirm(client, kanagawa_staff, kawasaki):
    from tests.campaigns.factories import action

    done = action(kanagawa_staff, kawasaki)
    client.force_login(kanagawa_staff)
    return FormPage(
        client,
        reverse("campaigns:action", args=[done.pk]),
        apps=["campaigns"],
        extra={"_confirm": "1"},
        form_key="confirm_form",
    )


@pytest.fixture
def digest(client, kanagawa_staff, kawasaki):
    client.force_login(kanagawa_staff)
    return FormPage(client, reverse("reports:newsletter_digest"), apps=["reports"])


class PublishPage(FormPage):
    """The job page's 公開範囲 form, posted to its own URL (it always goes back to the job page)."""

    def __init__(self, client, job_url, publish_url):
        super().__init__(client, job_url, apps=["reports"], form_key="publish_form")
        self.url = publish_url


@pytest.fixture
def publish(client, kanagawa_staff, kanagawa):
    from reports.models import ReportJob

    job = ReportJob.objects.create(kind="council_directory", council=kanagawa, requested_by=kanagawa_staff)
    client.force_login(kanagawa_staff)
    return PublishPage(
        client, reverse("reports:job", args=[job.token]), reverse("reports:job_publish", args=[job.token])
    )


@pytest.fixture
def otp_token(client, kanagawa_staff):
    client.force_login(kanagawa_staff)
    return FormPage(client, reverse("otp_setup"), apps=["otp_totp"])


FORMS = [
    "tally_entry",
    "correction",
    "tally_table",
    "street_action",
    "action_signatures",
    "calendar_range",
    *(f"report:{kind}" for kind in REPORT_KINDS),
    "call_record",
    "answer_sheet",
    "call_edit",
    "action_confirm",
    "digest",
    "publish",
    "otp_token",
]


@pytest.mark.parametrize("name", FORMS)
@given(data=st.data())
def test_generated_input_never_breaks_a_form(name, request, examples, data):
    if name.startswith("report:"):
        page = report_request(request, name.removeprefix("report:"))
    else:
        page = request.getfixturevalue(name)
    check(page, data.draw(filled(page)), examples)


# --- what the fuzzing found, pinned ------------------------------------------------------------------------


def _errors(response, form_key="form"):
    return {name: list(errors) for name, errors in response.context[form_key].errors.items()}


def test_a_choice_not_offered_names_its_field(tally_table):
    """Found by the fuzzing: Django's 「正しく選択してください。 は候補にありません。」 did not say which field."""
    response = tally_table.send({**tally_table.base, "encoding": " ", "format": "pdf"})
    errors = _errors(response, "filters")
    assert errors["encoding"] == ["「文字コード」: 選べない値です。"]
    assert errors["format"] == ["「形式」: 選べない値です。"]


def test_a_missing_submission_token_is_explained_in_japanese_and_nothing_is_written(tally_entry):
    """Found by the fuzzing: the hidden token's error was Django's このフィールドは必須です。 with no name."""
    from petitions.models import TallyEntry

    response = tally_entry.send({**tally_entry.base, "count": "４２", "submission_token": ""})
    assert response.status_code == 200
    assert _errors(response)["submission_token"] == [
        "「送信の確認番号」が欠けているか壊れています。ページを開き直して、もう一度送信してください。"
    ]
    assert not TallyEntry.objects.exists()


def test_a_text_too_long_names_its_field_and_says_the_limit(tally_entry):
    from petitions.models import TallyEntry

    response = tally_entry.send({**tally_entry.base, "count": "42", "note": "あ" * 501})
    assert _errors(response)["note"] == ["「備考（任意）」は500文字以内で入力してください（いま501文字です）。"]
    assert not TallyEntry.objects.exists()


def test_an_empty_required_field_of_a_report_request_names_it(request):
    """Found by the fuzzing: every report kind's required parameter said このフィールドは必須です。"""
    page = report_request(request, "consultation_summary")
    response = page.send({**page.base, "date": ""})
    assert _errors(response)["date"] == ["「相談日」を入力してください。"]


def test_an_answer_sheet_without_its_source_names_the_field(answer_sheet):
    response = answer_sheet.send({**answer_sheet.base, "source": ""})
    assert _errors(response)["source"] == ["「出典」を入力してください。"]


def test_the_digest_reads_japanese_dates_and_refuses_an_issue_number_past_its_limit(digest):
    """The digest's fields were Django's own (no 令和, no limit on 号数); they are shaho's Japanese fields now."""
    dates = {"date": "令和7年12月7日", "start": "R7.11.1", "end": "２０２５年１１月３０日"}
    data = {**digest.base, "number": "9" * 30, **dates}
    response = digest.send(data)
    errors = _errors(response)
    assert list(errors) == ["number"]
    assert errors["number"] == ["「号数」は100000以下にしてください。"]


def test_a_nul_character_is_named_as_the_cause_with_the_field(tally_entry):
    """Found by the fuzzing (dev profile): Django's message for a NUL read 何か文字を入力してください。 on any field."""
    from petitions.models import TallyEntry

    response = tally_entry.send({**tally_entry.base, "count": "42", "note": "駅前\x00宣伝"})
    assert _errors(response)["note"] == [
        "「備考（任意）」に使えない文字（NUL）が含まれています。取り除いてから送信してください。"
    ]
    assert not TallyEntry.objects.exists()


def test_a_nul_in_a_choice_reads_as_a_choice_not_offered(tally_entry):
    """Found by the dev profile: a model choice checks for NUL on its own, with Django's 何か文字を入力してください。"""
    response = tally_entry.send({**tally_entry.base, "count": "42", "council": "1\x00"})
    assert _errors(response)["council"] == ["「社保協」: 選べない値です。"]

"""Report parameters and placeholders' arguments resolve only inside the requester's scope, and
"there is none" and "not yours" read the same: a request can't turn an identifier into another
prefecture's object, nor tell whether it exists.

Each test asks for a Tokyo object as Kanagawa staff and for one that does not exist, and compares
the two refusals with the typed value taken out. Without the scope call the Tokyo object is found
(and the request goes further, or fails differently), and the test goes red.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from petitions.models import PetitionDrive
from reports.models import Chapter, Meeting, ReportJob
from reports.services import request_job
from tests.councils.factories import staff_of
from tests.petitions.factories import PetitionDriveFactory

from . import factories

D = datetime.date


@pytest.fixture
def councils(db):
    return factories.federation()


@pytest.fixture
def kanagawa_staff(councils):
    return staff_of(councils["kanagawa"])


@pytest.fixture
def tokyo_drive(councils):
    return PetitionDriveFactory(
        title="東京都の介護署名", slug="tokyo-kaigo", organiser=councils["tokyo"], starts_on=D(2020, 1, 1)
    )


@pytest.fixture
def kanagawa_drive(councils):
    return PetitionDriveFactory(
        title="神奈川の国保署名", slug="kanagawa-kokuho", organiser=councils["kanagawa"], starts_on=D(2020, 1, 1)
    )


def _refusal(*, kind, params, user):
    with pytest.raises(ValidationError) as excinfo:
        request_job(kind=kind, params=params, user=user)
    return " ".join(excinfo.value.messages)


def test_tally_table_of_another_prefectures_drive_reads_as_no_such_drive(councils, kanagawa_staff, tokyo_drive):
    theirs = _refusal(kind="tally_table", params={"petition": "tokyo-kaigo", "date": "2020-08-31"}, user=kanagawa_staff)
    none = _refusal(kind="tally_table", params={"petition": "no-such", "date": "2020-08-31"}, user=kanagawa_staff)
    assert theirs.replace("tokyo-kaigo", "…") == none.replace("no-such", "…")
    assert "東京都の介護署名" not in theirs
    assert not ReportJob.objects.exists()


def test_tally_table_of_another_prefecture_reads_as_no_such_prefecture(councils, kanagawa_staff, kanagawa_drive):
    params = {"petition": "kanagawa-kokuho", "date": "2020-08-31"}
    theirs = _refusal(kind="tally_table", params={**params, "prefecture": "13"}, user=kanagawa_staff)
    none = _refusal(kind="tally_table", params={**params, "prefecture": "99"}, user=kanagawa_staff)
    assert theirs.replace("13", "…") == none.replace("99", "…")
    assert "東京" not in theirs
    by_name = _refusal(kind="tally_table", params={**params, "prefecture": "東京都"}, user=kanagawa_staff)
    assert by_name.replace("東京都", "…") == none.replace("99", "…")


def test_directory_of_another_prefecture_reads_as_no_such_prefecture(councils, kanagawa_staff):
    theirs = _refusal(kind="council_directory", params={"prefecture": "１３"}, user=kanagawa_staff)
    none = _refusal(kind="council_directory", params={"prefecture": "９９"}, user=kanagawa_staff)
    assert theirs.replace("１３", "…") == none.replace("９９", "…")
    assert "東京" not in theirs


def test_policy_draft_of_another_councils_meeting_reads_as_no_such_meeting(councils, kanagawa_staff):
    Meeting.objects.create(council=councils["tokyo"], number=33, title="東京都社保協第33回総会", date=D(2020, 7, 1))
    theirs = _refusal(kind="policy_draft", params={"meeting": "33"}, user=kanagawa_staff)
    none = _refusal(kind="policy_draft", params={"meeting": "34"}, user=kanagawa_staff)
    assert theirs.replace("33", "…") == none.replace("34", "…")
    assert "東京" not in theirs


def _kanagawa_meeting(councils, body):
    meeting = Meeting.objects.create(
        council=councils["kanagawa"], number=20, title="神奈川県社保協第20回総会", date=D(2020, 9, 1)
    )
    Chapter.objects.create(meeting=meeting, order=1, title="活動報告", body=body)
    return meeting


def test_placeholder_naming_another_prefectures_drive_reads_as_no_such_drive(
    councils, kanagawa_staff, tokyo_drive, kanagawa_drive
):
    _kanagawa_meeting(councils, "累計 {{ petition.to_date petition=tokyo-kaigo }}筆")
    theirs = _refusal(kind="policy_draft", params={"meeting": "20"}, user=kanagawa_staff)
    Chapter.objects.update(body="累計 {{ petition.to_date petition=no-such }}筆")
    none = _refusal(kind="policy_draft", params={"meeting": "20"}, user=kanagawa_staff)
    assert theirs.replace("tokyo-kaigo", "…") == none.replace("no-such", "…")
    # The drives offered instead are the requester's own (and the national ones), never Tokyo's.
    assert "kanagawa-kokuho" in theirs and theirs.count("tokyo-kaigo") == 2  # the text as typed, twice
    assert PetitionDrive.objects.filter(slug="tokyo-kaigo").exists()


def test_placeholder_naming_another_prefecture_reads_as_no_such_prefecture(councils, kanagawa_staff):
    _kanagawa_meeting(councils, "東京の割合 {{ coverage.percent prefecture=13 }}%")
    theirs = _refusal(kind="policy_draft", params={"meeting": "20"}, user=kanagawa_staff)
    Chapter.objects.update(body="東京の割合 {{ coverage.percent prefecture=99 }}%")
    none = _refusal(kind="policy_draft", params={"meeting": "20"}, user=kanagawa_staff)
    assert theirs.replace("13", "…") == none.replace("99", "…")
    assert "東京都" not in theirs


def test_own_prefecture_and_drive_resolve(councils, kanagawa_staff, kanagawa_drive):
    # The same lookups find what is the requester's: the refusals above are about scope, not syntax.
    _kanagawa_meeting(
        councils, "神奈川 {{ coverage.percent prefecture=14 }}%、累計 {{ petition.to_date petition=kanagawa-kokuho }}筆"
    )
    job, created = request_job(kind="policy_draft", params={"meeting": "20"}, user=kanagawa_staff)
    assert created and job.council == councils["kanagawa"]
    job, created = request_job(
        kind="tally_table",
        params={"petition": "kanagawa-kokuho", "date": "2020-08-31", "prefecture": "神奈川県"},
        user=kanagawa_staff,
    )
    assert created and job.params["prefecture"] == "14"

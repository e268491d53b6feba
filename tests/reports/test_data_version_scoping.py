"""The fingerprint of what a report reads (reports.selectors.data_version, shown on the job as データの版, and
part of a request's identity) counts only what the requester may see: a Tokyo edit never moves a Kanagawa
staffer's fingerprint, so neither the job page nor a double click tells Kanagawa that Tokyo's data changed.
What any council's document may print nationwide (the tally's totals) still counts whole."""

import datetime

import pytest

from campaigns import services as campaign_services
from reports import services as report_services
from reports.newsletters import services as newsletters
from reports.selectors import data_version
from shaho.core.report_kinds import get_kind
from tests.campaigns.factories import action, kind
from tests.consultations import factories as consultation
from tests.materials.factories import handed_out, line, material, order
from tests.petitions.factories import record

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def every_table():
    return get_kind("newsletter")  # reads=None: every model that holds report data


@pytest.fixture
def pamphlet(national):
    return material(national)  # national: everyone's to see and order


def _tokyo_edits(tokyo_staff, tokyo, pamphlet):
    """A Tokyo action added and then corrected, a consultation call, a newsletter, an order of the national
    pamphlet and a count of it handed out."""
    rally = action(tokyo_staff, tokyo, title="東京の行動", starts_on=D(2025, 9, 26), onsite_count=10)
    yield "action added"
    campaign_services.action_update(
        user=tokyo_staff, action=rally, kind=kind("street"), organiser=tokyo, fields={"onsite_count": 11}
    )
    yield "action corrected"
    station = consultation.station(consultation.national_day(D(2025, 9, 20)), tokyo)
    consultation.call(consultation.responder(station))
    yield "consultation call"
    newsletters.newsletter_create(
        user=tokyo_staff, council=tokyo, title="東京社保協ニュース", number=1, date=D(2025, 10, 1)
    )
    yield "newsletter"
    order(tokyo_staff, tokyo, pamphlet, [line(tokyo, 5)])
    yield "material order"
    handed_out(tokyo_staff, tokyo, pamphlet, 3)
    yield "distribution"


def test_a_tokyo_edit_never_moves_a_kanagawa_fingerprint(every_table, kanagawa_staff, tokyo_staff, tokyo, pamphlet):
    mine = data_version(every_table, user=kanagawa_staff)
    whole = data_version(every_table)
    for what in _tokyo_edits(tokyo_staff, tokyo, pamphlet):
        assert data_version(every_table, user=kanagawa_staff) == mine, what
        now = data_version(every_table)
        assert now != whole, what  # the same edit moves a system run's (and national staff's) fingerprint
        whole = now


def test_a_kanagawa_edit_moves_the_kanagawa_fingerprint(every_table, kanagawa_staff, kanagawa):
    before = data_version(every_table, user=kanagawa_staff)
    rally = action(kanagawa_staff, kanagawa, title="神奈川の行動", starts_on=D(2025, 9, 26), onsite_count=10)
    added = data_version(every_table, user=kanagawa_staff)
    assert added != before
    campaign_services.action_update(
        user=kanagawa_staff, action=rally, kind=kind("street"), organiser=kanagawa, fields={"onsite_count": 12}
    )
    assert data_version(every_table, user=kanagawa_staff) != added  # an edit, through the history


def test_the_tally_counts_whole_since_its_totals_print_nationwide(
    every_table, kanagawa_staff, tokyo_staff, tokyo, petition
):
    before = data_version(every_table, user=kanagawa_staff)
    record(tokyo_staff, petition, tokyo, 100, collected_on=D(2024, 1, 10))
    assert data_version(every_table, user=kanagawa_staff) != before


def test_a_kanagawa_double_click_after_a_tokyo_edit_is_still_one_job(
    kanagawa_staff, kanagawa, tokyo_staff, tokyo, pamphlet, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    issue = newsletters.newsletter_create(
        user=kanagawa_staff, council=kanagawa, title="神奈川社保協ニュース", number=1, date=D(2025, 10, 10)
    )
    newsletters.article_add(user=kanagawa_staff, newsletter=issue, title="総会", body="総会を開きました。")
    params = {"newsletter": str(issue.pk)}
    first, created = report_services.request_job(kind="newsletter", params=params, user=kanagawa_staff)
    assert created
    for _what in _tokyo_edits(tokyo_staff, tokyo, pamphlet):
        pass
    again, created = report_services.request_job(kind="newsletter", params=params, user=kanagawa_staff)
    assert (again.pk, created) == (first.pk, False)

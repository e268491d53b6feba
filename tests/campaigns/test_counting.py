"""Counting in the database: study sessions against the goal, actions per kind, participants per organisation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import selectors, services
from campaigns.models import Campaign, StudyGoal
from municipalities.models import Prefecture
from tests.campaigns.factories import D, action, rows
from tests.councils.factories import local_council

pytestmark = pytest.mark.django_db


def _sessions(user, council, n, day=None, onsite=20, **kwargs):
    for _ in range(n):
        action(user, council, code="study", starts_on=day or D(2019, 10, 1), onsite_count=onsite, **kwargs)


def test_study_sessions_per_council_prefecture_and_nation_against_the_goal(
    national_staff, national, kanagawa, kawasaki, tokyo
):
    _sessions(national_staff, kanagawa, 2, online_count=5)
    _sessions(national_staff, kawasaki, 3)
    _sessions(national_staff, tokyo, 4)
    _sessions(national_staff, tokyo, 1, day=D(2020, 10, 1))  # outside the period
    action(national_staff, kanagawa, code="street", starts_on=D(2019, 10, 1), onsite_count=99)  # not a study session
    StudyGoal.objects.create(council=national, year=2019, goal=10_000)
    StudyGoal.objects.create(council=kanagawa, year=2019, goal=10)
    start, end = D(2019, 9, 1), D(2020, 8, 31)

    nation = selectors.study_session_count(start=start, end=end)
    assert (nation.sessions, nation.attendance, nation.goal) == (9, 9 * 20 + 2 * 5, 10_000)
    pref = selectors.study_session_count(start=start, end=end, prefecture=kanagawa.prefecture)
    assert (pref.sessions, pref.goal, pref.percent) == (5, 10, 50.0)
    assert selectors.study_session_count(start=start, end=end, council=kawasaki).sessions == 3

    table = {r.label: r for r in selectors.study_sessions_by_prefecture(start=start, end=end)}
    assert (table["神奈川県"].sessions, table["神奈川県"].goal) == (5, 10) and table["東京都"].sessions == 4
    assert len(table) == Prefecture.objects.count()


def test_study_counts_take_a_constant_number_of_queries(national_staff, kanagawa, kawasaki, tokyo):
    start, end = D(2019, 9, 1), D(2020, 8, 31)
    measured = []
    for council in (kanagawa, kawasaki, tokyo, local_council("13", name="板橋社保協")):
        _sessions(national_staff, council, 3)
        with CaptureQueriesContext(connection) as national_q:
            selectors.study_session_count(start=start, end=end)
        with CaptureQueriesContext(connection) as table_q:
            selectors.study_sessions_by_prefecture(start=start, end=end)
        measured.append((len(national_q), len(table_q)))
    assert len(set(measured)) == 1 and measured[0] == (2, 3)


def test_actions_per_kind_and_participants_per_organisation_across_a_campaign(kanagawa_staff, kanagawa, kawasaki):
    parent = services.campaign_create(
        slug="hokensho", name="なくすな保険証！", starts_on=D(2023, 6, 1), lead_council=kanagawa
    )
    inner = Campaign.objects.create(
        slug="inner", name="神奈川", starts_on=D(2023, 9, 1), lead_council=kanagawa, parent=parent
    )
    action(kanagawa_staff, kanagawa, starts_on=D(2023, 11, 25), participants=rows(), campaigns=[inner])
    action(kanagawa_staff, kawasaki, starts_on=D(2023, 12, 14), campaigns=[parent],
           participants=[{"organisation_name": "保険医協会", "count": 6, "note": ""}])  # fmt: skip
    action(kanagawa_staff, kanagawa, code="negotiation", starts_on=D(2023, 11, 14), participants=rows()[:2])
    per_kind = {
        k.code: (n, people) for k, n, people in selectors.actions_per_kind(start=D(2023, 1, 1), end=D(2023, 12, 31))
    }
    assert per_kind["street"][0] == 2 and per_kind["negotiation"][0] == 1 and per_kind["study"][0] == 0
    per_org = selectors.participants_per_organisation(campaign=parent)
    assert per_org[0] == ("保険医協会", 2, 13)
    assert sum(people for _name, _n, people in per_org) == 32
    assert selectors.campaign_participants(campaign=parent)["n"] == 32


def test_policy_draft_figures_resolve_from_the_data_and_refuse_unknown_names(national_staff, kanagawa, kawasaki):
    from django.core.exceptions import ValidationError

    from shaho.core.figures import PlaceholderContext, resolve

    campaign = services.campaign_create(
        slug="nakusuna", name="なくすな保険証！", starts_on=D(2019, 6, 1), lead_council=kanagawa
    )
    _sessions(national_staff, kawasaki, 3)
    action(national_staff, kanagawa, starts_on=D(2019, 11, 25), participants=rows(), campaigns=[campaign])
    ctx = PlaceholderContext(date=D(2020, 9, 1))
    text = resolve(
        "学習会は {{ campaigns.study_sessions start=2019-09-01 }}ヶ所、"
        "{{ campaigns.study_attendance start=2019-09-01 }}人。"
        "宣伝 {{ campaigns.actions kind=street }}回、参加 {{ campaigns.participants campaign=nakusuna }}人。",
        ctx,
    )
    assert text == "学習会は3ヶ所、60人。宣伝1回、参加26人。"
    with pytest.raises(ValidationError, match="行動の種類「parade2」はありません"):
        resolve("{{ campaigns.actions kind=parade2 }}", ctx)


def test_a_council_asks_for_its_own_prefectures_calendar_not_the_nations(kanagawa_staff, tokyo):
    from django.core.exceptions import ValidationError

    from reports import services as report_services

    with pytest.raises(ValidationError, match="全国の当面の日程は中央事務局が作成します"):
        report_services.request_job(
            kind="calendar", params={"start": "2020-09-01", "end": "2020-11-30"}, user=kanagawa_staff
        )
    with pytest.raises(ValidationError, match="指定する権限がありません"):
        report_services.request_job(
            kind="prefecture_report", params={"prefecture": "13", "start": "2020-09-01", "end": "2020-11-30"},
            user=kanagawa_staff,
        )  # fmt: skip

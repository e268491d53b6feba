"""The campaigns' dashboard panels (campaigns/dashboard.py): study sessions this 年度, the actions coming up."""

import datetime

import pytest

from campaigns.models import StudyGoal
from shaho.core.dashboard import context_for, fiscal_year_start, panel
from tests.campaigns.factories import action
from tests.councils.dashboard_world import TOKYO_ACTION, add_upcoming, build_world, days

pytestmark = pytest.mark.django_db


def picture(key, user):
    result = panel(key).function(context_for(user))
    return result


def test_study_sessions_count_this_fiscal_year_against_the_national_goal():
    w = build_world()
    start = fiscal_year_start(w.today)
    StudyGoal.objects.create(council=w.national, year=start.year, goal=40)
    StudyGoal.objects.create(council=w.kanagawa, year=start.year, goal=4)
    action(w.kanagawa_staff, w.kawasaki, code="study", title="今年度", starts_on=start, onsite_count=12)
    action(w.kanagawa_staff, w.kawasaki, code="study", title="前年度", starts_on=start - datetime.timedelta(days=1))
    action(w.kanagawa_staff, w.kawasaki, code="street", title="宣伝は数えない", starts_on=start)
    p = picture("campaigns.study", w.national_staff)
    rows = {row[0]: row for row in p.table.rows}
    assert rows["神奈川県"] == ["神奈川県", 1, 12, 4, 25.0]
    assert rows["合計"][1] == 1 and rows["合計"][3] == 40
    assert f"{start.year}年度（全国） 1か所／目標40か所（2.5%）" in p.title


def test_a_prefecture_sees_its_councils_sessions():
    w = build_world()
    action(w.kanagawa_staff, w.kawasaki, code="study", title="川崎", starts_on=w.today)
    action(w.tokyo_staff, w.tokyo_local, code="study", title="東京", starts_on=w.today)
    rows = {row[0]: row[1] for row in picture("campaigns.study", w.kanagawa_staff).table.rows}
    assert rows == {"神奈川県社会保障推進協議会": 0, "川崎市社保協": 1, "合計": 1}


def test_upcoming_lists_the_calendar_in_date_order_without_cancelled_actions():
    w = build_world()
    add_upcoming(w)
    action(w.kanagawa_staff, w.kawasaki, title="明日の宣伝", starts_on=days(-1), status="planned")
    action(w.kanagawa_staff, w.kawasaki, title="中止の宣伝", starts_on=days(-2), status="cancelled")
    action(w.kanagawa_staff, w.kawasaki, title="遠い先", starts_on=days(-60), status="planned")
    rows = picture("campaigns.upcoming", w.kawasaki_member).table.rows
    assert [str(row[2]) for row in rows] == ["明日の宣伝", "桜木町駅前宣伝"]
    assert all(row[2].href for row in rows)  # the member may open their council's actions
    national = [str(row[2]) for row in picture("campaigns.upcoming", w.national_staff).table.rows]
    assert TOKYO_ACTION in national

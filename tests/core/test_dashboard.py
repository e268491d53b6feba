"""The dashboard registry (shaho/core/dashboard.py): audiences, registration, a picture recomputed for its user."""

import datetime

import pytest
from django.utils.safestring import mark_safe

from councils.models import Role
from shaho.core import dashboard
from shaho.core.pictures import Picture, Table
from tests.councils.factories import UserFactory, local_council, national_council, prefectural_council, staff_of

pytestmark = pytest.mark.django_db


def test_audience_follows_role_and_council():
    national = national_council()
    kanagawa = prefectural_council("14")
    local = local_council("14")
    assert dashboard.audience_of(staff_of(national, role=Role.NATIONAL_STAFF)) == dashboard.NATIONAL
    assert dashboard.audience_of(staff_of(national)) == dashboard.NATIONAL
    assert dashboard.audience_of(staff_of(kanagawa)) == dashboard.PREFECTURE
    assert dashboard.audience_of(staff_of(local)) == dashboard.LOCAL
    assert dashboard.audience_of(staff_of(local, role=Role.ORGANIZER)) == dashboard.LOCAL
    assert dashboard.audience_of(staff_of(kanagawa, role=Role.MEMBER)) == dashboard.MEMBER
    assert dashboard.audience_of(UserFactory(is_active=False, council=local)) is None


def test_register_refuses_unknown_audiences_and_a_key_twice():
    with pytest.raises(ValueError):
        dashboard.register("test.nobody", title="x", audiences={"everyone"})
    with pytest.raises(ValueError):
        dashboard.register("petitions.progress", title="x", audiences={dashboard.NATIONAL})(lambda ctx: None)


def test_picture_for_recomputes_for_the_user_and_refuses_other_audiences():
    calls = []

    @dashboard.register("test.echo", title="テスト", audiences={dashboard.LOCAL}, order=999)
    def echo(ctx):
        calls.append(ctx.user)
        return Picture("echo", ctx.council.name, mark_safe(""), Table(["社保協"], [[ctx.council.name]]))

    try:
        local = local_council("14", name="横浜市社保協")
        organizer = staff_of(local, role=Role.ORGANIZER)
        picture = dashboard.picture_for(dashboard.context_for(organizer), "test.echo", "echo")
        assert picture.table.rows == [["横浜市社保協"]] and calls == [organizer]
        assert picture.download == "/overview/test.echo/echo/"
        member = staff_of(local, role=Role.MEMBER)
        assert dashboard.picture_for(dashboard.context_for(member), "test.echo", "echo") is None
        assert dashboard.picture_for(dashboard.context_for(organizer), "test.echo", "other") is None
        assert dashboard.picture_for(None, "test.echo", "echo") is None
    finally:
        dashboard._PANELS.pop("test.echo")


def test_helpers():
    assert dashboard.add_years(datetime.date(2024, 2, 29), -1) == datetime.date(2023, 2, 28)
    assert dashboard.fiscal_year_start(datetime.date(2026, 3, 31)) == datetime.date(2025, 4, 1)
    assert dashboard.fiscal_year_start(datetime.date(2026, 4, 1)) == datetime.date(2026, 4, 1)
    assert dashboard.percent_of(1, 3) == 33.3 and dashboard.percent_of(5, None) is None
    assert dashboard.percent_scale([12.0, 99.9]) == 100.0
    assert dashboard.percent_scale([216.1]) == 200.0 and dashboard.percent_scale([101]) == 150.0
    assert str(dashboard.Link("桜木町駅前宣伝", "/campaigns/actions/1/")) == "桜木町駅前宣伝"

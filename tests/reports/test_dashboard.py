"""The reports' dashboard panel (reports/dashboard.py): the reports newly published to the member."""

import pytest

from councils.models import Role
from reports.models import Audience
from shaho.core.dashboard import context_for, panel, panels_for
from tests.councils.dashboard_world import add_published_report, build_world
from tests.councils.factories import staff_of

pytestmark = pytest.mark.django_db


def rows(user):
    p = panel("reports.published").function(context_for(user))
    return [] if p is None else [str(row[0]) for row in p.table.rows]


def test_only_reports_published_to_the_member_are_listed():
    w = build_world()
    assert rows(w.kawasaki_member) == []
    add_published_report(w, title="全会員へ")
    mine = add_published_report(w, title="神奈川の会員へ")
    mine.audience, mine.council = Audience.COUNCIL, w.kanagawa
    mine.save()
    tokyo = add_published_report(w, title="東京の会員へ")
    tokyo.audience, tokyo.council = Audience.COUNCIL, w.tokyo
    tokyo.save()
    hidden = add_published_report(w, title="非公開")
    hidden.audience = Audience.NONE
    hidden.save()
    assert set(rows(w.kawasaki_member)) == {"全会員へ", "神奈川の会員へ"}
    tokyo_member = staff_of(w.tokyo_local, role=Role.MEMBER)
    assert set(rows(tokyo_member)) == {"全会員へ", "東京の会員へ"}
    # Prefectural staff get no members' panel (they have the reports pages).
    assert "reports.published" not in [spec.key for spec, _ in panels_for(context_for(w.tokyo_staff))]


def test_at_most_five_newest_first():
    w = build_world()
    for i in range(7):
        add_published_report(w, title=f"報告{i}")
    assert len(rows(w.kawasaki_member)) == 5


def test_a_member_with_nothing_published_yet_is_told_so_with_the_way_to_the_downloads(client):
    w = build_world()
    p = panel("reports.published").function(context_for(w.kawasaki_member))
    assert p.table.rows == [] and "まだ公開された報告書はありません" in p.note
    client.force_login(w.kawasaki_member)
    page = client.get("/").content.decode()
    assert "まだ公開された報告書はありません" in page
    assert 'href="/reports/"' in page

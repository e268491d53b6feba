"""campaigns: its part of the query-count test (tests/test_query_counts.py).

BUILDERS (admin model → how to add k rows the staff may see), NATIONAL_ONLY (lists Kanagawa's staff never
see 30 rows of) and SITE_PAGES (page → (its URL for a world, how to add k rows it lists)), gathered by the engine.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from campaigns.models import Action, ActionKind, Campaign, LiaisonGroup, StudyGoal, Theme
from tests.walk_kit import D, serial


def _themes(world, k):
    for _ in range(k):
        Theme.objects.create(name=f"テーマ{next(serial)}")


def _action_kinds(world, k):
    for _ in range(k):
        n = next(serial)
        ActionKind.objects.create(code=f"kind-{n}", name=f"行動の種類{n}")


def _liaison_groups(world, k):
    for _ in range(k):
        LiaisonGroup.objects.create(name=f"連絡会{next(serial)}", council=world.local())


def _campaigns(world, k):
    parent = Campaign.objects.create(slug=f"c-{next(serial)}", name="親の運動", starts_on=D(2024, 1, 1),
                                     lead_council=world.kanagawa)  # fmt: skip
    for _ in range(k - 1):
        group = LiaisonGroup.objects.create(name=f"連絡会{next(serial)}", council=world.kanagawa)
        Campaign.objects.create(slug=f"c-{next(serial)}", name="運動", starts_on=D(2024, 1, 1),
                                lead_council=world.local(), parent=parent, liaison_group=group)  # fmt: skip


def _actions(world, k):
    # Actions of several councils, each with participation rows (the list shows the derived 「n団体m人」).
    from campaigns.models import Participation

    street = ActionKind.objects.get(code="street")
    for i in range(k):
        action = Action.objects.create(kind=street, title=f"宣伝{i}", starts_on=D(2024, 1, 10), organiser=world.local(),
                                       stated_organisations=3, stated_participants=9)  # fmt: skip
        Participation.objects.bulk_create(
            [Participation(action=action, organisation_name=f"団体{j}", count=3) for j in range(2)]
        )


def _study_goals(world, k):
    for _ in range(k):
        StudyGoal.objects.create(council=world.local(), year=2024, goal=50)


def _upcoming_actions(world, k):
    street = ActionKind.objects.get(code="street")
    today = timezone.localdate()
    for i in range(k):
        Action.objects.create(kind=street, title=f"予定{i}", starts_on=today + datetime.timedelta(days=i % 60),
                              organiser=world.local())  # fmt: skip


BUILDERS = {
    Theme: _themes,
    ActionKind: _action_kinds,
    LiaisonGroup: _liaison_groups,
    Campaign: _campaigns,
    Action: _actions,
    StudyGoal: _study_goals,
}


# Campaigns' shared vocabulary, kept by national staff.
NATIONAL_ONLY = {Theme, ActionKind}


SITE_PAGES = {
    # name: (url, how to add k rows that the page lists)
    "campaigns:calendar": (lambda world: reverse("campaigns:calendar"), _upcoming_actions),
    "campaigns:calendar_print": (lambda world: reverse("campaigns:calendar_print"), _upcoming_actions),
}

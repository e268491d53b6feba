"""campaigns: its part of the isolation walk (tests/test_isolation_walk.py).

Campaigns, liaison groups, actions and what hangs off them, study goals, the calendar, its feed and the actions' import.

The engine gathers CANARY_RECIPES (scoped model → its Tokyo row), URL_CASES (URL pattern → Case),
ADD_TWEAKS / ADD_IMPOSSIBLE (admin add forms) and after_planting(t) from every tests/<app>/walk.py.
"""

import io
import uuid

from campaigns.models import (
    Action,
    ActionKind,
    ActionOutput,
    CalendarFeed,
    Campaign,
    Demand,
    LiaisonGroup,
    Participation,
    PollOption,
    Speaker,
    StickerPoll,
    StudyGoal,
    Voice,
)
from tests.api.walk_cases import api_cases
from tests.councils.factories import national_council
from tests.petitions.factories import record
from tests.walk_kit import Case, D, r


def _tokyo_campaign(t):
    # A national campaign too, into which Kanagawa's assembly imports name Tokyo's municipalities.
    national = national_council()
    Campaign.objects.create(slug="walk-national", name="walk national", starts_on=D(2023, 1, 1), lead_council=national)
    return Campaign.objects.create(slug="walk-tokyo", name="walk", starts_on=D(2023, 1, 1), lead_council=t.tokyo)


def _tokyo_action(t):
    from campaigns.services import feed_for

    feed_for(council=t.kanagawa)  # Kanagawa's own feed exists too: its page and rotation are walked
    action = Action.objects.create(
        kind=ActionKind.objects.get(code="street"), title="walk", starts_on=D(2024, 1, 15), organiser=t.tokyo_local
    )
    # Tokyo's signatures at its action: the ledger's entry links to it (shown only within Tokyo)
    record(t.tokyo_staff, t.national_drive, t.tokyo_local, 17, collected_on=D(2024, 1, 15), action=action)
    return action


def _action_import_flow(client, t):
    """A list of actions naming Tokyo's councils as organisers (by number and by name): refused, nothing said."""
    header = "日付,種類,名称,主催"
    text = "\n".join(
        [header, f"2024-01-20,宣伝行動,walk,{t.tokyo_local.pk}", f"2024-01-21,学習会,walk,{t.tokyo_local.name}"]
    )
    upload = io.BytesIO(text.encode())
    upload.name = "walk-actions.csv"
    url = r("admin:campaigns_action_import")
    preview = client.post(url, {"file": upload})
    token = (preview.context or {}).get("token", "") if preview.status_code == 200 else ""
    outcome = client.get(r("admin:campaigns_action_import_outcome", token=token))
    return [
        ("POST import preview", preview, text),
        ("GET import outcome", outcome, text),
        ("POST import commit", client.post(url, {"_commit": "1", "token": token}), text),
    ]


def _street_data(t, council):
    return {
        "kind": ActionKind.objects.get(code="street").pk, "organiser": council.pk, "title": "walk",
        "starts_on": "2024-01-16", "place": "walk", "p1_name": "walk", "p1_count": "3", "rows": "4",
        f"sig_{t.national_drive.pk}": "5", "submission_token": str(uuid.uuid4()),
    }  # fmt: skip


CANARY_RECIPES = {
    # campaigns: Tokyo's campaign, liaison group, action and every row of it, its goal and its feed
    LiaisonGroup: lambda t: LiaisonGroup.objects.create(name="walk", council=t.tokyo_local),
    Campaign: lambda t: _tokyo_campaign(t),
    Action: lambda t: _tokyo_action(t),
    Participation: lambda t: Participation.objects.create(action=t[Action], organisation_name="walk", count=3),
    Speaker: lambda t: Speaker.objects.create(action=t[Action], name="walk"),
    ActionOutput: lambda t: ActionOutput.objects.create(action=t[Action], quantity=100),
    StickerPoll: lambda t: StickerPoll.objects.create(action=t[Action], question="walk", stated_total=5),
    PollOption: lambda t: PollOption.objects.create(poll=t[StickerPoll], label="walk", count=5),
    Voice: lambda t: Voice.objects.create(action=t[Action], text="walk"),
    Demand: lambda t: Demand.objects.create(action=t[Action], number=1, text="walk"),
    StudyGoal: lambda t: StudyGoal.objects.create(council=t.tokyo_local, year=2023, goal=50),
    CalendarFeed: lambda t: CalendarFeed.objects.create(council=t.tokyo_local, token="walk-tokyo-feed-token"),
}


URL_CASES = {
    # campaigns: the calendar of another prefecture's council, its export and feed settings are not found;
    # Tokyo's action page, and writes to it, neither.
    "campaigns:calendar": Case(
        urls=lambda t: [r("campaigns:calendar"), r("campaigns:calendar", start="2024-01-01", end="2024-12-31")],
        objects=lambda t: [r("campaigns:calendar", council=t.tokyo_local.pk)],
    ),
    "campaigns:calendar_print": Case(
        urls=lambda t: [r("campaigns:calendar_print", start="2024-01-01", end="2024-12-31")],
        objects=lambda t: [r("campaigns:calendar_print", council=t.tokyo.pk)],
    ),
    "campaigns:export": Case(
        urls=lambda t: [r("campaigns:export", start="2024-01-01", format=f) for f in ("xlsx", "csv")],
        objects=lambda t: [r("campaigns:export", council=t.tokyo_local.pk, format="csv")],
    ),
    "campaigns:street_entry": Case(
        urls=lambda t: [r("campaigns:street_entry")],
        posts=lambda t: [(r("campaigns:street_entry"), _street_data(t, t.tokyo_local))],
    ),
    "campaigns:action": Case(
        objects=lambda t: [r("campaigns:action", t[Action].pk)],
        posts=lambda t: [
            (r("campaigns:action", t[Action].pk), {"_signatures": "1", "petition": t.national_drive.pk, "count": "5"}),
            (r("campaigns:action", t[Action].pk), {"_confirm": "1", "note": "walk"}),
        ],
    ),
    "campaigns:feed_settings": Case(
        urls=lambda t: [r("campaigns:feed_settings")],
        objects=lambda t: [r("campaigns:feed_settings", council=t.tokyo_local.pk)],
        posts=lambda t: [(r("campaigns:feed_settings", council=t.tokyo_local.pk), {})],
    ),
    # The feed is read by calendar programs without a session: its secret token is the key (rotatable by the
    # council's staff). A wrong token finds nothing; Tokyo's token never appears on any page walked here.
    "campaigns:feed": Case(urls=lambda t: [r("campaigns:feed", "not-a-token"), r("campaigns:feed", "walk-tokyo")]),
    "admin:campaigns_action_import": Case(
        urls=lambda t: [r("admin:campaigns_action_import")], flow=_action_import_flow
    ),
    "admin:campaigns_action_import_outcome": Case(
        urls=lambda t: [r("admin:campaigns_action_import_outcome", token="0" * 32)]
    ),
    "admin:campaigns_action_import_template": Case(urls=lambda t: [r("admin:campaigns_action_import_template")]),
}


ADD_TWEAKS = {
    StudyGoal: lambda t: {"year": "2024"},
}


# The read API's endpoints of this app (tests/api/walk_cases.py; requested with a Kanagawa token header).
URL_CASES.update(api_cases("api:campaign"))

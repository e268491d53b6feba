"""councils: its part of the isolation walk (tests/test_isolation_walk.py).

Councils, organisations, memberships, officers and accounts.

The engine gathers CANARY_RECIPES (scoped model → its Tokyo row), URL_CASES (URL pattern → Case),
ADD_TWEAKS / ADD_IMPOSSIBLE (admin add forms) and after_planting(t) from every tests/<app>/walk.py.
"""

from councils.models import Council, CouncilStage, Membership, Officer, Organisation, User
from tests.walk_kit import PASSWORD, Case, D, r

CANARY_RECIPES = {
    Council: lambda t: t.tokyo_local,
    CouncilStage: lambda t: (
        t.tokyo_local.stages.first()
        or CouncilStage.objects.create(council=t.tokyo_local, kind=t.tokyo_local.kind, since=D(2005, 6, 1))
    ),
    Organisation: lambda t: t.tokyo_org,
    Membership: lambda t: Membership.objects.create(organisation=t.tokyo_org, council=t.tokyo_local),
    Officer: lambda t: Officer.objects.create(
        council=t.tokyo_local, role=Officer.Role.PRESIDENT, organisation=t.tokyo_org
    ),
    User: lambda t: t.tokyo_staff,
}


def _overview_downloads(t):
    """Every dashboard picture's download, as xlsx and CSV: the national drive's and Tokyo's drive's (a 404)."""
    pictures = [
        ("petitions.progress", f"progress-{t.national_drive.slug}"),
        ("petitions.progress", f"progress-{t.tokyo_drive.slug}"),
        ("petitions.ranking", f"ranking-{t.national_drive.slug}"),
        ("petitions.ranking", f"ranking-{t.tokyo_drive.slug}"),
        ("petitions.due", "due"),
        ("petitions.council", "council"),
        ("petitions.entries", "entries"),
        ("campaigns.study", "study"),
        ("campaigns.upcoming", "upcoming"),
        ("consultations.last_day", "last-day"),
        ("reports.published", "published"),
    ]
    return [r("overview_download", panel, key, format=fmt) for panel, key in pictures for fmt in ("csv", "xlsx")]


URL_CASES = {
    # The home page's dashboard pictures, recomputed for the requesting user (the home page itself: tests/core/walk.py).
    "overview_download": Case(urls=_overview_downloads),
    "admin:auth_user_password_change": Case(
        objects=lambda t: [f"/admin/councils/user/{t[User].pk}/password/"],
        posts=lambda t: [
            (f"/admin/councils/user/{t[User].pk}/password/", {"password1": PASSWORD, "password2": PASSWORD})
        ],
    ),
}


def after_planting(t):
    """Tokyo's canary action moved into the next days, so the dashboards' 当面の行動 would show it if unscoped."""
    import datetime

    from django.utils import timezone

    from campaigns.models import Action

    Action.objects.filter(pk=t[Action].pk).update(
        starts_on=timezone.localdate() + datetime.timedelta(days=3), ends_on=None, status=Action.Status.PLANNED
    )

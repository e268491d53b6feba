"""The isolation walk's cases of the read API's endpoints of issue 21 part 3 (campaigns, caravans, assemblies,
consultations, reports), in the walk's own format (tests/walk_kit.py `Case`, `t` = tests/test_isolation_walk.py's
planted world): `urls` are what a Kanagawa token may read (no Tokyo canary may show), `objects` Tokyo's rows
(a 200 fails). Requested with a Kanagawa token header (事務局 and 会員向け), as JSON and as CSV.

Each app's tests/<app>/walk.py adds its share to its URL_CASES (`api_cases(prefix)`, which marks them `api=True`),
as docs/api.md asks; tests/api/test_rest_walk.py also walks them with tokens over the walk's own planting.
"""

import dataclasses

from campaigns.models import Action, Campaign
from consultations.models import ConsultationDay
from municipalities.assemblies.models import AssemblyPetition
from municipalities.caravans.models import Questionnaire
from reports.models import ReportJob
from tests.walk_kit import TOKYO, Case, r

KANAGAWA_CITY = "141003"  # 横浜市
SHIBUYA = "131130"


def _national_campaign(t):
    return Campaign.objects.get(slug="walk-national").pk


PERIOD = {"from": "2023-01-01", "to": "2024-12-31"}

API_URL_CASES = {
    # campaigns
    "api:campaign-list": Case(urls=lambda t: [r("api:campaign-list")]),
    "api:campaign-detail": Case(
        urls=lambda t: [r("api:campaign-detail", _national_campaign(t))],
        objects=lambda t: [r("api:campaign-detail", t[Campaign].pk)],
    ),
    "api:campaign-counts": Case(
        urls=lambda t: [r("api:campaign-counts", _national_campaign(t))],
        objects=lambda t: [r("api:campaign-counts", t[Campaign].pk)],
    ),
    "api:campaign-organisations": Case(
        urls=lambda t: [r("api:campaign-organisations", _national_campaign(t))],
        objects=lambda t: [r("api:campaign-organisations", t[Campaign].pk)],
    ),
    "api:campaign-action-list": Case(
        urls=lambda t: [r("api:campaign-action-list"), r("api:campaign-action-list", campaign=_national_campaign(t))]
    ),
    "api:campaign-action-detail": Case(objects=lambda t: [r("api:campaign-action-detail", t[Action].pk)]),
    "api:campaign-calendar": Case(
        urls=lambda t: [r("api:campaign-calendar", **PERIOD)],
        objects=lambda t: [r("api:campaign-calendar", council=t.tokyo_local.pk, **PERIOD)],
    ),
    "api:campaign-calendar-feed": Case(
        urls=lambda t: [r("api:campaign-calendar-feed")],
        objects=lambda t: [r("api:campaign-calendar-feed", council=t.tokyo_local.pk)],
    ),
    # caravans
    "api:caravan-questionnaire-list": Case(urls=lambda t: [r("api:caravan-questionnaire-list")]),
    "api:caravan-questionnaire-detail": Case(
        objects=lambda t: [r("api:caravan-questionnaire-detail", t[Questionnaire].pk)]
    ),
    "api:caravan-answers": Case(objects=lambda t: [r("api:caravan-answers", t[Questionnaire].pk)]),
    "api:caravan-municipality-indicators": Case(
        urls=lambda t: [r("api:caravan-municipality-indicators", KANAGAWA_CITY)],
        objects=lambda t: [r("api:caravan-municipality-indicators", SHIBUYA)],
    ),
    "api:caravan-prefecture-indicator": Case(objects=lambda t: [r("api:caravan-prefecture-indicator", TOKYO, "walk")]),
    # assemblies
    "api:assembly-petition-list": Case(urls=lambda t: [r("api:assembly-petition-list")]),
    "api:assembly-petition-detail": Case(objects=lambda t: [r("api:assembly-petition-detail", t[AssemblyPetition].pk)]),
    "api:assembly-adoptions": Case(
        urls=lambda t: [r("api:assembly-adoptions", _national_campaign(t))],
        objects=lambda t: [r("api:assembly-adoptions", t[Campaign].pk)],
    ),
    "api:assembly-party-votes": Case(
        urls=lambda t: [r("api:assembly-party-votes"), r("api:assembly-party-votes", campaign=_national_campaign(t))]
    ),
    # consultations: days and totals only
    "api:consultation-day-list": Case(urls=lambda t: [r("api:consultation-day-list")]),
    "api:consultation-day-detail": Case(objects=lambda t: [r("api:consultation-day-detail", t[ConsultationDay].pk)]),
    "api:consultation-day-totals": Case(objects=lambda t: [r("api:consultation-day-totals", t[ConsultationDay].pk)]),
    # reports
    "api:report-job-list": Case(urls=lambda t: [r("api:report-job-list")]),
    "api:report-job-detail": Case(objects=lambda t: [r("api:report-job-detail", t[ReportJob].pk)]),
    "api:report-job-file": Case(objects=lambda t: [r("api:report-job-file", t[ReportJob].pk)]),
}


def api_cases(*prefixes):
    """The cases whose URL names start with one of `prefixes` (an app's share, for its tests/<app>/walk.py), as API
    cases of the walk (`Case(api=True)`: requested with Kanagawa's tokens, not a session)."""
    return {key: dataclasses.replace(case, api=True) for key, case in API_URL_CASES.items() if key.startswith(prefixes)}

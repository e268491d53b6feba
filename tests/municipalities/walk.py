"""municipalities: its part of the isolation walk (tests/test_isolation_walk.py).

The registry (prefectures, municipalities, blocks), the caravans (questionnaires, answers, talks, letters,
public pages) and the local assemblies (petitions, votes, 意見書, their import and count).

The engine gathers CANARY_RECIPES (scoped model → its Tokyo row), URL_CASES (URL pattern → Case),
ADD_TWEAKS / ADD_IMPOSSIBLE (admin add forms) and after_planting(t) from every tests/<app>/walk.py.
"""

import datetime
import io

from campaigns.models import Campaign
from municipalities.models import (
    Answer,
    Assembly,
    AssemblyPetition,
    AssemblyVote,
    Block,
    Caravan,
    CaravanCourse,
    CaravanTarget,
    DemandItem,
    DemandLetter,
    Municipality,
    MunicipalityChange,
    OpinionStatement,
    PartyGroup,
    Prefecture,
    Question,
    Questionnaire,
    QuestionnaireSection,
    Sitting,
    Talk,
    TalkItem,
    TalkOfficial,
    TalkParticipation,
)
from shaho.core.models import PendingUpload
from tests.api.walk_cases import api_cases
from tests.walk_kit import KANAGAWA, TOKYO, Case, D, r


def _assembly_import_flow(client, t):
    """Files naming 渋谷区 (by name and by code) into a Kanagawa-visible campaign and into Tokyo's: nothing found."""
    national_campaign = Campaign.objects.get(slug="walk-national")
    header = "都道府県,市区町村,件名,会期,委員会の審査日"
    url = r("admin:municipalities_assemblypetition_import")
    out = []
    for label, campaign, row in (
        ("by-name", national_campaign, "東京都,渋谷区,walk,2023年12月議会,2023-12-05"),
        ("by-code", national_campaign, "東京都,131130,walk,2023年12月議会,2023-12-05"),
        ("tokyo-campaign", t[Campaign], "神奈川県,大磯町,walk,2023年12月議会,2023-12-05"),
    ):
        text = f"{header}\n{row}\n"
        sent = f"{text}{campaign.slug}"
        upload = io.BytesIO(text.encode())
        upload.name = f"walk-{label}.csv"
        preview = client.post(url, {"campaign": campaign.slug, "file": upload, "encoding": ""})
        out.append((f"POST {url} ({label} preview)", preview, sent))
        token = (preview.context or {}).get("token", "") if preview.status_code == 200 else ""
        out.append((f"POST {url} ({label} commit)", client.post(url, {"_commit": "1", "token": token}), sent))
    return out


def _walk_answer_sheet(t):
    """An answer sheet for Tokyo's questionnaire naming Tokyo's 渋谷区 (sent to Tokyo's questionnaire page)."""
    upload = io.BytesIO(f"団体コード,市区町村名,{t[Question].header}\n131130,渋谷区,walk\n".encode())
    upload.name = "walk.csv"
    return upload


CANARY_RECIPES = {
    Block: lambda t: Block.objects.create(name="walk", order=99),
    Prefecture: lambda t: Prefecture.objects.get(code=TOKYO),
    Municipality: lambda t: Municipality.objects.get(code="131130"),  # 渋谷区
    MunicipalityChange: lambda t: MunicipalityChange.objects.create(
        effective_on=D(2030, 4, 1), kind=MunicipalityChange.Kind.OTHER, description="walk"
    ),
    # local assemblies: 渋谷区's assembly, its group, sitting, petition (by Tokyo's local council), vote, 意見書
    Assembly: lambda t: Assembly.objects.create(
        municipality=Municipality.objects.get(code="131130"), prefecture=Prefecture.objects.get(code=TOKYO)
    ),
    PartyGroup: lambda t: PartyGroup.objects.create(assembly=t[Assembly], name="walk"),
    Sitting: lambda t: Sitting.objects.create(
        assembly=t[Assembly], season="12", year=2023, starts_on=D(2023, 11, 28), ends_on=D(2023, 12, 20)
    ),
    AssemblyPetition: lambda t: AssemblyPetition.objects.create(
        assembly=t[Assembly],
        sitting=t[Sitting],
        title="walk",
        campaign=t[Campaign],
        submitted_by=t.tokyo_local,
        committee_on=D(2023, 12, 5),
        committee_outcome="adopted",
        outcome="adopted",
        decided_on=D(2023, 12, 5),
    ),
    AssemblyVote: lambda t: AssemblyVote.objects.create(
        petition=t[AssemblyPetition], group=t[PartyGroup], position="for"
    ),
    OpinionStatement: lambda t: OpinionStatement.objects.create(
        assembly=t[Assembly],
        petition=t[AssemblyPetition],
        campaign=t[Campaign],
        title="walk",
        status="adopted",
        adopted_on=D(2023, 12, 20),
    ),
    # The caravans: Tokyo's questionnaire is not published, so no public page may show any of it.
    Questionnaire: lambda t: Questionnaire.objects.create(
        council=t.tokyo, prefecture=t.tokyo.prefecture, fiscal_year=2024, title="w"
    ),
    QuestionnaireSection: lambda t: QuestionnaireSection.objects.create(
        questionnaire=t[Questionnaire], number=1, title="w"
    ),
    Question: lambda t: Question.objects.create(
        questionnaire=t[Questionnaire],
        section=t[QuestionnaireSection],
        code="1",
        text="w",
        kind="text",
        is_indicator=True,
        indicator_key="walk",
    ),
    Answer: lambda t: Answer.objects.create(
        question=t[Question],
        municipality=Municipality.objects.get(code="131130"),
        text="w",
        entered_by=t.tokyo_staff,
        entered_at=datetime.datetime(2024, 10, 1, tzinfo=datetime.UTC),
    ),
    Caravan: lambda t: Caravan.objects.create(
        council=t.tokyo, prefecture=t.tokyo.prefecture, fiscal_year=2024, title="w", questionnaire=t[Questionnaire]
    ),
    CaravanCourse: lambda t: CaravanCourse.objects.create(caravan=t[Caravan], number=1, name="w"),
    CaravanTarget: lambda t: CaravanTarget.objects.create(
        caravan=t[Caravan], municipality=Municipality.objects.get(code="131130"), course=t[CaravanCourse]
    ),
    Talk: lambda t: Talk.objects.create(
        target=t[CaravanTarget], held_at=datetime.datetime(2024, 11, 2, 5, tzinfo=datetime.UTC), place="w"
    ),
    TalkParticipation: lambda t: TalkParticipation.objects.create(talk=t[Talk], organisation_name="w", count=3),
    TalkOfficial: lambda t: TalkOfficial.objects.create(talk=t[Talk], department="w", count=2),
    TalkItem: lambda t: TalkItem.objects.create(talk=t[Talk], number=1, demand="w"),
    DemandLetter: lambda t: DemandLetter.objects.create(target=t[CaravanTarget], title="w"),
    DemandItem: lambda t: DemandItem.objects.create(letter=t[DemandLetter], number=1, text="w"),
}


URL_CASES = {
    # The assemblies' pages: Tokyo's campaign and its rows neither count, export, nor import for Kanagawa.
    "admin:municipalities_assemblypetition_count": Case(
        urls=lambda t: [r("admin:municipalities_assemblypetition_count")],
        objects=lambda t: [r("admin:municipalities_assemblypetition_count", campaign=t[Campaign].slug)],
    ),
    "admin:municipalities_assemblypetition_export": Case(
        objects=lambda t: [
            r("admin:municipalities_assemblypetition_export", campaign=t[Campaign].slug, **f)
            for f in ({}, {"format": "csv"})
        ]
    ),
    "admin:municipalities_assemblypetition_import": Case(
        urls=lambda t: [r("admin:municipalities_assemblypetition_import")], flow=_assembly_import_flow
    ),
    "admin:municipalities_assemblypetition_import_outcome": Case(
        urls=lambda t: [r("admin:municipalities_assemblypetition_import_outcome", token="0" * 32)]
    ),
    # The caravans' staff pages: another prefecture's caravan, questionnaire (and its xlsx and import),
    # municipality and indicator are 404s.
    "caravans:list": Case(urls=lambda t: [r("caravans:list")]),
    "caravans:caravan": Case(objects=lambda t: [r("caravans:caravan", t[Caravan].pk)]),
    "caravans:questionnaire": Case(
        objects=lambda t: [
            r("caravans:questionnaire", t[Questionnaire].pk),
            r("caravans:questionnaire", t[Questionnaire].pk, format="xlsx"),
        ],
    ),
    # The answers' import (the one flow, on the questionnaire admin): Tokyo's questionnaire is no target.
    "admin:municipalities_questionnaire_import": Case(
        urls=lambda t: [r("admin:municipalities_questionnaire_import", questionnaire=t[Questionnaire].pk)],
        posts=lambda t: [
            (r("admin:municipalities_questionnaire_import"), {"_commit": "1", "token": t[PendingUpload].token}),
            (
                r("admin:municipalities_questionnaire_import"),
                {"questionnaire": t[Questionnaire].pk, "file": _walk_answer_sheet(t), "encoding": ""},
            ),
        ],
    ),
    "admin:municipalities_questionnaire_import_outcome": Case(
        urls=lambda t: [r("admin:municipalities_questionnaire_import_outcome", token=t[PendingUpload].token)]
    ),
    "admin:municipalities_questionnaire_export": Case(
        objects=lambda t: [r("admin:municipalities_questionnaire_export", questionnaire=t[Questionnaire].pk)]
    ),
    "caravans:answer_entry": Case(
        objects=lambda t: [r("caravans:answer_entry", t[Questionnaire].pk, "131130")],
        posts=lambda t: [(r("caravans:answer_entry", t[Questionnaire].pk, "131130"), {f"q{t[Question].pk}": "walk"})],
    ),
    # Only national templates are copied: Tokyo's questionnaire is not one, for anyone.
    "caravans:copy_template": Case(posts=lambda t: [(r("caravans:copy_template", t[Questionnaire].pk), {})]),
    "caravans:municipality": Case(
        urls=lambda t: [r("caravans:municipality", "141003")],
        objects=lambda t: [r("caravans:municipality", "131130")],
    ),
    "caravans:indicator": Case(
        urls=lambda t: [r("caravans:indicator", KANAGAWA, t[Question].indicator_key)],
        objects=lambda t: [
            r("caravans:indicator", TOKYO, t[Question].indicator_key),
            r("caravans:indicator", TOKYO, t[Question].indicator_key, sort="change"),
        ],
    ),
    # The public pages (no login): what is not published — Tokyo's questionnaire — is not found, for anyone.
    "public:index": Case(urls=lambda t: [r("public:index")]),
    "public:prefecture": Case(
        urls=lambda t: [r("public:prefecture", KANAGAWA)], objects=lambda t: [r("public:prefecture", TOKYO)]
    ),
    "public:questionnaire": Case(objects=lambda t: [r("public:questionnaire", t[Questionnaire].pk)]),
    "public:municipality": Case(objects=lambda t: [r("public:municipality", t[Questionnaire].pk, "131130")]),
    # The public maps (issue 17): Tokyo's unpublished questionnaire has no answer map, its question no cell;
    # a Tokyo campaign has no public adoption map; the national campaign's map (with Tokyo's petition planted
    # below, canaries in its text) shows outcomes only — to anyone, as shaho.core.public says.
    "public:answer_map": Case(
        objects=lambda t: [
            r("public:answer_map", t[Questionnaire].pk),
            r("public:answer_map", t[Questionnaire].pk, question=t[Question].pk),
            r("public:answer_map", t[Questionnaire].pk, question=t[Question].pk, format="csv"),
        ]
    ),
    "public_assemblies:index": Case(urls=lambda t: [r("public_assemblies:index")]),
    "public_assemblies:campaign": Case(
        urls=lambda t: [
            r("public_assemblies:campaign", "walk-national", **f) for f in ({}, {"format": "csv"}, {"format": "xlsx"})
        ],
        objects=lambda t: [
            r("public_assemblies:campaign", t[Campaign].slug),
            r("public_assemblies:campaign", t[Campaign].slug, format="csv"),
        ],
    ),
    "public_assemblies:prefecture": Case(
        urls=lambda t: [
            r("public_assemblies:prefecture", "walk-national", code, **f)
            for code in (KANAGAWA, TOKYO)
            for f in ({}, {"format": "csv"})
        ],
        objects=lambda t: [
            r("public_assemblies:prefecture", t[Campaign].slug, TOKYO),
            r("public_assemblies:prefecture", t[Campaign].slug, TOKYO, format="xlsx"),
        ],
    ),
}


def after_planting(t):
    """渋谷区's petition and 意見書 in the national campaign too, canaries in every text: the public adoption map
    and the dashboards show its outcome (to anyone, and to national staff), never its text."""
    national_campaign = Campaign.objects.get(slug="walk-national")
    petition = AssemblyPetition.objects.create(
        assembly=t[Assembly], sitting=t[Sitting], title="walk", campaign=national_campaign,
        submitted_by=t.tokyo_local, committee_on=D(2023, 12, 5), committee_outcome="adopted", outcome="adopted",
        decided_on=D(2023, 12, 5),
    )  # fmt: skip
    statement = OpinionStatement.objects.create(
        assembly=t[Assembly], petition=petition, campaign=national_campaign, title="walk", status="adopted",
        adopted_on=D(2023, 12, 20),
    )  # fmt: skip
    t.fill(petition)
    t.fill(statement)


ADD_TWEAKS = {
    Municipality: lambda t: {"code": "139998"},
    Assembly: lambda t: {"municipality": str(Municipality.objects.get(code="131041").pk)},  # 新宿区
    Sitting: lambda t: {"year": "2022"},
    Caravan: lambda t: {"fiscal_year": "2025"},
    CaravanTarget: lambda t: {"municipality": str(Municipality.objects.get(code="131016").pk)},
    Answer: lambda t: {"municipality": str(Municipality.objects.get(code="131016").pk)},
}


ADD_IMPOSSIBLE = {
    Prefecture: "all 47 prefectures exist; there is no 48th to add",
}


# The read API's endpoints of this app (tests/api/walk_cases.py; requested with a Kanagawa token header).
URL_CASES.update(api_cases("api:caravan", "api:assembly"))

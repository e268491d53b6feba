"""The isolation walk: nothing of one prefecture reaches another prefecture's users, by any URL.

One planting, then one walk:

1. Canaries. Every scoped model (every model with `scope_filter`, found through
   `apps.get_models()`) gets a Tokyo row from its recipe in CANARY_RECIPES, and every text field
   of that row that can hold one gets a unique canary string (`cnry0001`, `cnry0002`, …).
   A scoped model without a recipe fails the walk.
2. URLs. Every pattern of the resolver (admin and site, recursing into includes) needs a case in
   URL_CASES (site pages, written by hand) or in `admin_cases()` (generated from
   `admin.site._registry`: changelist, add, change, delete, history, autocomplete, custom
   `get_urls`). A pattern without a case fails the walk.
3. Requests. Each case's URLs are requested, filled with Tokyo's ids, slugs and tokens, by every
   role of Kanagawa (councils.models.Role except national staff) and by an anonymous visitor.
   Responses are decoded (HTML, JSON, CSV, xlsx cells, PDF text) and the walk fails on any canary
   outside the federation-public fields (shaho/core/public.py), on a 200 for a Tokyo object's
   page, and on any 5xx. A case is `strict` unless it says otherwise: it may show Tokyo's
   reference data (the registry) only, not even a Tokyo council's public name. Only the
   nationwide documents (the national 集約一覧表, published reports) say `strict=False`.
4. Writes. Admin add/change/delete with complete forms built from Tokyo's rows, admin actions
   with Tokyo ids, phone entry and corrections, imports and their commit, report requests and
   publishing; the walk fails if any Tokyo row (of any scoped model) changed.

Adding a case for a new URL pattern is one line in URL_CASES, keyed by the pattern's name
(`namespace:name`; an unnamed or duplicated name is keyed by its full route):

    "feeds:council": Case(objects=lambda t: [r("feeds:council", t[Council].pk)]),

`urls` are pages anyone in Kanagawa may open (a 200 is fine, canaries are not); `objects` are
Tokyo objects' pages (a 200 fails); `posts` are (url, data) writes; `flow` is a function
(client, t) -> [(label, response, text sent)] for multi-step writes. A new scoped model needs a
line in CANARY_RECIPES (a function t -> its Tokyo row); a new admin model gets its cases for free.
`t[Model]` is Tokyo's canary row of that model; `t.national_drive`, `t.tokyo_job` etc. are the
other planted rows (see `plant()`).
A case whose leak another slice fixes carries `pending="<slice>"`: its findings are printed, not
failed, and the walk fails once the case is clean so that the mark is removed.

The walk prints its figures (URL patterns, users, requests, canaries, time) at the end of its test;
run it alone with `pytest -s tests/test_isolation_walk.py` to read them.
"""

import dataclasses
import datetime
import io
import re
import time
import uuid
from collections import defaultdict

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.forms import MultiWidget
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode

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
from consultations.models import CallRecord, ConsultationDay, FreeTextRead, Responder, Station
from councils.models import Council, CouncilStage, Membership, Officer, Organisation, Role, User
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
from petitions.models import (
    CollectionRound,
    ImportBatch,
    PetitionDrive,
    PetitionGoal,
    PetitionItem,
    Submission,
    TallyEntry,
)
from reports import services as report_services
from reports.models import Audience, Chapter, JobStatus, Meeting, ReportJob
from shaho.core.admin import every_autocomplete
from shaho.core.models import PendingUpload
from shaho.core.public import is_federation_public, is_reference_data
from shaho.core.report_kinds import all_kinds
from shaho.core.uploads import pending_upload_store
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory, record, with_rounds

KANAGAWA, TOKYO = "14", "13"
D = datetime.date
CANARY = re.compile(r"cnry\d{4}", re.IGNORECASE)
CANARY_MIN_LENGTH = 8
# Fields whose values other code reads as identifiers, not text: they keep their real value.
KEEP_FIELDS = {"password", "kind", "format"}
PASSWORD = "walk-Pass-2025-x"


# --- 1. canaries -----------------------------------------------------------------------------


class Planted:
    """Tokyo's canary rows (`t[Model]`), the canaries' owners, and the other rows the cases need."""

    def __init__(self):
        self.rows = {}
        self.canaries = {}  # canary → (model label, field name)
        self._next = 0

    def __getitem__(self, model):
        return self.rows[model]

    def canary(self, model, field):
        self._next += 1
        value = f"cnry{self._next:04d}"
        self.canaries[value] = (model._meta.label, field)
        return value

    def fill(self, obj):
        """Put a canary into every text field of `obj` that can hold one; saved (and so in its history)."""
        for field in obj._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or field.choices or not field.editable:
                continue
            if field.name in KEEP_FIELDS or (field.max_length or 999) < CANARY_MIN_LENGTH:
                continue
            canary = self.canary(type(obj), field.name)
            if isinstance(field, models.EmailField):
                canary = f"{canary}@example.jp"
            elif isinstance(field, models.URLField):
                canary = f"https://{canary}.example.jp/"
            setattr(obj, field.attname, canary)
        obj.save()
        return obj

    def of(self, obj):
        """The canaries planted in `obj`'s fields."""
        label = obj._meta.label
        return {c for c, (owner, field) in self.canaries.items() if owner == label and _holds(obj, field, c)}


def _holds(obj, field, canary):
    return canary in str(getattr(obj, field, "") or "")


def _tokyo_pending_upload(t):
    from petitions.importing import IMPORTER

    data = f"社保協,団体,種別,筆数,日付,備考\n{t.tokyo_local.pk},,個人,5,2024-01-15,".encode()
    return pending_upload_store(
        owner=t.tokyo_staff, importer=IMPORTER, file_name="w", data=data, options={"target": t.national_drive.pk}
    )


def _tokyo_campaign(t):
    # A national campaign too, into which Kanagawa's assembly imports name Tokyo's municipalities.
    national = national_council()
    Campaign.objects.create(slug="walk-national", name="walk national", starts_on=D(2023, 1, 1), lead_council=national)
    return Campaign.objects.create(slug="walk-tokyo", name="walk", starts_on=D(2023, 1, 1), lead_council=t.tokyo)


def _tokyo_drive(t):
    drive = PetitionDriveFactory(organiser=t.tokyo, starts_on=D(2019, 9, 1), ends_on=D(2030, 6, 30))
    with_rounds(drive, D(2024, 2, 29), D(2030, 5, 31))
    return drive


def _tokyo_job(t):
    job = ReportJob(
        kind="council_directory", title="東京都 社保協名簿", council=t.tokyo, requested_by=t.tokyo_staff,
        dedupe_key="walk-tokyo", status=JobStatus.DONE, progress=100, audience=Audience.COUNCIL,
    )  # fmt: skip
    job.file.save("tokyo.pdf", ContentFile(b"%PDF-1.4 tokyo only"), save=False)
    job.published_at = job.created_at
    job.save()
    return job


def _tokyo_consultation_day(t):
    return ConsultationDay.objects.create(
        kind="living", title="w", date=D(2024, 1, 15), starts_at=datetime.time(10), ends_at=datetime.time(16),
        council=t.tokyo,
    )  # fmt: skip


def _tokyo_call(t):
    started = datetime.datetime(2024, 1, 15, 11, 0, tzinfo=datetime.UTC)
    return CallRecord.objects.create(
        station=t[Station], responder=t[Responder], started_at=started, duration_minutes=35, caller_type="family",
        created_by=t.tokyo_staff, created_at=started,
    )  # fmt: skip


def _call_form_data(t):
    return {
        "line": "1", "responder": str(t[Responder].pk), "started_at": "11:00", "duration_minutes": "20",
        "caller_type": "self", "age_band": "unknown", "sex": "unknown", "care_level": "unknown",
        "summary": "walk", "submission_token": str(uuid.uuid4()),
    }  # fmt: skip


# Scoped model → how to make its Tokyo row (the walk fills the canaries). One line for a new model.
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
    Block: lambda t: Block.objects.create(name="walk", order=99),
    Prefecture: lambda t: Prefecture.objects.get(code=TOKYO),
    Municipality: lambda t: Municipality.objects.get(code="131130"),  # 渋谷区
    MunicipalityChange: lambda t: MunicipalityChange.objects.create(
        effective_on=D(2030, 4, 1), kind=MunicipalityChange.Kind.OTHER, description="walk"
    ),
    PetitionDrive: lambda t: t.tokyo_drive,
    PetitionItem: lambda t: PetitionItem.objects.create(petition=t.tokyo_drive, number=1, text="walk"),
    CollectionRound: lambda t: t.tokyo_drive.rounds.first(),
    PetitionGoal: lambda t: PetitionGoal.objects.create(petition=t.tokyo_drive, council=t.tokyo_local, goal=100),
    ImportBatch: lambda t: ImportBatch.objects.create(
        petition=t.tokyo_drive, file_name="w", sha256="0", created_by=t.tokyo_staff
    ),
    TallyEntry: lambda t: record(t.tokyo_staff, t.national_drive, t.tokyo_local, 4321, collected_on=D(2024, 1, 15)),
    Submission: lambda t: Submission.objects.create(
        petition=t.national_drive,
        council=t.tokyo_local,
        submitted_on=D(2024, 1, 20),
        submitted_to="w",
        count=5,
        entered_by=t.tokyo_staff,
    ),
    Meeting: lambda t: Meeting.objects.create(council=t.tokyo, number=71, title="w", date=D(2024, 6, 1)),
    Chapter: lambda t: Chapter.objects.create(meeting=t[Meeting], order=1, title="w", body="walk"),
    ReportJob: _tokyo_job,
    PendingUpload: lambda t: _tokyo_pending_upload(t),
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
    # A Tokyo station's call: its summary, advice and referral are canaries like every other text.
    ConsultationDay: _tokyo_consultation_day,
    Station: lambda t: Station.objects.create(day=t[ConsultationDay], council=t.tokyo, line_count=2),
    Responder: lambda t: Responder.objects.create(station=t[Station], user=t.tokyo_staff, profession="care_manager"),
    CallRecord: _tokyo_call,
    FreeTextRead: lambda t: FreeTextRead.objects.create(
        call=t[CallRecord], user=t.tokyo_staff, read_at=t[CallRecord].started_at, purpose="detail"
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


def _tokyo_action(t):
    from campaigns.services import feed_for

    feed_for(council=t.kanagawa)  # Kanagawa's own feed exists too: its page and rotation are walked
    action = Action.objects.create(
        kind=ActionKind.objects.get(code="street"), title="walk", starts_on=D(2024, 1, 15), organiser=t.tokyo_local
    )
    # Tokyo's signatures at its action: the ledger's entry links to it (shown only within Tokyo)
    record(t.tokyo_staff, t.national_drive, t.tokyo_local, 17, collected_on=D(2024, 1, 15), action=action)
    return action


def scoped_models():
    return sorted((m for m in apps.get_models() if hasattr(m, "scope_filter")), key=lambda m: m._meta.label)


def plant():
    t = Planted()
    national = national_council()
    t.national_staff = staff_of(national, role=Role.NATIONAL_STAFF)
    t.kanagawa = prefectural_council(KANAGAWA)
    t.kanagawa_local = local_council(KANAGAWA, name="横浜市社保協")
    t.tokyo = prefectural_council(TOKYO)
    t.tokyo_local = local_council(TOKYO, name="walk", founded_on=D(2005, 6, 1))
    t.tokyo_local.municipalities.add(Municipality.objects.get(code="131130"))
    t.tokyo_staff = staff_of(t.tokyo, role=Role.COUNCIL_STAFF)
    t.tokyo_org = Organisation.objects.create(
        name="walk", level=Organisation.Level.PREFECTURAL, prefecture=t.tokyo.prefecture, home_council=t.tokyo
    )
    t.national_drive = PetitionDriveFactory(
        organiser=national, short_name="25条署名", slug="walk-25jo", starts_on=D(2019, 9, 1), ends_on=D(2030, 6, 30)
    )
    with_rounds(t.national_drive, D(2024, 2, 29), D(2030, 5, 31))
    t.tokyo_drive = _tokyo_drive(t)
    record(t.national_staff, t.national_drive, t.kanagawa_local, 1234, collected_on=D(2024, 1, 10))
    for model, recipe in CANARY_RECIPES.items():
        t.rows[model] = recipe(t)
    for model in scoped_models():
        if model in t.rows:
            t.fill(t.rows[model])
    t.fill(t.tokyo)  # the prefectural council too: its name is public, its address is not
    t.tokyo_job = t[ReportJob]
    _tokyo_import(t)
    t.planted = len(t.canaries)  # later ones are the renewed values sent in add forms
    t.tokyo_councils = list(Council.objects.filter(path__startswith=t.tokyo.path).values_list("pk", flat=True))
    t.public_jobs = _federation_documents(t, national)
    return t


def _tokyo_import(t):
    """A file Tokyo imported into the national drive; Kanagawa will send the same bytes."""
    from petitions.importing import content_sha256

    t.tokyo_import_rows = [f"{t.kanagawa_local.pk},,個人,3,2024-01-12,"]
    data = "\n".join(["社保協,団体,種別,筆数,日付,備考", *t.tokyo_import_rows]).encode()
    ImportBatch.objects.create(
        petition=t.national_drive, file_name=t.canary(ImportBatch, "file_name"), sha256=content_sha256(data),
        created_by=t.tokyo_staff, status=ImportBatch.Status.DONE, row_count=1,
    )  # fmt: skip


def _federation_documents(t, national):
    """The nationwide documents, made by national staff and published to all: Tokyo's public fields are in them."""
    meeting = Meeting.objects.create(council=national, number=64, title="第64回全国総会方針案", date=D(2024, 6, 2))
    Chapter.objects.create(meeting=meeting, order=1, title="はじめに", body="地域社保協は {{ census.local }} です。")
    meeting.petitions.set([t.national_drive])
    jobs = [report_services.run_now(kind="policy_draft", params={"meeting": "64"}, user=t.national_staff)]
    # The policy draft's appendix holds the 集約一覧表 as PDF; the xlsx is the other format.
    params = {"petition": t.national_drive.slug, "date": "2024-02-01", "format": "xlsx"}
    jobs.append(report_services.run_now(kind="tally_table", params=params, user=t.national_staff))
    for job in jobs:
        report_services.publish_job(job=job, audience=Audience.ALL, user=t.national_staff)
    return jobs


# --- 2. URL cases ----------------------------------------------------------------------------


@dataclasses.dataclass
class Case:
    urls: object = None  # t -> [url]: pages Kanagawa may open; no canary outside the public fields
    objects: object = None  # t -> [url]: Tokyo objects' pages; a 200 fails
    posts: object = None  # t -> [(url, data)]: writes that must change no Tokyo row
    flow: object = None  # (client, t) -> [(label, response)]: multi-step writes
    strict: bool = True  # only reference data of Tokyo may show; False for the nationwide documents
    pending: str = ""  # the slice whose merge closes what this case still finds


def r(name, *args, **query):
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def _tokyo_report_params(t, kind):
    by_type = {
        "prefecture": TOKYO,
        "petition": t.tokyo_drive.slug,
        "int": str(t[Meeting].number),
        "date": "2024-02-01",
        "str": "",
    }
    params = {p.name: by_type.get(p.type, "") for p in kind.params}
    variants = [params]
    if any(p.name == "campaign" for p in kind.params):
        variants.append({**params, "campaign": t[Campaign].slug})  # Tokyo's own campaign
    if any(p.type == "petition" for p in kind.params) and any(p.type == "prefecture" for p in kind.params):
        variants.append({**params, "petition": t.national_drive.slug})  # a public drive, Tokyo's part of it
    return variants


def _import_flow(client, t):
    """Upload files naming Tokyo's councils into a public drive, check and commit each: (label, response, sent).

    The first names them by number only (so any Tokyo name in the answer came from the lookup);
    the second by name (its names are echoed, and may not be found).
    """
    header = "社保協,団体,種別,筆数,日付,備考"
    own = f"{t.kanagawa_local.pk},,個人,13,2024-01-15,"
    files = {
        "by-number": [f"{t.tokyo_local.pk},,個人,10,2024-01-15,", f"{t.tokyo.pk},,個人,12,2024-01-15,", own],
        "by-name": [
            f"{t.tokyo_local.name},,個人,11,2024-01-15,",
            f"{t.kanagawa.name},{t.tokyo_org.name},個人,9,2024-01-15,",
            own,
        ],
        # the very bytes Tokyo imported already: "already imported" must not name Tokyo's file or uploader
        "tokyo-file": t.tokyo_import_rows,
    }
    url = r("admin:petitions_tallyentry_import")
    out = []
    for label, rows in files.items():
        text = "\n".join([header, *rows])
        upload = io.BytesIO(text.encode())
        upload.name = f"walk-{label}.csv"
        preview = client.post(url, {"petition": t.national_drive.pk, "file": upload, "encoding": ""})
        out.append((f"POST {url} ({label} preview)", preview, text))
        token = (preview.context or {}).get("token", "") if preview.status_code == 200 else ""
        outcome = client.get(r("admin:petitions_tallyentry_import_outcome", token=token))
        out.append((f"GET outcome ({label})", outcome, text))
        out.append((f"POST {url} ({label} commit)", client.post(url, {"_commit": "1", "token": token}), text))
    # Tokyo's own pending upload, named by its token: neither its outcome nor its commit opens for Kanagawa
    tokyo_token = t[PendingUpload].token
    outcome = r("admin:petitions_tallyentry_import_outcome", token=tokyo_token)
    out.append(("GET outcome (Tokyo's token)", client.get(outcome), ""))
    out.append(("GET outcome xlsx (Tokyo's token)", client.get(outcome + "&format=xlsx"), ""))
    out.append((f"POST {url} (Tokyo's token commit)", client.post(url, {"_commit": "1", "token": tokyo_token}), ""))
    return out


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


URL_CASES = {
    "home": Case(urls=lambda t: [r("home")]),
    "favicon": Case(urls=lambda t: [r("favicon")]),  # static bytes, the same for everyone
    "login/": Case(urls=lambda t: [r("login")]),
    "logout/": Case(urls=lambda t: [r("logout")]),  # GET only: a POST would end the walk's session
    "password/login/": Case(urls=lambda t: ["/password/login/"]),
    "password/logout/": Case(urls=lambda t: ["/password/logout/"]),
    "password_change": Case(urls=lambda t: [r("password_change")]),
    "password_change_done": Case(urls=lambda t: [r("password_change_done")]),
    # The limited reset request (shaho.core.access_views) shadows Django's own under the same name.
    "password/password_reset/": Case(
        urls=lambda t: ["/password/password_reset/"],
        posts=lambda t: [("/password/password_reset/", {"email": t.tokyo_staff.email})],
    ),
    # The account's own security pages: they only ever show or change the requester's own devices.
    "otp_verify": Case(urls=lambda t: [r("otp_verify")], posts=lambda t: [(r("otp_verify"), {"token": "000000"})]),
    "otp_setup": Case(urls=lambda t: [r("otp_setup")], posts=lambda t: [(r("otp_setup"), {"token": "000000"})]),
    "otp_disable": Case(urls=lambda t: [r("otp_disable")], posts=lambda t: [(r("otp_disable"), {"token": "000000"})]),
    # GET only: its POST ends the walk's own sessions (tests/access covers what it does).
    "logout_everywhere": Case(urls=lambda t: [r("logout_everywhere")]),
    "password_reset_done": Case(urls=lambda t: [r("password_reset_done")]),
    "password_reset_confirm": Case(
        urls=lambda t: [r("password_reset_confirm", urlsafe_base64_encode(force_bytes(t.tokyo_staff.pk)), "x-bad")]
    ),
    "password_reset_complete": Case(urls=lambda t: [r("password_reset_complete")]),
    "petitions:list": Case(urls=lambda t: [r("petitions:list")]),
    "petitions:entry": Case(
        urls=lambda t: [r("petitions:entry", petition=t.tokyo_drive.slug, council=t.tokyo_local.pk)],
        posts=lambda t: [
            (r("petitions:entry"), _entry_data(t.national_drive, t.tokyo_local)),
            (r("petitions:entry"), _entry_data(t.tokyo_drive, t.kanagawa)),
        ],
    ),
    "petitions:entry_done": Case(objects=lambda t: [r("petitions:entry_done", t[TallyEntry].pk)]),
    "petitions:correct": Case(
        objects=lambda t: [r("petitions:correct", t[TallyEntry].pk)],
        posts=lambda t: [
            (
                r("petitions:correct", t[TallyEntry].pk),
                {"corrected": "1", "correction_reason": "walk", "submission_token": str(uuid.uuid4())},
            )
        ],
    ),
    "petitions:national": Case(  # the national 集約一覧表: every prefecture's totals, on purpose
        strict=False,
        urls=lambda t: [
            r("petitions:national", t.national_drive.slug, date=d, **f)
            for d in ("2024-02-01", "2030-01-01")
            for f in ({}, {"format": "csv"}, {"format": "csv", "encoding": "cp932"}, {"format": "xlsx"})
        ],
        objects=lambda t: [
            r("petitions:national", t.tokyo_drive.slug),
            r("petitions:national", t.tokyo_drive.slug, format="xlsx"),
        ],
    ),
    "petitions:prefecture": Case(
        urls=lambda t: [r("petitions:prefecture", t.national_drive.slug, KANAGAWA)],
        objects=lambda t: (
            [
                r("petitions:prefecture", slug, TOKYO, **f)
                for slug in (t.national_drive.slug, t.tokyo_drive.slug)
                for f in ({}, {"format": "csv"}, {"format": "xlsx"})
            ]
            + [r("petitions:prefecture", t.tokyo_drive.slug, KANAGAWA)]
        ),
    ),
    "reports:downloads": Case(urls=lambda t: [r("reports:downloads")]),
    "reports:new": Case(urls=lambda t: [r("reports:new")]),
    "reports:new_kind": Case(
        urls=lambda t: [r("reports:new_kind", k.name) for k in all_kinds()],
        posts=lambda t: [(r("reports:new_kind", k.name), p) for k in all_kinds() for p in _tokyo_report_params(t, k)],
    ),
    "reports:jobs": Case(urls=lambda t: [r("reports:jobs")]),
    "reports:job": Case(objects=lambda t: [r("reports:job", t.tokyo_job.token)]),
    "reports:job_status": Case(objects=lambda t: [r("reports:job_status", t.tokyo_job.token)]),
    "reports:job_publish": Case(
        objects=lambda t: [r("reports:job_publish", t.tokyo_job.token)],
        posts=lambda t: [(r("reports:job_publish", t.tokyo_job.token), {"audience": Audience.ALL})],
    ),
    "reports:download": Case(  # the nationwide documents published to all (policy draft, 集約一覧表)
        strict=False,
        urls=lambda t: [r("reports:download", job.token) for job in t.public_jobs],
        objects=lambda t: [r("reports:download", t.tokyo_job.token)],
    ),
    # consultations: Tokyo's day, station and call open for nobody of Kanagawa (tests/consultations/
    # test_free_text_walk.py walks the free text for national staff and Kanagawa's own station too)
    "consultations:days": Case(urls=lambda t: [r("consultations:days")]),
    "consultations:day": Case(
        objects=lambda t: [
            r("consultations:day", t[ConsultationDay].pk),
            r("consultations:day", t[ConsultationDay].pk, fragment=1),
        ]
    ),
    "consultations:day_xlsx": Case(objects=lambda t: [r("consultations:day_xlsx", t[ConsultationDay].pk)]),
    "consultations:station": Case(objects=lambda t: [r("consultations:station", t[Station].pk)]),
    "consultations:call_new": Case(
        objects=lambda t: [r("consultations:call_new", t[Station].pk)],
        posts=lambda t: [(r("consultations:call_new", t[Station].pk), _call_form_data(t))],
    ),
    "consultations:call": Case(objects=lambda t: [r("consultations:call", t[CallRecord].pk)]),
    "consultations:call_edit": Case(
        objects=lambda t: [r("consultations:call_edit", t[CallRecord].pk)],
        posts=lambda t: [(r("consultations:call_edit", t[CallRecord].pk), _call_form_data(t))],
    ),
    "consultations:read_log": Case(urls=lambda t: [r("consultations:read_log")]),
    "consultations:retention": Case(
        urls=lambda t: [r("consultations:retention")], posts=lambda t: [(r("consultations:retention"), {"years": "1"})]
    ),
    "public_consultations:days": Case(urls=lambda t: [r("public_consultations:days")]),
    "public_consultations:day": Case(objects=lambda t: [r("public_consultations:day", t[ConsultationDay].pk)]),
    # the admin site's own pages (model pages come from admin_cases())
    "admin:index": Case(urls=lambda t: [r("admin:index")]),
    "admin:login": Case(urls=lambda t: [r("admin:login")]),
    "admin:logout": Case(urls=lambda t: [r("admin:logout")]),
    "admin:password_change": Case(urls=lambda t: [r("admin:password_change")]),
    "admin:password_change_done": Case(urls=lambda t: [r("admin:password_change_done")]),
    "admin:jsi18n": Case(urls=lambda t: [r("admin:jsi18n")]),
    "admin:app_list": Case(
        urls=lambda t: [f"/admin/{label}/" for label in sorted({m._meta.app_label for m in admin.site._registry})]
    ),
    "admin/(?P<url>.*)$": Case(urls=lambda t: ["/admin/no-such-page/"]),
    "admin:view_on_site": Case(
        objects=lambda t: [
            r("admin:view_on_site", ContentType.objects.get_for_model(m).pk, obj.pk) for m, obj in t.rows.items()
        ]
    ),
    "admin:autocomplete": Case(urls=lambda t: _autocomplete_urls(t)),
    "admin:auth_user_password_change": Case(
        objects=lambda t: [f"/admin/councils/user/{t[User].pk}/password/"],
        posts=lambda t: [
            (f"/admin/councils/user/{t[User].pk}/password/", {"password1": PASSWORD, "password2": PASSWORD})
        ],
    ),
    # TallyEntryAdmin's import pages: Tokyo's councils by number or name, Tokyo's file sent again and Tokyo's
    # pending upload token find nothing.
    "admin:petitions_tallyentry_import": Case(
        urls=lambda t: [r("admin:petitions_tallyentry_import")], flow=_import_flow
    ),
    "admin:petitions_tallyentry_import_outcome": Case(
        urls=lambda t: [r("admin:petitions_tallyentry_import_outcome", token="0" * 32)]
    ),
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
    "admin:petitions_tallyentry_import_template": Case(
        urls=lambda t: [
            r("admin:petitions_tallyentry_import_template"),
            r("admin:petitions_tallyentry_import_template", format="csv"),
        ],
        strict=True,
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
    # The ledger's export: a Tokyo drive is not found; the national drive's holds Kanagawa's entries only.
    "admin:petitions_tallyentry_export": Case(
        urls=lambda t: [
            r("admin:petitions_tallyentry_export", petition=t.national_drive.pk),
            r("admin:petitions_tallyentry_export", petition=t.national_drive.pk, format="csv"),
        ],
        objects=lambda t: [r("admin:petitions_tallyentry_export", petition=t.tokyo_drive.pk)],
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
}


def _street_data(t, council):
    return {
        "kind": ActionKind.objects.get(code="street").pk, "organiser": council.pk, "title": "walk",
        "starts_on": "2024-01-16", "place": "walk", "p1_name": "walk", "p1_count": "3", "rows": "4",
        f"sig_{t.national_drive.pk}": "5", "submission_token": str(uuid.uuid4()),
    }  # fmt: skip


def _walk_answer_sheet(t):
    """An answer sheet for Tokyo's questionnaire naming Tokyo's 渋谷区 (sent to Tokyo's questionnaire page)."""
    upload = io.BytesIO(f"団体コード,市区町村名,{t[Question].header}\n131130,渋谷区,walk\n".encode())
    upload.name = "walk.csv"
    return upload


def _entry_data(petition, council):
    return {
        "petition": petition.pk, "council": council.pk, "count": "7", "collected_on": "2024-01-16",
        "kind": "individual", "organisation": "", "source": "", "note": "", "submission_token": str(uuid.uuid4()),
    }  # fmt: skip


def _autocomplete_urls(t):
    urls = []
    for model, name in every_autocomplete():  # declared and automatic, inline rows' included
        target = model._meta.get_field(name).related_model
        terms = ["", *sorted(t.of(t.rows[target]))[:1]] if target in t.rows else [""]
        params = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": name}
        urls += [r("admin:autocomplete", term=term, **params) for term in terms]
    return urls


# --- admin: cases generated from the registry ------------------------------------------------


def _admin_request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    request._messages = None
    return request


def _form_data(form, source):
    """POST data for `form` (an admin form class instance) taken from `source`'s values."""
    data = {}
    for name, field in form.fields.items():
        if name.startswith("password"):
            data[name] = PASSWORD
            continue
        try:
            model_field = source._meta.get_field(name)
            value = model_field.value_from_object(source)
        except Exception:  # a form-only field
            value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
            continue
        widget = field.widget
        if isinstance(widget, MultiWidget):
            for sub_name, sub_widget, sub_value in zip(
                widget.widgets_names, widget.widgets, widget.decompress(value), strict=False
            ):
                data[name + sub_name] = sub_widget.format_value(sub_value) or ""
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else str(getattr(value, "pk", value))
    return data


def _admin_write_data(model_admin, obj, t, *, change):
    """A complete form for `obj` as national staff would send it, with every canary renewed (unique fields)."""
    request = _admin_request(t.national_staff)
    form = model_admin.get_form(request, obj if change else None, change=change)(instance=obj if change else None)
    data = _form_data(form, obj)
    for key, value in list(data.items()):
        if isinstance(value, str) and CANARY.search(value):
            data[key] = CANARY.sub(lambda m, key=key: t.canary(type(obj), key), value)
    if not change and type(obj) in ADD_TWEAKS:
        data.update(ADD_TWEAKS[type(obj)](t))
    for inline in model_admin.get_inline_instances(request, obj if change else None):
        prefix = inline.get_formset(request, obj).get_default_prefix()
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    valid = type(form)(data=data, instance=None if not change else obj).is_valid()
    return data, valid


# A copy of a Tokyo row sent to `add` must be valid for national staff: these fields must not repeat it.
ADD_TWEAKS = {
    Municipality: lambda t: {"code": "139998"},
    PetitionGoal: lambda t: {"council": str(t.tokyo.pk)},
    Meeting: lambda t: {"number": "72"},
    StudyGoal: lambda t: {"year": "2024"},
    Assembly: lambda t: {"municipality": str(Municipality.objects.get(code="131041").pk)},  # 新宿区
    Sitting: lambda t: {"year": "2022"},
    Station: lambda t: {"council": str(t.tokyo_local.pk)},  # one station per council and day
    Caravan: lambda t: {"fiscal_year": "2025"},
    CaravanTarget: lambda t: {"municipality": str(Municipality.objects.get(code="131016").pk)},
    Answer: lambda t: {"municipality": str(Municipality.objects.get(code="131016").pk)},
}

# Models whose add form cannot be valid as a copy, with the reason (the walk still posts it).
ADD_IMPOSSIBLE = {Prefecture: "all 47 prefectures exist; there is no 48th to add"}


def admin_cases():
    """One case per admin URL pattern of every registered model."""
    cases = {}
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if not hasattr(model, "scope_filter"):
            cases.update(_national_only_cases(model, info, base))
            continue

        def url(view, *args, info=info, **query):
            return r(f"admin:{info}_{view}", *args, **query)

        cases[f"admin:{info}_changelist"] = Case(
            urls=lambda t, m=model, a=model_admin, url=url: [
                url("changelist", **q) for q in _changelist_queries(t, m, a)
            ],
            posts=lambda t, m=model, a=model_admin, url=url: [(url("changelist"), d) for d in _action_posts(t, m, a)],
        )
        cases[f"admin:{info}_add"] = Case(
            urls=lambda t, m=model, url=url: [url("add"), url("add", **_tokyo_foreign_keys(t, m))],
            posts=lambda t, m=model, a=model_admin, url=url: [(url("add"), t.writes[(m, "add")])],
        )
        cases[f"admin:{info}_change"] = Case(
            objects=lambda t, m=model, url=url: [url("change", t[m].pk)],
            posts=lambda t, m=model, url=url: [(url("change", t[m].pk), t.writes[(m, "change")])],
        )
        cases[f"admin:{info}_delete"] = Case(
            objects=lambda t, m=model, url=url: [url("delete", t[m].pk)],
            posts=lambda t, m=model, url=url: [(url("delete", t[m].pk), {"post": "yes"})],
        )
        cases[f"admin:{info}_history"] = Case(objects=lambda t, m=model, url=url: [url("history", t[m].pk)])
        cases[f"admin:{info}_simple_history"] = Case(
            objects=lambda t, m=model, url=url: _simple_history_urls(t, m, url)
        )
        cases[f"{base}<path:object_id>/"] = Case(objects=lambda t, m=model, base=base: [f"/{base}{t[m].pk}/"])
    return cases


def _national_only_cases(model, info, base):
    """A registered model that hangs off no council (login records, devices): no page of it opens for Kanagawa."""
    names = ("changelist", "add", "change", "delete", "history", "simple_history")

    def urls(t, name):
        pk = getattr(model._default_manager.order_by("pk").first(), "pk", 1)
        args = {"changelist": (), "add": (), "simple_history": (pk, 1)}.get(name, (pk,))
        return [r(f"admin:{info}_{name}", *args)]

    cases = {f"admin:{info}_{name}": Case(objects=lambda t, name=name: urls(t, name)) for name in names}
    cases[f"{base}<path:object_id>/"] = Case(objects=lambda t: [f"/{base}1/"])
    return cases


def _tokyo_foreign_keys(t, model):
    """{field name: Tokyo row's pk} for every foreign key of `model` whose target has a Tokyo canary row."""
    return {
        f.name: t[f.related_model].pk
        for f in model._meta.concrete_fields
        if f.many_to_one and f.related_model in t.rows and f.related_model is not model
    }


def _simple_history_urls(t, model, url):
    history = getattr(t[model], "history", None)
    return (
        [url("simple_history", t[model].pk, record.pk) for record in history.all()[:1]] if history is not None else []
    )


def _changelist_queries(t, model, model_admin):
    """Plain, searched for a Tokyo canary, and filtered by every list filter pointing at a Tokyo row."""
    obj = t[model]
    queries = [{}, {"_facets": "1"}, {"q": sorted(t.of(obj))[0]} if t.of(obj) else {"q": "walk"}]
    queries += [{name: pk} for name, pk in _tokyo_foreign_keys(t, model).items()]  # ?council=<Tokyo's id>
    for item in model_admin.list_filter:
        path = item[0] if isinstance(item, list | tuple) else item
        if not isinstance(path, str):
            continue
        target = _follow(obj, path)
        if isinstance(target, models.Model):
            queries.append({f"{path}__{target._meta.pk.name}__exact": target.pk})
        elif target not in (None, ""):
            queries.append({f"{path}__exact": target})
    if model_admin.date_hierarchy:
        value = _follow(obj, model_admin.date_hierarchy)
        if value:
            queries.append(
                {f"{model_admin.date_hierarchy}__year": value.year, f"{model_admin.date_hierarchy}__month": value.month}
            )
    return queries


def _follow(obj, path):
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
        if isinstance(obj, models.Manager):
            obj = obj.first()
    return obj


def _action_posts(t, model, model_admin):
    request = _admin_request(t.national_staff)
    return [
        {"action": name, admin.helpers.ACTION_CHECKBOX_NAME: [str(t[model].pk)], "index": "0", "post": "yes"}
        for name in model_admin.get_actions(request)
    ]


# --- 3. requests and what came back ----------------------------------------------------------


def url_patterns():
    """{key: full route} of every pattern, recursing into includes (key: name, or route when unnamed/duplicated)."""
    found = []

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, ns, route)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                found.append((name, route))

    walk(get_resolver().url_patterns, "", "")
    names = defaultdict(int)
    for name, _route in found:
        names[name] += 1
    return {(name if name and names[name] == 1 else route): route for name, route in found}


def decode(response):
    """(kind, text): everything a user could read in `response`, headers that carry text and the decoded body."""
    parts = [response.get("Location", ""), response.get("Content-Disposition", "")]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    kind = "xlsx" if body[:4] == b"PK\x03\x04" else "pdf" if body[:5] == b"%PDF-" else content_type.split(";")[0]
    if kind == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        parts += [
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        ]
    elif kind == "pdf":
        from pypdf import PdfReader

        try:
            parts += [page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages]
        except Exception:  # a stand-in file that is not a real PDF: read it as bytes
            parts.append(body.decode("latin-1"))
    elif "shift_jis" in content_type or "cp932" in content_type:
        parts.append(body.decode("cp932", "replace"))
    else:
        parts.append(body.decode("utf-8", "replace"))
    return kind, "\n".join(parts)


@dataclasses.dataclass
class Walk:
    t: Planted
    findings: list = dataclasses.field(default_factory=list)  # (case key, message)
    requests: int = 0
    bytes_read: int = 0
    statuses: dict = dataclasses.field(default_factory=lambda: defaultdict(int))
    public_seen: set = dataclasses.field(default_factory=set)
    decoded_with_canaries: set = dataclasses.field(default_factory=set)  # kinds of file the decoders read

    def check(self, key, case, who, label, response, sent, *, object_page=False):
        self.requests += 1
        self.statuses[response.status_code] += 1
        where = f"{who} {label} → {response.status_code}"
        if response.status_code >= 500:
            self.findings.append((key, f"{where}: server error"))
            return
        if object_page and response.status_code == 200:
            self.findings.append((key, f"{where}: a Tokyo object's page answered 200"))
        kind, text = decode(response)
        self.bytes_read += len(text)
        for canary in sorted(set(CANARY.findall(text))):
            canary = canary.lower()
            if canary in sent or canary not in self.t.canaries:
                continue  # what the request itself sent is echoed back (a search box, a refused form)
            owner, field = self.t.canaries[canary]
            model = apps.get_model(owner)
            if not is_federation_public(model, field) or (case.strict and not is_reference_data(model)):
                self.findings.append((key, f"{where}: {owner}.{field} ({canary}) shown"))
            else:
                self.public_seen.add(f"{owner}.{field}")
                self.decoded_with_canaries.add(kind)


def _sent(*values):
    return {c.lower() for v in values for c in CANARY.findall(str(v))}


def snapshot(t):
    """Every Tokyo row of every scoped model (and its many-to-many links), to compare before and after."""
    councils = Council.objects.filter(pk__in=t.tokyo_councils)
    rows = {}
    for model in scoped_models():
        queryset = model._default_manager.filter(model.scope_filter(councils)).order_by("pk")
        names = [f.attname for f in model._meta.concrete_fields]
        # repr of each row (JSON fields are unhashable); PostgreSQL hands binary fields over as memoryview
        rows[model._meta.label] = [
            repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
            for row in queryset.values_list(*names)
        ]
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            links = through.objects.filter(**{f"{m2m.m2m_field_name()}__in": queryset.values("pk")})
            rows[f"{model._meta.label}.{m2m.name}"] = sorted(
                links.values_list(m2m.m2m_column_name(), m2m.m2m_reverse_name())
            )
    return rows


def _diff(before, after):
    changed = []
    for label in before:
        old, new = set(before[label]), set(after[label])
        if old != new:
            changed.append(f"{label}: {len(old - new)} rows changed or gone, {len(new - old)} new or changed")
    return changed


def users(t):
    """Every role of Kanagawa (all but national staff), and an anonymous visitor: (label, client)."""
    clients = []
    for role in Role:
        if role == Role.NATIONAL_STAFF:
            continue
        client = Client(raise_request_exception=False)
        client.force_login(staff_of(t.kanagawa, role=role))
        clients.append((f"神奈川 {role.label}", client))
    clients.append(("匿名", Client(raise_request_exception=False)))
    return clients


@pytest.mark.django_db
def test_isolation_walk(settings, tmp_path, request):
    started = time.monotonic()
    settings.MEDIA_ROOT = tmp_path
    t = plant()
    planted_at = time.monotonic()

    missing_recipes = [m._meta.label for m in scoped_models() if m not in CANARY_RECIPES]
    assert not missing_recipes, f"add a canary recipe to CANARY_RECIPES for: {missing_recipes}"

    cases = {**admin_cases(), **URL_CASES}
    patterns = url_patterns()
    missing_cases = sorted(key for key in patterns if key not in cases)
    assert not missing_cases, f"add a case to URL_CASES for these URL patterns: {missing_cases}"
    stale = sorted(key for key in URL_CASES if key not in patterns)
    assert not stale, f"URL_CASES names patterns that no longer exist: {stale}"

    t.writes, invalid_forms = {}, []
    for model, model_admin in admin.site._registry.items():
        if model not in t.rows:
            continue  # national staff's only (no scope_filter): no Tokyo row to copy
        for change in (False, True):
            data, valid = _admin_write_data(model_admin, t[model], t, change=change)
            t.writes[(model, "change" if change else "add")] = data
            if not valid:
                invalid_forms.append(f"{model._meta.label} {'change' if change else 'add'}")

    walk = Walk(t)
    before = snapshot(t)
    clients = users(t)
    writes = 0
    for key in sorted(patterns):
        case = cases[key]
        for who, client in clients:
            for url in case.urls(t) if case.urls else []:
                walk.check(key, case, who, f"GET {url}", client.get(url), _sent(url))
            for url in case.objects(t) if case.objects else []:
                walk.check(key, case, who, f"GET {url}", client.get(url), _sent(url), object_page=True)
            for url, data in case.posts(t) if case.posts else []:
                writes += 1
                walk.check(key, case, who, f"POST {url}", client.post(url, data), _sent(url, *data.values()))
            for label, response, sent in case.flow(client, t) if case.flow else []:
                writes += 1
                walk.check(key, case, who, label, response, _sent(label, sent))
    changed = _diff(before, snapshot(t))
    elapsed = time.monotonic() - started

    pending = defaultdict(list)
    failures = []
    for key, message in walk.findings:
        (pending[cases[key].pending] if cases[key].pending else failures).append(f"[{key}] {message}")
    clean_pending = sorted(
        {c.pending + ": " + k for k, c in cases.items() if c.pending and k in patterns}
        - {cases[k].pending + ": " + k for k, _m in walk.findings if cases[k].pending}
    )

    report = request.config.pluginmanager.get_plugin("terminalreporter")
    lines = [
        "",
        "isolation walk:",
        f"  URL patterns: {len(patterns)}, all with a case"
        f" ({len(URL_CASES)} written in URL_CASES, {len(cases) - len(URL_CASES)} generated from the admin registry)",
        f"  scoped models: {len(scoped_models())}, canaries planted: {t.planted}"
        f" (in {len(t.rows)} recipe rows, Tokyo's council and a Tokyo import)",
        f"  users: {len(clients)} ({', '.join(who for who, _ in clients)})",
        f"  requests: {walk.requests} ({writes} writes), {walk.bytes_read:,} characters decoded",
        f"  statuses: {dict(sorted(walk.statuses.items()))}",
        f"  federation-public fields of Tokyo seen (allowed): {sorted(walk.public_seen)}",
        f"  decoded with Tokyo's public canaries in them: {sorted(walk.decoded_with_canaries)}",
        f"  admin write forms not valid even for national staff: {len(invalid_forms)} {invalid_forms}",
        f"  Tokyo rows changed: {len(changed)}",
        f"  findings: {len(failures)}; pending other slices: "
        + (", ".join(f"{s} {len(v)}" for s, v in pending.items()) or "none"),
        f"  time: planting {planted_at - started:.1f} s, total {elapsed:.1f} s",
    ]
    lines += [f"  pending ({slice_}): {m}" for slice_, messages in pending.items() for m in messages[:10]]
    if report is not None:
        for line in lines:
            report.write_line(line)
    else:
        print("\n".join(lines))

    allowed_invalid = {f"{m._meta.label} add" for m in ADD_IMPOSSIBLE}
    assert set(invalid_forms) <= allowed_invalid, f"make these admin write forms valid (ADD_TWEAKS): {invalid_forms}"
    # The decoders must read what they claim to: Tokyo's public names are in the nationwide PDF, xlsx and CSV.
    unread = {"pdf", "xlsx", "text/csv", "text/html"} - walk.decoded_with_canaries
    assert not unread, f"no Tokyo public canary read in any {unread} response: a decoder reads nothing"
    problems = [f"Tokyo rows changed by another prefecture's requests: {c}" for c in changed] + failures
    assert not problems, f"{len(changed)} tables changed, {len(failures)} leaks:\n" + "\n".join(problems[:60])
    assert not clean_pending, f"these cases no longer find anything: remove their pending mark: {clean_pending}"

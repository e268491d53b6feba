"""petitions: its part of the isolation walk (tests/test_isolation_walk.py).

Petition drives, rounds, goals, the tally ledger, submissions, the tally tables and the ledger's import.

The engine gathers CANARY_RECIPES (scoped model → its Tokyo row), URL_CASES (URL pattern → Case),
ADD_TWEAKS / ADD_IMPOSSIBLE (admin add forms) and after_planting(t) from every tests/<app>/walk.py.
"""

import io
import uuid

from petitions.models import (
    CollectionRound,
    ImportBatch,
    PetitionDrive,
    PetitionGoal,
    PetitionItem,
    Submission,
    TallyEntry,
)
from shaho.core.models import PendingUpload
from tests.petitions.factories import record
from tests.walk_kit import KANAGAWA, TOKYO, Case, D, r


def _tokyo_import(t):
    """A file Tokyo imported into the national drive; Kanagawa will send the same bytes."""
    from petitions.importing import content_sha256

    t.tokyo_import_rows = [f"{t.kanagawa_local.pk},,個人,3,2024-01-12,"]
    data = "\n".join(["社保協,団体,種別,筆数,日付,備考", *t.tokyo_import_rows]).encode()
    ImportBatch.objects.create(
        petition=t.national_drive, file_name=t.canary(ImportBatch, "file_name"), sha256=content_sha256(data),
        created_by=t.tokyo_staff, status=ImportBatch.Status.DONE, row_count=1,
    )  # fmt: skip


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


def _entry_data(petition, council):
    return {
        "petition": petition.pk, "council": council.pk, "count": "7", "collected_on": "2024-01-16",
        "kind": "individual", "organisation": "", "source": "", "note": "", "submission_token": str(uuid.uuid4()),
    }  # fmt: skip


CANARY_RECIPES = {
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
}


URL_CASES = {
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
    # TallyEntryAdmin's import pages: Tokyo's councils by number or name, Tokyo's file sent again and Tokyo's
    # pending upload token find nothing.
    # The ledger's export: a Tokyo drive is not found; the national drive's holds Kanagawa's entries only.
    "admin:petitions_tallyentry_export": Case(
        urls=lambda t: [
            r("admin:petitions_tallyentry_export", petition=t.national_drive.pk),
            r("admin:petitions_tallyentry_export", petition=t.national_drive.pk, format="csv"),
        ],
        objects=lambda t: [r("admin:petitions_tallyentry_export", petition=t.tokyo_drive.pk)],
    ),
    "admin:petitions_tallyentry_import": Case(
        urls=lambda t: [r("admin:petitions_tallyentry_import")], flow=_import_flow
    ),
    "admin:petitions_tallyentry_import_outcome": Case(
        urls=lambda t: [r("admin:petitions_tallyentry_import_outcome", token="0" * 32)]
    ),
    "admin:petitions_tallyentry_import_template": Case(
        urls=lambda t: [
            r("admin:petitions_tallyentry_import_template"),
            r("admin:petitions_tallyentry_import_template", format="csv"),
        ],
        strict=True,
    ),
}


ADD_TWEAKS = {
    PetitionGoal: lambda t: {"council": str(t.tokyo.pk)},
}


def after_planting(t):
    """A file Tokyo imported into the national drive (its name a canary); Kanagawa will send the same bytes."""
    _tokyo_import(t)


# The read API's petitions endpoints (petitions/api/), requested with Kanagawa's tokens (`api=True`).
def _api(name, *args, **query):
    return r(f"api:{name}", *args, **query)


URL_CASES.update(
    {
        "api:petition-drive-list": Case(api=True, urls=lambda t: [_api("petition-drive-list")]),
        "api:petition-drive-detail": Case(
            api=True,
            urls=lambda t: [_api("petition-drive-detail", t.national_drive.pk)],
            objects=lambda t: [_api("petition-drive-detail", t.tokyo_drive.pk)],
        ),
        "api:petition-goal-list": Case(
            api=True,
            urls=lambda t: [_api("petition-goal-list"), _api("petition-goal-list", drive=t.national_drive.pk)],
        ),
        "api:petition-goal-detail": Case(
            api=True, objects=lambda t: [_api("petition-goal-detail", t[PetitionGoal].pk)]
        ),
        "api:petition-entry-list": Case(
            api=True,
            urls=lambda t: [
                _api("petition-entry-list"),
                _api("petition-entry-list", drive=t.national_drive.pk),
                _api("petition-entry-list", drive=t.tokyo_drive.pk),
                _api("petition-entry-list", modified_since="2000-01-01"),
            ],
        ),
        "api:petition-entry-detail": Case(
            api=True, objects=lambda t: [_api("petition-entry-detail", t[TallyEntry].pk)]
        ),
        "api:petition-tally-table": Case(
            api=True,
            urls=lambda t: [
                _api("petition-tally-table", t.national_drive.pk),
                _api("petition-tally-table", t.national_drive.pk, as_of="2024-01-31"),
                _api("petition-tally-table", t.national_drive.pk, prefecture=KANAGAWA),
            ],
            objects=lambda t: [
                _api("petition-tally-table", t.national_drive.pk, prefecture=TOKYO),
                _api("petition-tally-table", t.tokyo_drive.pk),
            ],
        ),
    }
)

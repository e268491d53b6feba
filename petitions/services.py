"""Write side of petitions: recording tallies, corrections, submissions and goals.

Every function takes keyword-only arguments, validates with `full_clean()` and
writes inside a transaction. Invalid input raises `ValidationError` whose dict
keys are the model field names (`count`, `council`, `collected_on`, `petition`,
...) and whose messages name the field in Japanese; nothing is saved then.

The ledger is append-only: nothing here updates or deletes a TallyEntry.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from councils.models import CouncilKind, Organisation
from shaho.core.rows import row_delete_check, row_full_clean, row_scope_check
from shaho.core.scoping import in_scope, restrict, scope_for, sees_everything

from .models import (
    MAX_ENTRY_COUNT,
    CollectionRound,
    PetitionDrive,
    PetitionGoal,
    PetitionItem,
    SignatureKind,
    Submission,
    TallyEntry,
)

SIGNATURE_KINDS = frozenset(SignatureKind.values)  # checked once per imported row: built once


def allowed_organisations(*, user):
    """Organisations a user may name on an entry: those their councils manage or that are members of them."""
    councils = scope_for(user)
    qs = Organisation.objects.all()
    if sees_everything(user):
        return qs
    return qs.filter(Q(home_council__in=councils) | Q(memberships__council__in=councils)).distinct()


def round_for_date(*, rounds, date):
    """The collection round a date belongs to: the first whose deadline is on or after it, else the last.

    `rounds` is the petition's rounds (any order); None when the petition has none.
    """
    ordered = sorted(rounds, key=lambda r: r.deadline)
    for r in ordered:
        if date <= r.deadline:
            return r
    return ordered[-1] if ordered else None


@dataclass
class EntryContext:
    """What validating entries for one user needs, loaded once: a form submit or a whole import file reuse it."""

    user: object
    council_ids: set = field(default_factory=set)
    organisation_ids: set | None = None  # None: every organisation
    petition_ids: set = field(default_factory=set)
    rounds: dict = field(default_factory=dict)  # petition id → [CollectionRound]

    @classmethod
    def for_user(cls, user):
        everything = sees_everything(user)
        return cls(
            user=user,
            council_ids=set(scope_for(user).values_list("pk", flat=True)),
            organisation_ids=None if everything else set(allowed_organisations(user=user).values_list("pk", flat=True)),
            petition_ids=set(restrict(PetitionDrive.objects.all(), user).values_list("pk", flat=True)),
        )

    @classmethod
    def for_entry(cls, user, *, petition, council, organisation=None):
        """The context for one entry: whether its petition, council and organisation are in the user's scope,
        asked in one query (three EXISTS) instead of loading every id `for_user` loads for a whole import."""
        if sees_everything(user):
            return cls(
                user=user,
                council_ids={council.pk} if council is not None else set(),
                organisation_ids=None,
                petition_ids={petition.pk} if petition is not None else set(),
            )
        petition_pk = getattr(petition, "pk", None)
        council_pk = getattr(council, "pk", None)
        organisation_pk = getattr(organisation, "pk", None)
        found = (
            restrict(PetitionDrive.objects.all(), user)
            .filter(pk=petition_pk)
            .values("pk")
            .annotate(
                council_ok=Exists(scope_for(user).filter(pk=council_pk)),
                organisation_ok=Exists(allowed_organisations(user=user).filter(pk=organisation_pk)),
            )
            .first()
        )  # no row: the petition is out of scope (or missing)
        return cls(
            user=user,
            petition_ids={petition_pk} if found else set(),
            council_ids={council_pk} if found and found["council_ok"] else set(),
            organisation_ids={organisation_pk} if found and found["organisation_ok"] else set(),
        )

    @classmethod
    def from_choices(cls, user, choices):
        """The context of the lists the phone entry offered (`entry_choices.EntryChoices`): the same scope, read
        once and kept in the shared cache, so checking an entry against it costs no query."""
        return cls(
            user=user,
            council_ids={council.pk for council in choices.councils},
            organisation_ids=None if choices.every_organisation else {o.pk for o in choices.organisations},
            petition_ids={drive.pk for drive in choices.drives},
            rounds=dict(choices.rounds),
        )

    def rounds_of(self, petition):
        if petition.pk not in self.rounds:
            self.rounds[petition.pk] = list(CollectionRound.objects.filter(petition=petition))
        return self.rounds[petition.pk]


def validate_entry_fields(*, context, petition, council, count, collected_on, kind, organisation=None, today=None):
    """Check one entry's fields against the rules and the user's scope; raise ValidationError naming each field.

    The same checks serve the phone form, corrections and a bulk import.
    """
    today = today or timezone.localdate()
    errors = {}
    if petition is None or petition.pk not in context.petition_ids:
        errors["petition"] = "「署名」: この署名には入力できません。"
    elif petition.status != PetitionDrive.Status.OPEN:
        errors["petition"] = f"「署名」: {petition}は{petition.get_status_display()}のため入力できません。"
    if council is None or council.pk not in context.council_ids:
        errors["council"] = "「社保協」: この社保協の集約を入力する権限がありません。"
    if (
        organisation is not None
        and context.organisation_ids is not None
        and organisation.pk not in context.organisation_ids
    ):
        errors["organisation"] = "「集めた団体」: この団体は選べません。"
    if count is None:
        errors["count"] = "「数」を入力してください。"
    elif count < 0:
        errors["count"] = "「数」: 0以上の数を入力してください（減らすときは訂正してください）。"
    elif count > MAX_ENTRY_COUNT:
        errors["count"] = f"「数」: 1回の入力は{MAX_ENTRY_COUNT:,}までです。"
    if kind not in SIGNATURE_KINDS:
        errors["kind"] = "「署名の種類」を選んでください。"
    if collected_on is None:
        errors["collected_on"] = "「集めた日」を入力してください。"
    elif collected_on > today:
        errors["collected_on"] = "「集めた日」: 未来の日付は入力できません。"
    elif petition is not None and not (petition.starts_on <= collected_on <= petition.ends_on):
        errors["collected_on"] = (
            f"「集めた日」: {petition}の期間（{petition.starts_on:%Y-%m-%d}〜{petition.ends_on:%Y-%m-%d}）の外です。"
        )
    if errors:
        raise ValidationError(errors)


def build_entry(
    *,
    context,
    petition,
    council,
    count,
    collected_on,
    kind=SignatureKind.INDIVIDUAL,
    organisation=None,
    source="",
    note="",
    submission_token=None,
    import_batch=None,
    today=None,
    action=None,
):
    """An unsaved, validated TallyEntry (round assigned from the date): save it, or bulk_create many."""
    validate_entry_fields(
        context=context,
        petition=petition,
        council=council,
        count=count,
        collected_on=collected_on,
        kind=kind,
        organisation=organisation,
        today=today,
    )
    entry = TallyEntry(
        petition=petition,
        council=council,
        organisation=organisation,
        kind=kind,
        count=count,
        collected_on=collected_on,
        round=round_for_date(rounds=context.rounds_of(petition), date=collected_on),
        source=source or "",
        note=note or "",
        entered_by=context.user,
        entered_at=timezone.now(),
        submission_token=submission_token,
        import_batch=import_batch,
        action=action,
    )
    _clean(entry)
    return entry


# Related objects arrive as instances already checked above; re-fetching each one per row
# (what full_clean does for foreign keys) would cost six queries per imported line.
_FK_FIELDS = ["petition", "council", "organisation", "round", "entered_by", "corrects", "import_batch", "action"]


def _clean(entry):
    """Field checks; the token's uniqueness and the constraints are the database's job (see _save_once)."""
    entry.full_clean(exclude=_FK_FIELDS, validate_unique=False, validate_constraints=False)


class Recorded(NamedTuple):
    entry: TallyEntry
    created: bool


def _existing_for_token(token, user):
    existing = TallyEntry.objects.filter(submission_token=token).first()
    if existing is not None and existing.entered_by_id != user.pk:
        raise ValidationError({"submission_token": "この送信は別のアカウントで記録済みです。"})
    return existing


def _save_once(entry, token, user):
    """Insert `entry` unless its token was already used: the unique index on the token decides, so a re-tap
    and a concurrent twin alike lose at the INSERT and get the entry the first send made (no SELECT first).

    Outside a transaction the INSERT is its own (one round trip); inside one (an import, a test) a savepoint
    keeps the outer transaction usable after a lost race.
    """
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                entry.save(force_insert=True)
        else:
            entry.save(force_insert=True)
    except IntegrityError:
        if token is not None:
            existing = _existing_for_token(token, user)
            if existing is not None:
                return Recorded(existing, False)
        raise
    return Recorded(entry, True)


def tally_record(
    *,
    user,
    petition,
    council,
    count,
    collected_on,
    kind=SignatureKind.INDIVIDUAL,
    organisation=None,
    source="",
    note="",
    submission_token=None,
    context=None,
    action=None,
):
    """Record collected signatures once. Returns Recorded(entry, created).

    With a `submission_token`, sending the same form again returns the entry
    already recorded (created=False) instead of counting twice.
    Raises ValidationError (field-keyed, in Japanese) and saves nothing on bad input.
    """
    context = context or EntryContext.for_entry(user, petition=petition, council=council, organisation=organisation)
    entry = build_entry(
        context=context,
        petition=petition,
        council=council,
        count=count,
        collected_on=collected_on,
        kind=kind,
        organisation=organisation,
        source=source,
        note=note,
        submission_token=submission_token,
        action=action,
    )
    return _save_once(entry, submission_token, user)


def corrected_count(*, entry):
    """The current value of an original entry: its count plus all its corrections."""
    original_id = entry.corrects_id or entry.pk
    return TallyEntry.objects.filter(Q(pk=original_id) | Q(corrects_id=original_id)).aggregate(
        n=Coalesce(Sum("count"), 0)
    )["n"]


def tally_correct(*, user, entry, corrected, reason, submission_token=None):
    """Correct an entry to the value `corrected` by appending a delta entry with `reason`.

    Corrections always point at the original entry (correcting a correction corrects
    its original). Returns Recorded(correction, created). Raises ValidationError with
    field keys `corrected`, `correction_reason`, `corrects`, `petition`.
    """
    if submission_token is not None:
        existing = _existing_for_token(submission_token, user)
        if existing is not None:
            return Recorded(existing, False)
    context = EntryContext.for_user(user)
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["correction_reason"] = "「訂正の理由」を入力してください。"
    if corrected is None:
        errors["corrected"] = "「正しい数」を入力してください。"
    elif corrected < 0:
        errors["corrected"] = "「正しい数」: 0以上の数を入力してください。"
    elif corrected > MAX_ENTRY_COUNT:
        errors["corrected"] = f"「正しい数」: {MAX_ENTRY_COUNT:,}までです。"
    if entry.council_id not in context.council_ids:
        errors["corrects"] = "「訂正する記録」: この記録を訂正する権限がありません。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the original so two corrections at once compute their deltas one after the other.
        original = TallyEntry.objects.select_for_update().get(pk=entry.corrects_id or entry.pk)
        current = corrected_count(entry=original)
        delta = corrected - current
        if delta == 0:
            raise ValidationError({"corrected": f"「正しい数」: 現在の数（{current:,}）と同じです。"})
        if original.petition_id not in context.petition_ids or original.petition.status != PetitionDrive.Status.OPEN:
            raise ValidationError({"petition": f"「署名」: {original.petition}は集約中でないため訂正できません。"})
        correction = TallyEntry(
            petition=original.petition,
            council=original.council,
            organisation=original.organisation,
            kind=original.kind,
            count=delta,
            collected_on=original.collected_on,
            round=original.round,
            source=original.source,
            action_id=original.action_id,
            corrects=original,
            correction_reason=reason,
            entered_by=user,
            entered_at=timezone.now(),
            submission_token=submission_token,
        )
        _clean(correction)
        return _save_once(correction, submission_token, user)


def submission_check(*, user, petition, council, submitted_on, count):
    """Raise ValidationError naming each bad field of a submission; the admin form and the service share it."""
    errors = {}
    if not in_scope(user, council):
        errors["council"] = "「提出した社保協」: この社保協の提出を入力する権限がありません。"
    if petition is None or not restrict(PetitionDrive.objects.filter(pk=petition.pk), user).exists():
        errors["petition"] = "「署名」: この署名には入力できません。"
    if count is None or count <= 0:
        errors["count"] = "「提出数」: 1以上の数を入力してください。"
    elif count > MAX_ENTRY_COUNT:
        errors["count"] = f"「提出数」: 1回の入力は{MAX_ENTRY_COUNT:,}までです。"
    if petition is not None and submitted_on and submitted_on < petition.starts_on:
        errors["submitted_on"] = "「提出日」: 署名の開始日より前です。"
    if errors:
        raise ValidationError(errors)


def submission_record(*, user, petition, council, submitted_on, submitted_to, count, event="", note="", action=None):
    """Record signatures handed in (提出). Raises ValidationError naming the field; nothing saved then."""
    submission_check(user=user, petition=petition, council=council, submitted_on=submitted_on, count=count)
    submission = Submission(
        petition=petition,
        council=council,
        submitted_on=submitted_on,
        submitted_to=submitted_to,
        count=count,
        event=event,
        action=action,
        note=note,
        entered_by=user,
        entered_at=timezone.now(),
    )
    with transaction.atomic():
        submission.full_clean()
        submission.save()
    return submission


def goal_check(*, user, petition, council, goal):
    """Raise ValidationError (keys `council`, `goal`) unless `goal` may be set for `council`.

    A prefecture's goal may be split among its local councils: the split may not
    exceed the prefecture's goal, and the prefecture's goal may not drop below it.
    """
    if not in_scope(user, council):
        raise ValidationError({"council": "「社保協」: この社保協の目標を設定する権限がありません。"})
    if goal is None or goal < 0 or goal > 1_000_000_000:
        raise ValidationError({"goal": "「目標」: 0以上の数を入力してください。"})
    if council.kind in (CouncilKind.LOCAL, CouncilKind.PREPARATORY) and council.parent_id:
        parent_goal = PetitionGoal.objects.filter(petition=petition, council_id=council.parent_id).first()
        if parent_goal is not None:
            siblings = (
                PetitionGoal.objects.filter(petition=petition, council__parent_id=council.parent_id)
                .exclude(council=council)
                .aggregate(n=Coalesce(Sum("goal"), 0))["n"]
            )
            if siblings + goal > parent_goal.goal:
                raise ValidationError(
                    {
                        "goal": f"「目標」: {council.parent}の目標{parent_goal.goal:,}を超えます"
                        f"（他の地域の目標の合計 {siblings:,}）。"
                    }
                )
    elif council.kind == CouncilKind.PREFECTURAL:
        split = PetitionGoal.objects.filter(petition=petition, council__parent=council).aggregate(
            n=Coalesce(Sum("goal"), 0)
        )["n"]
        if goal < split:
            raise ValidationError(
                {"goal": f"「目標」: 地域社保協に割り振った目標の合計（{split:,}）より小さくできません。"}
            )


def goal_set(*, user, petition, council, goal):
    """Set a council's goal for a petition (create or change). Returns the PetitionGoal. See goal_check."""
    with transaction.atomic():
        goal_check(user=user, petition=petition, council=council, goal=goal)
        obj = PetitionGoal.objects.select_for_update().filter(petition=petition, council=council).first()
        if obj is None:
            obj = PetitionGoal(petition=petition, council=council)
        obj.goal = goal
        obj.full_clean()
        obj.save()
    return obj


def tally_record_many(*, user, lines, today=None):
    """Record many counts as `user` at once, all or nothing; returns the saved TallyEntry rows.

    Each line is a dict of `build_entry`'s fields (petition, council, count, collected_on, and
    optionally kind, organisation, source, note). Every line is checked as one phone entry would
    be (scope, period, open petition) and gets its round from its date. Raises ValidationError
    for the first bad line; nothing is saved then.
    """
    context = EntryContext.for_user(user)
    entries = [build_entry(context=context, today=today, **line) for line in lines]
    with transaction.atomic():
        TallyEntry.objects.bulk_create(entries, batch_size=1000)
    return entries


@transaction.atomic
def drive_create(*, organiser, items=(), rounds=(), cosponsors=(), **fields):
    """Create a petition drive (署名) of `organiser` with its numbered items, its rounds and co-sponsors.

    `items` are the texts of the 請願項目 in order; `rounds` (name, deadline) pairs in order;
    `fields` the PetitionDrive fields (title, short_name, slug, kind, starts_on, ends_on ...).
    Raises ValidationError (field-keyed, Japanese); nothing is saved then.
    """
    drive = PetitionDrive(organiser=organiser, **fields)
    drive.full_clean()
    drive.save()
    for number, text in enumerate(items, start=1):
        item = PetitionItem(petition=drive, number=number, text=text)
        item.full_clean()
        item.save()
    for number, (name, deadline) in enumerate(rounds, start=1):
        collection_round = CollectionRound(petition=drive, number=number, name=name, deadline=deadline)
        collection_round.full_clean()
        collection_round.save()
    drive.cosponsors.set(cosponsors)
    return drive


def drive_set_campaign(*, drive, campaign):
    """Link a drive to its campaign (運動); the name typed before stays in `campaign_name`."""
    drive.campaign = campaign
    with transaction.atomic():
        drive.full_clean()
        drive.save(update_fields=["campaign"])
    return drive


def drive_set_status(*, drive, status):
    """Set a drive's status (準備中・集約中・終了): only an open drive takes entries and corrections."""
    drive.status = PetitionDrive.Status(status)
    with transaction.atomic():
        drive.full_clean()
        drive.save(update_fields=["status"])
    return drive


# --- the staff pages' writes: one check, one save and one delete per row (shaho.core.admin.ServiceAdmin) ------

NOT_IN_SCOPE = "この社保協のデータを扱う権限がありません（または見つかりません）。"
# (parent field named in a refusal, path from the row to its council) of each model the admin writes.
COUNCIL_PATHS = {
    PetitionDrive: ("organiser", "organiser"),
    PetitionItem: ("petition", "petition__organiser"),
    CollectionRound: ("petition", "petition__organiser"),
    PetitionGoal: ("council", "council"),  # a council's goal, also on the national drive
    Submission: ("council", "council"),
}


def _row_rules(user, row):
    """The rules the services keep beyond the model's own: a goal's split, a submission's count and date."""
    if isinstance(row, PetitionGoal):
        goal_check(user=user, petition=row.petition, council=row.council, goal=row.goal)
    elif isinstance(row, Submission):
        submission_check(
            user=user, petition=row.petition, council=row.council, submitted_on=row.submitted_on, count=row.count
        )


def row_check(*, user, row, exclude=None):
    """Refuse `row` (new or changed) unless its council, as stored and as chosen, is in the user's scope and it keeps
    the rules; nothing is written. ValidationError keyed by field, with Japanese messages."""
    row_scope_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    if isinstance(row, Submission) and row.pk is None and exclude is None:
        exclude = ["entered_by", "entered_at"]  # who and when: filled in by row_save
    _row_rules(user, row)  # first: their messages name the field where the model's constraints do not
    row_full_clean(row, COUNCIL_PATHS, exclude)


@transaction.atomic
def row_save(*, user, row):
    """Save `row` after `row_check`; a new submission records who entered it; the history records the user."""
    row_check(user=user, row=row)
    if isinstance(row, Submission) and row.pk is None:
        row.entered_by, row.entered_at = user, timezone.now()
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def row_delete(*, user, row):
    """Delete `row` (and what hangs on it) when its council is in the user's scope; else PermissionDenied."""
    row_delete_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    row._history_user = user
    row.delete()

"""Write side of campaigns: actions with everything reported about them, polls, goals, the calendar token.

Every function takes keyword-only arguments, validates first and writes inside a transaction;
bad input raises `ValidationError` keyed by the field (`ends_on`, `organiser`, …) or by the rows
(`participants`, `polls`, `signatures` …) with Japanese messages naming the field or the row.
Nothing is saved then.

Signatures collected at an action are not kept here: they are tally entries of the petitions
ledger (`petitions.services.tally_record_many`), each pointing at the action. The 42筆 of the
11.25 action is one row of the ledger, read by the action and by the 集約一覧表 alike.
"""

import secrets
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from councils.models import Council
from petitions import services as petition_services
from petitions.models import PetitionDrive, SignatureKind
from shaho.core.rows import row_delete_check, row_full_clean, row_scope_check
from shaho.core.scoping import in_scope, restrict, scope_for

from .models import (
    MAX_COUNT,
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


def _count_error(label, value, *, required=False):
    if value is None:
        return f"「{label}」を入力してください。" if required else None
    if not isinstance(value, int) or isinstance(value, bool):
        return f"「{label}」: 整数を入力してください。"
    if value < 0:
        return f"「{label}」: 0以上の数を入力してください。"
    if value > MAX_COUNT:
        return f"「{label}」: {MAX_COUNT:,}までです。"
    return None


@dataclass
class PollInput:
    question: str
    options: list  # [(label, count)]
    stated_total: int | None = None


def poll_check(*, poll, row=None):
    """Messages for one poll: the options must add up to the stated total (75 = 72 + 3)."""
    where = f"「シール投票{'' if row is None else f' {row}行目'}」"
    errors = []
    if not (poll.question or "").strip():
        errors.append(f"{where}: 質問を入力してください。")
    options = [(str(label or "").strip(), count) for label, count in poll.options]
    options = [(label, count) for label, count in options if label or count is not None]
    if not options:
        errors.append(f"{where}: 選択肢と票数を入力してください。")
    labels = set()
    for i, (label, count) in enumerate(options, start=1):
        if not label:
            errors.append(f"{where}: {i}番目の選択肢の名前を入力してください。")
        elif label in labels:
            errors.append(f"{where}: 選択肢「{label}」が2回あります。")
        labels.add(label)
        message = _count_error(f"{label or i}の票数", count, required=True)
        if message:
            errors.append(f"{where}: {message}")
    message = _count_error("投票数", poll.stated_total)
    if message:
        errors.append(f"{where}: {message}")
    if not errors and poll.stated_total is not None:
        total = sum(count for _label, count in options)
        if total != poll.stated_total:
            detail = "＋".join(f"{label}{count}" for label, count in options)
            errors.append(f"{where}: 選択肢の票数の合計（{detail}＝{total}）が投票数{poll.stated_total}と合いません。")
    return errors


class Recorded(NamedTuple):
    action: Action
    created: bool


ACTION_FIELDS = (
    "title", "starts_on", "start_time", "ends_on", "end_time", "place", "municipality", "mode", "status",
    "onsite_count", "online_points", "online_count", "stated_organisations", "stated_participants",
    "co_organiser_names", "liaison_group", "counterpart_kind", "counterpart_prefecture",
    "counterpart_municipality", "counterpart_name", "counterpart_attendees", "counterpart_count", "report",
)  # fmt: skip
TEXT_FIELDS = {
    "title", "place", "mode", "status", "co_organiser_names", "counterpart_kind", "counterpart_name",
    "counterpart_attendees", "report",
}  # fmt: skip
COUNT_FIELDS = {
    "onsite_count": "会場参加（人）",
    "online_points": "オンライン視聴（か所）",
    "online_count": "オンライン参加（人）",
    "stated_organisations": "報告の団体数",
    "stated_participants": "報告の参加者数",
    "counterpart_count": "相手方の人数",
}


def action_check(*, user, kind, organiser, fields, participants=(), polls=(), signatures=(), today=None):
    """Raise ValidationError naming every bad field and row of an action report; see `action_record`."""
    errors = {}
    title = (fields.get("title") or "").strip()
    if kind is None:
        errors["kind"] = "「種類」を選んでください。"
    if not title:
        errors["title"] = "「名称」を入力してください。"
    starts_on, ends_on = fields.get("starts_on"), fields.get("ends_on")
    start_time, end_time = fields.get("start_time"), fields.get("end_time")
    if starts_on is None:
        errors["starts_on"] = "「開始日」を入力してください。"
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "「終了日」: 開始日より前にできません。"
    if end_time and not start_time:
        errors["start_time"] = "「開始時刻」: 終了時刻があるときは開始時刻も入力してください。"
    elif start_time and end_time and (ends_on is None or ends_on == starts_on) and end_time < start_time:
        errors["end_time"] = "「終了時刻」: 開始時刻より前にできません。"
    if organiser is None:
        errors["organiser"] = "「主催の社保協」を選んでください。"
    elif not in_scope(user, organiser):
        errors["organiser"] = "「主催の社保協」: この社保協の行動を入力する権限がありません。"
    for name, label in COUNT_FIELDS.items():
        message = _count_error(label, fields.get(name))
        if message:
            errors[name] = message
    rows = []
    for i, p in enumerate(participants, start=1):
        name = (p.get("organisation_name") or "").strip()
        if p.get("organisation") is None and not name:
            rows.append(f"「参加団体 {i}行目」: 団体を選ぶか団体名を入力してください。")
        message = _count_error("人数", p.get("count"), required=True)
        if message:
            rows.append(f"「参加団体 {i}行目」: {message}")
    if rows:
        errors["participants"] = rows
    poll_errors = [m for i, poll in enumerate(polls, start=1) for m in poll_check(poll=poll, row=i)]
    if poll_errors:
        errors["polls"] = poll_errors
    if signatures and starts_on and organiser is not None and "organiser" not in errors:
        sig_errors = _signature_errors(user=user, organiser=organiser, date=starts_on, lines=signatures, today=today)
        if sig_errors:
            errors["signatures"] = sig_errors
    if errors:
        raise ValidationError(errors)


def _signature_errors(*, user, organiser, date, lines, today):
    """The petitions' own checks of each signature row (open drive, in its period, in scope), by row."""
    context = petition_services.EntryContext.for_user(user)
    errors = []
    for i, line in enumerate(lines, start=1):
        petition = line["petition"]
        where = f"「署名 {i}行目（{petition}）」" if petition is not None else f"「署名 {i}行目」"
        if petition is not None and not petition.is_open_on(date):
            errors.append(f"{where}: {petition}は行動の日（{date.month}月{date.day}日）に集約中ではありません。")
            continue
        try:
            petition_services.validate_entry_fields(
                context=context,
                petition=petition,
                council=organiser,
                count=line.get("count"),
                collected_on=date,
                kind=line.get("kind", SignatureKind.INDIVIDUAL),
                organisation=line.get("organisation"),
                today=today,
            )
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors += [f"{where}: {m}" for m in messages]
    return errors


def _existing_for_token(token, user):
    existing = Action.objects.filter(submission_token=token).first()
    if existing is not None and existing.entered_by_id != user.pk:
        raise ValidationError({"submission_token": "この送信は別のアカウントで記録済みです。"})
    return existing


def action_record(
    *,
    user,
    kind,
    organiser,
    campaigns=(),
    co_organisers=(),
    co_organisations=(),
    participants=(),
    speakers=(),
    outputs=(),
    polls=(),
    voices=(),
    demands=(),
    signatures=(),
    submission_token=None,
    today=None,
    **fields,
):
    """Record an action as reported, with all its rows, once. Returns Recorded(action, created).

    `fields` are Action fields (title, starts_on, start_time, ends_on, end_time, place, mode,
    onsite_count, stated_participants, counterpart_*, report …). Rows are dicts of their model's
    fields: `participants` (organisation or organisation_name, count, note), `speakers`, `outputs`
    (kind, description, quantity), `voices` (speaker, text), `demands` (text, answer, evaluation,
    is_priority; numbered in order); `polls` are PollInput; `signatures` dicts (petition, count,
    optionally kind, organisation) recorded as tally entries of `organiser` on `starts_on`,
    pointing at the action. With a `submission_token`, the same form sent again returns the
    action already recorded (created=False) and records nothing more.
    """
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown action fields: {sorted(unknown)}")
    if submission_token is not None:
        existing = _existing_for_token(submission_token, user)
        if existing is not None:
            return Recorded(existing, False)
    participants, polls, signatures = list(participants), list(polls), list(signatures)
    action_check(
        user=user, kind=kind, organiser=organiser, fields=fields, participants=participants, polls=polls,
        signatures=signatures, today=today,
    )  # fmt: skip
    action = Action(
        kind=kind, organiser=organiser, entered_by=user, entered_at=timezone.now(), submission_token=submission_token,
        **{k: ("" if v is None and k in TEXT_FIELDS else v) for k, v in fields.items()},
    )  # fmt: skip
    action.title = action.title.strip()
    try:
        with transaction.atomic():
            action.full_clean(exclude=["kind", "organiser", "entered_by", "municipality", "liaison_group"])
            action.save()
            action.campaigns.set(campaigns)
            action.co_organisers.set(co_organisers)
            action.co_organisations.set(co_organisations)
            _add_rows(action, participants, speakers, outputs, polls, voices, demands)
            if signatures:
                petition_services.tally_record_many(
                    user=user,
                    today=today,
                    lines=[
                        {
                            "petition": line["petition"],
                            "council": organiser,
                            "count": line["count"],
                            "collected_on": action.starts_on,
                            "kind": line.get("kind", SignatureKind.INDIVIDUAL),
                            "organisation": line.get("organisation"),
                            "source": (line.get("source") or action.place or action.title)[:200],
                            "action": action,
                        }
                        for line in signatures
                    ],
                )
    except IntegrityError:
        if submission_token is not None:
            existing = _existing_for_token(submission_token, user)
            if existing is not None:
                return Recorded(existing, False)
        raise
    return Recorded(action, True)


def action_update(*, user, action, kind, organiser, fields):
    """Change an action's own fields (an import row naming its 番号), checked as `action_record` checks them.

    Only `fields` (Action fields) and the kind and organiser change; its participants, polls and other
    rows are left as they are. Raises ValidationError when the action or the new organiser is outside
    the user's scope, or a field is wrong. Returns the action.
    """
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown action fields: {sorted(unknown)}")
    if not in_scope(user, action.organiser):
        raise ValidationError({"organiser": "「主催の社保協」: この社保協の行動を入力する権限がありません。"})
    merged = {name: getattr(action, name) for name in ACTION_FIELDS} | dict(fields)
    action_check(user=user, kind=kind, organiser=organiser, fields=merged)
    for name, value in fields.items():
        setattr(action, name, "" if value is None and name in TEXT_FIELDS else value)
    action.kind, action.organiser = kind, organiser
    action.title = action.title.strip()
    action.full_clean(exclude=["kind", "organiser", "entered_by", "municipality", "liaison_group"])
    action.save()
    return action


def _add_rows(action, participants, speakers, outputs, polls, voices, demands):
    rows = [
        Participation(
            action=action, organisation=p.get("organisation"), count=p["count"], note=p.get("note", "") or "",
            organisation_name=(p.get("organisation_name") or "").strip(), order=i,
        )
        for i, p in enumerate(participants, start=1)
    ]  # fmt: skip
    Participation.objects.bulk_create(rows)
    Speaker.objects.bulk_create([Speaker(action=action, order=i, **s) for i, s in enumerate(speakers, start=1)])
    ActionOutput.objects.bulk_create([ActionOutput(action=action, **o) for o in outputs])
    Voice.objects.bulk_create([Voice(action=action, **v) for v in voices if (v.get("text") or "").strip()])
    Demand.objects.bulk_create([Demand(action=action, number=i, **d) for i, d in enumerate(demands, start=1)])
    for poll in polls:
        poll_add(action=action, poll=poll)


def actions_record_many(*, user, lines, today=None):
    """Record many plain actions at once (a year's study sessions, a calendar), all or nothing.

    Each line is a dict of Action fields with `kind` and `organiser`; each is checked as one
    action is (`action_check`), with the user's scope read once. Returns the saved actions.
    """
    councils = set(organiser_choices(user=user).values_list("pk", flat=True))
    actions = []
    for i, line in enumerate(lines, start=1):
        line = dict(line)
        kind, organiser = line.pop("kind"), line.pop("organiser")
        if organiser is None or organiser.pk not in councils:
            raise ValidationError(
                {"organiser": f"{i}行目「主催の社保協」: この社保協の行動を入力する権限がありません。"}
            )
        try:
            action_check(user=None, kind=kind, organiser=None, fields=line)
        except ValidationError as exc:
            errors = {k: v for k, v in exc.message_dict.items() if k != "organiser"}
            if errors:
                raise ValidationError({k: [f"{i}行目{m}" for m in v] for k, v in errors.items()}) from None
        actions.append(
            Action(kind=kind, organiser=organiser, entered_by=user, entered_at=timezone.now(),
                   **{k: ("" if v is None and k in TEXT_FIELDS else v) for k, v in line.items()})
        )  # fmt: skip
    with transaction.atomic():
        Action.objects.bulk_create(actions, batch_size=1000)
    return actions


def poll_add(*, action, poll):
    """Add a シール投票 to an action; refused when its options do not add up to its stated total."""
    errors = poll_check(poll=poll)
    if errors:
        raise ValidationError({"polls": errors})
    with transaction.atomic():
        saved = StickerPoll.objects.create(
            action=action, question=poll.question.strip(), stated_total=poll.stated_total
        )
        PollOption.objects.bulk_create(
            [
                PollOption(poll=saved, label=str(label).strip(), count=count, order=i)
                for i, (label, count) in enumerate(poll.options, start=1)
                if str(label or "").strip()
            ]
        )
    return saved


def poll_set_options(*, poll, options):
    """Replace a poll's options (the admin's 「反対72、賛成3」); refused unless they add up to its total."""
    errors = poll_check(poll=PollInput(question=poll.question, options=options, stated_total=poll.stated_total))
    if errors:
        raise ValidationError({"options": errors})
    with transaction.atomic():
        poll.options.all().delete()
        PollOption.objects.bulk_create(
            [PollOption(poll=poll, label=label, count=count, order=i) for i, (label, count) in enumerate(options, 1)]
        )


def action_add_signatures(*, user, action, lines, today=None):
    """Record signatures collected at an existing action: tally entries of its organiser on its date."""
    errors = _signature_errors(user=user, organiser=action.organiser, date=action.starts_on, lines=lines, today=today)
    if not in_scope(user, action.organiser):
        errors.insert(0, "「署名」: この行動の署名を入力する権限がありません。")
    if errors:
        raise ValidationError({"signatures": errors})
    return petition_services.tally_record_many(
        user=user,
        today=today,
        lines=[
            {
                "petition": line["petition"], "council": action.organiser, "count": line["count"],
                "collected_on": action.starts_on, "kind": line.get("kind", SignatureKind.INDIVIDUAL),
                "organisation": line.get("organisation"), "source": (action.place or action.title)[:200],
                "action": action,
            }
            for line in lines
        ],
    )  # fmt: skip


def totals_confirm(*, user, action, note=""):
    """Staff confirm that the stated total and the rows disagree on purpose; both figures stay as they are."""
    if not in_scope(user, action.organiser):
        raise ValidationError({"organiser": "この行動を確認する権限がありません。"})
    action.totals_confirmed_by = user
    action.totals_confirmed_at = timezone.now()
    action.totals_confirmed_note = (note or "")[:300]
    action.save(update_fields=["totals_confirmed_by", "totals_confirmed_at", "totals_confirmed_note"])
    return action


def study_goal_set(*, user, council, year, goal):
    """Set a council's study-session goal for a 年度 (the national council's is the national goal)."""
    if not in_scope(user, council):
        raise ValidationError({"council": "「社保協」: この社保協の目標を設定する権限がありません。"})
    message = _count_error("学習会の目標", goal, required=True)
    if message:
        raise ValidationError({"goal": message})
    with transaction.atomic():
        obj, _created = StudyGoal.objects.update_or_create(council=council, year=year, defaults={"goal": goal})
    return obj


def feed_for(*, council):
    """The council's calendar feed, made with a fresh token on first use."""
    feed = CalendarFeed.objects.filter(council=council).first()
    if feed is None:
        feed, _created = CalendarFeed.objects.get_or_create(
            council=council, defaults={"token": secrets.token_urlsafe(32), "rotated_at": timezone.now()}
        )
    return feed


def feed_rotate(*, user, council):
    """A new secret token for the council's feed: the old URL stops working at once."""
    if not in_scope(user, council):
        raise ValidationError({"council": "この社保協のカレンダー配信を変更する権限がありません。"})
    feed = feed_for(council=council)
    feed.token = secrets.token_urlsafe(32)
    feed.rotated_at = timezone.now()
    feed.rotated_by = user
    feed.save(update_fields=["token", "rotated_at", "rotated_by"])
    return feed


def campaign_create(*, lead_council, themes=(), **fields):
    """Create a campaign (運動) led by `lead_council`, with its themes. Raises ValidationError; nothing saved."""
    campaign = Campaign(lead_council=lead_council, **fields)
    with transaction.atomic():
        campaign.full_clean()
        campaign.save()
        campaign.themes.set(themes)
    return campaign


def liaison_group_create(*, council, member_organisations=(), **fields):
    group = LiaisonGroup(council=council, **fields)
    with transaction.atomic():
        group.full_clean()
        group.save()
        group.member_organisations.set(member_organisations)
    return group


def kind_by_code(code):
    return ActionKind.objects.get(code=code)


def organiser_choices(*, user):
    """Councils the user may organise an action for: their scope, without dissolved ones."""
    return scope_for(user).exclude(status=Council.Status.DISSOLVED).order_by("sort_key", "pk")


def running_petitions(*, user, date=None):
    """Drives the user may record signatures for on `date` (集約中, date in the period)."""
    from petitions.selectors import open_petitions

    return open_petitions(user=user, date=date)


def visible_drives(*, user):
    return restrict(PetitionDrive.objects.all(), user)


# --- the staff pages' writes: one check, one save and one delete per row (shaho.core.admin.ServiceAdmin) ------

NOT_IN_SCOPE = "この社保協のデータを扱う権限がありません（または見つかりません）。"
# (parent field named in a refusal, path from the row to its council) of each model the admin writes.
COUNCIL_PATHS = {
    LiaisonGroup: ("council", "council"),
    Campaign: ("lead_council", "lead_council"),
    Action: ("organiser", "organiser"),
    Participation: ("action", "action__organiser"),
    Speaker: ("action", "action__organiser"),
    ActionOutput: ("action", "action__organiser"),
    StickerPoll: ("action", "action__organiser"),
    Voice: ("action", "action__organiser"),
    Demand: ("action", "action__organiser"),
    StudyGoal: ("council", "council"),
}
_ACTION_CHECKED = ("title", "starts_on", "ends_on", "start_time", "end_time", *COUNT_FIELDS)


def _row_rules(user, row):
    """The rules the services keep beyond the model's own (the counts' bounds of a report, a goal's)."""
    if isinstance(row, Action):
        action_check(
            user=user,
            kind=row.kind if row.kind_id else None,
            organiser=row.organiser if row.organiser_id else None,
            fields={name: getattr(row, name) for name in _ACTION_CHECKED},
        )
    elif isinstance(row, StudyGoal):
        message = _count_error("学習会の目標", row.goal, required=True)
        if message:
            raise ValidationError({"goal": message})


def row_check(*, user, row, exclude=None):
    """Refuse `row` (new or changed) unless its council, as stored and as chosen, is in the user's scope and it
    keeps the rules; nothing is written. Raises ValidationError keyed by field with Japanese messages.

    `exclude`: fields not to clean (default: the parent link of an inline row whose action is not saved yet).
    """
    row_scope_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    _row_rules(user, row)  # first: their messages name the field where the model's constraints do not
    row_full_clean(row, COUNCIL_PATHS, exclude)


@transaction.atomic
def row_save(*, user, row):
    """Save `row` after `row_check`; a new action records who entered it and when; the history records the user."""
    row_check(user=user, row=row)
    if isinstance(row, Action) and row.pk is None:
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

"""Writes of the consultations: calls (recorded once per form, corrected with who and when), the read log,
the retention setting and the free-text purge.

Every function takes keyword arguments, checks with full_clean and writes inside a transaction.
A ValidationError is keyed by the form field it concerns, with a Japanese message naming it.
"""

import datetime
import re
import unicodedata
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shaho.core.rows import row_delete_check, row_full_clean, row_scope_check
from shaho.core.scoping import sees_everything

from .models import (
    CallRecord,
    Category,
    ConsultationDay,
    FreeTextRead,
    PurgeRun,
    Responder,
    RetentionSetting,
    Station,
)
from .privacy import is_coordinator, may_read_free_text, personal_fields, responder_station_ids

DEFAULT_RETENTION_YEARS = 3

# --- contacts typed into free text -------------------------------------------------------------

# A Japanese phone number (03-1234-5678, 090 1234 5678, 0120-123-456, 0312345678, +81 90 …) and an e-mail.
_PHONE = re.compile(r"(?<!\d)(?:\+81[-\s]?|0)\d{1,4}[-\s()]?\d{1,4}[-\s)]?\d{3,4}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_MASK = "［電話番号］"
EMAIL_MASK = "［メールアドレス］"


def mask_contacts(text):
    """`text` with phone numbers and e-mail addresses replaced (全角 digits and ＠ are found too)."""
    if not text:
        return text or ""
    # NFKC per character keeps the length and the other characters as typed.
    normalised = "".join(
        unicodedata.normalize("NFKC", ch) if ch.isdigit() or ch in "＠．－＋（）" else ch for ch in text
    )
    masked = _EMAIL.sub(EMAIL_MASK, normalised)
    masked = _PHONE.sub(PHONE_MASK, masked)
    return masked if masked != normalised else text


def contacts_found(**texts):
    """{field: masked text} for each text holding a phone number or e-mail address."""
    return {name: mask_contacts(value) for name, value in texts.items() if value and mask_contacts(value) != value}


# --- who may record ------------------------------------------------------------------------------


def may_record_at(user, station):
    """The station's responders and the coordinators record its calls (they read what they typed)."""
    return is_coordinator(user) or station.pk in responder_station_ids(user)


class Recorded(NamedTuple):
    call: CallRecord
    created: bool
    warnings: list


def _check_call(call, *, station, responder, categories, day):
    errors, warnings = {}, []
    if responder is not None and responder.station_id != station.pk:
        errors["responder"] = f"相談員「{responder.user}」はこの会場（{station.council}）の相談員ではありません。"
    if call.line and call.line > station.line_count:
        errors["line"] = f"回線: この会場の回線は{station.line_count}回線です（{call.line}は選べません）。"
    inactive = [c.name for c in categories if not c.active]
    if inactive:
        errors["categories"] = f"分類「{'、'.join(inactive)}」はいま使われていない分類です。"
    if call.duration_minutes is not None and not 1 <= call.duration_minutes <= 480:
        errors["duration_minutes"] = "相談時間（分）は1分から480分（8時間）までで入力してください。"
    if call.started_at and day is not None:
        local = timezone.localtime(call.started_at)
        if local.date() != day.date:
            warnings.append(f"開始時刻が相談日（{day.date.month}月{day.date.day}日）以外の日付です。")
        elif not day.starts_at <= local.time() <= day.ends_at:
            warnings.append(
                f"開始時刻 {local:%H:%M} は受付時間（{day.starts_at:%H:%M}〜{day.ends_at:%H:%M}）の外です。"
                "時間外の相談として記録しました。"
            )
    return errors, warnings


def _masked(values):
    for name in personal_fields():
        values[name] = mask_contacts(values.get(name, ""))
    return values


@transaction.atomic
def call_record(*, user, station, responder, started_at, duration_minutes, caller_type, categories=(),
                submission_token=None, **fields):  # fmt: skip
    """Record one call at `station` by `user` (a responder there or a coordinator).

    Returns Recorded(call, created, warnings): the same form sent twice (one `submission_token`)
    gives back the call already recorded. Free text is masked (phone numbers, e-mail addresses)
    before it is stored. Raises PermissionDenied or ValidationError keyed by field.
    """
    if not may_record_at(user, station):
        raise PermissionDenied("この会場の相談を記録できるのは、その会場の相談員と全国コーディネーターだけです。")
    if submission_token is not None:
        existing = CallRecord.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            if existing.created_by_id != user.pk:
                raise ValidationError({"submission_token": "この送信は別のアカウントで記録済みです。"})
            return Recorded(existing, False, [])
    categories = list(categories)
    now = timezone.now()
    call = CallRecord(
        station=station,
        responder=responder,
        started_at=started_at,
        duration_minutes=duration_minutes,
        caller_type=caller_type,
        created_by=user,
        created_at=now,
        **_masked(dict(fields)),
    )
    if submission_token is not None:
        call.submission_token = submission_token
    errors, warnings = _check_call(call, station=station, responder=responder, categories=categories, day=station.day)
    try:
        call.full_clean(exclude=["station", "responder", "created_by", "municipality", "submission_token"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, " ".join(messages))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            call.save(force_insert=True)
    except IntegrityError:
        existing = CallRecord.objects.filter(submission_token=call.submission_token).first()
        if existing is not None and existing.created_by_id == user.pk:
            return Recorded(existing, False, [])
        raise
    call.categories.set(categories)
    return Recorded(call, True, warnings)


@transaction.atomic
def call_update(*, user, call, categories=None, **fields):
    """Correct a call (its responders or a coordinator); who and when are kept. A purged call's text stays gone."""
    if not may_read_free_text(user, call):
        raise PermissionDenied("この相談記録を直せるのは、その会場の相談員と全国コーディネーターだけです。")
    if call.text_purged_at and any(fields.get(name) for name in personal_fields()):
        raise ValidationError({"summary": "保存期間を過ぎて消去した自由記述は、書き戻せません。"})
    fields = _masked(fields) if not call.text_purged_at else fields
    for name, value in fields.items():
        setattr(call, name, value)
    responder = fields.get("responder", call.responder)
    cats = list(categories) if categories is not None else list(call.categories.all())
    errors, _warnings = _check_call(call, station=call.station, responder=responder, categories=cats, day=None)
    if errors:
        raise ValidationError(errors)
    call.updated_by = user
    call.updated_at = timezone.now()
    call.full_clean(exclude=["station", "responder", "created_by", "updated_by", "municipality", "submission_token"])
    call.save()
    if categories is not None:
        call.categories.set(cats)
    return call


def responders_of(station):
    return Responder.objects.filter(station=station).select_related("user", "organisation")


def active_categories():
    return Category.objects.filter(active=True)


# --- the read log ------------------------------------------------------------------------------


def free_text_read_log(*, user, calls, purpose):
    """Write one read-log row per call whose free text `user` is about to see; returns the calls they may read.

    Called by the pages before they render any personal field: what is not logged is not shown.
    """
    readable = [call for call in calls if may_read_free_text(user, call)]
    now = timezone.now()
    FreeTextRead.objects.bulk_create([FreeTextRead(call=c, user=user, read_at=now, purpose=purpose) for c in readable])
    return readable


# --- retention and the purge ---------------------------------------------------------------------


def retention_years():
    latest = RetentionSetting.objects.order_by("-set_at", "-pk").first()
    return latest.years if latest else DEFAULT_RETENTION_YEARS


@transaction.atomic
def retention_set(*, user, years):
    """Set the retention period of free text (coordinators only); the earlier settings stay as the record."""
    if not is_coordinator(user):
        raise PermissionDenied("保存期間を設定できるのは全国コーディネーターだけです。")
    setting = RetentionSetting(years=years, set_by=user, set_at=timezone.now())
    try:
        setting.full_clean(exclude=["set_by"])
    except ValidationError:
        raise ValidationError({"years": "保存年数は1年から30年までで入力してください。"}) from None
    setting.save()
    return setting


def retention_cutoff(*, now=None, years=None):
    """Calls that started before this moment lose their free text: `years` before `now` (Asia/Tokyo)."""
    now = timezone.localtime(now or timezone.now())
    years = years or retention_years()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


@transaction.atomic
def free_text_purge(*, now=None, user=None):
    """Empty the summary, advice and referral of every call past the retention period; logged, irreversible.

    The statistical fields stay, so the totals of past days do not change. Returns the PurgeRun row
    (written even when nothing was due, so the log shows that the task ran).
    """
    now = now or timezone.now()
    years = retention_years()
    cutoff = retention_cutoff(now=now, years=years)
    due = CallRecord.objects.filter(started_at__lt=cutoff, text_purged_at__isnull=True)
    purged = due.update(text_purged_at=now, **{name: "" for name in personal_fields()})
    return PurgeRun.objects.create(ran_at=now, cutoff=cutoff, retention_years=years, calls_purged=purged, ran_by=user)


def started_at_on(day, time):
    """The aware datetime of `time` on the consultation day's date (Asia/Tokyo)."""
    return timezone.make_aware(datetime.datetime.combine(day.date, time))


# --- the staff pages' writes: one check, one save and one delete per row (shaho.core.admin.ServiceAdmin) ------

NOT_IN_SCOPE = "この社保協のデータを扱う権限がありません（または見つかりません）。"
# (parent field named in a refusal, path from the row to its council) of each model the admin writes.
COUNCIL_PATHS = {
    ConsultationDay: ("council", "council"),
    Station: ("council", "council"),
    Responder: ("station", "station__council"),
}


def row_check(*, user, row, exclude=None):
    """Refuse a day, station or responder unless its council, as stored and as chosen, is in the user's scope
    (a day: its organiser's) and it keeps the model's rules; nothing is written. ValidationError by field."""
    row_scope_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    row_full_clean(row, COUNCIL_PATHS, exclude)


@transaction.atomic
def row_save(*, user, row):
    """Save a day, station or responder after `row_check`; the history records the user."""
    row_check(user=user, row=row)
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def row_delete(*, user, row):
    """Delete a day, station or responder (and what hangs on it) within the user's scope; else PermissionDenied."""
    row_delete_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    row._history_user = user
    row.delete()


def coordinator_check(*, user, coordinator):
    """Only national staff appoint a national coordinator (who reads every station's free text)."""
    if not sees_everything(user):
        raise ValidationError({"user": "全国コーディネーターを指名できるのは中央事務局だけです。"})
    coordinator.full_clean()


@transaction.atomic
def coordinator_save(*, user, coordinator):
    """Appoint (or change) a coordinator, recording who appointed them; the history keeps the appointment."""
    coordinator_check(user=user, coordinator=coordinator)
    if coordinator.pk is None:
        coordinator.appointed_by = user
    coordinator._history_user = user
    coordinator.save()
    return coordinator


@transaction.atomic
def coordinator_delete(*, user, coordinator):
    """End a coordinator's appointment (national staff only); the history keeps who ended it."""
    if not sees_everything(user):
        raise PermissionDenied("全国コーディネーターを外せるのは中央事務局だけです。")
    coordinator._history_user = user
    coordinator.delete()

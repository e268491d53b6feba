"""Write side of the federation: councils (tree path, sort key, dated stages) and accounts' role and council.

Every function takes keyword-only arguments, validates with `full_clean()` and writes inside a
transaction. Invalid input raises `ValidationError` keyed by model field names (`parent`, `kind`,
`prefecture`, `dissolved_on`, `council`, `role` ...) with Japanese messages; nothing is saved then.

What a bare `save()` no longer does, these do: keep the materialised path (`/1/14/203/`) of a
council and its descendants, the sort key that lists councils in JIS prefecture code order, the
stage history the census reads (`CouncilStage`), and an account's `is_staff` flag that follows its
role.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from shaho.core.japanese import format_date
from shaho.core.roles import STAFF_ROLES, Role
from shaho.core.rows import row_delete_check, row_full_clean, row_scope_check

from .models import EARLIEST, Council, CouncilKind, CouncilStage, Membership, Officer, Organisation, User

# The fields a caller may set on a council: the editable ones. `path` and `sort_key` are not
# editable: they are the services' own.
COUNCIL_FIELDS = frozenset(f.name for f in Council._meta.concrete_fields if f.editable and not f.primary_key)
KIND_CHANGE_NOTE = "種別の変更"
FRIENDLY_KEY = "90"  # after every prefecture's code (01–47), before councils without a prefecture (99)


def council_sort_key(*, kind, prefecture_code, municipality_code, pk):
    """The key councils are listed by: the national council, then per prefecture in JIS code order its
    prefectural council followed by its local councils and committees by the lowest municipality code
    they cover (those covering none last), ties by creation order; then the friendly organisations, by
    prefecture and creation order (after the federation's own councils, as the seeds list them).

    ('00', '01', '01/011002/000000107', ..., '47/999999/000000466', '90/13/000000042')
    """
    code = prefecture_code or "99"
    if kind == CouncilKind.NATIONAL:
        return "00"
    if kind == CouncilKind.FRIENDLY:
        return f"{FRIENDLY_KEY}/{code}/{pk:09d}"
    if kind == CouncilKind.PREFECTURAL:
        return code
    return f"{code}/{municipality_code or '999999'}/{pk:09d}"


def _refresh_sort_key(council):
    first = council.municipalities.order_by("code").values_list("code", flat=True).first()
    key = council_sort_key(
        kind=council.kind,
        prefecture_code=council.prefecture.code if council.prefecture_id else None,
        municipality_code=first,
        pk=council.pk,
    )
    if key != council.sort_key:
        Council.objects.filter(pk=council.pk).update(sort_key=key)
        council.sort_key = key


def _rewrite_paths(council):
    """Give `council` the path under its parent and move its descendants' paths with it (one UPDATE)."""
    new_path = f"{council.parent.path if council.parent_id else '/'}{council.pk}/"
    if new_path == council.path:
        return
    old_path = council.path
    Council.objects.filter(pk=council.pk).update(path=new_path)
    if old_path:
        Council.objects.filter(path__startswith=old_path).exclude(pk=council.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
    council.path = new_path


def _set_fields(council, fields):
    unknown = set(fields) - COUNCIL_FIELDS
    if unknown:
        raise TypeError(f"unknown council fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(council, name, value)


def _validate(council):
    # `path` and `sort_key` are ours; the rules in Council.clean (parent kind, prefecture) and the
    # constraints (one national council, one per prefecture) run here.
    council.full_clean(exclude=["path", "sort_key"])


def council_municipalities_check(*, kind, prefecture, municipalities):
    """Raise ValidationError (`municipalities`) unless a council of `kind` in `prefecture` may cover them.

    Only local councils and preparatory committees cover municipalities, and only their own
    prefecture's. The admin form shows the same message before anything is saved.
    """
    municipalities = list(municipalities)
    if not municipalities:
        return
    if kind not in (CouncilKind.LOCAL, CouncilKind.PREPARATORY):
        raise ValidationError({"municipalities": "対象の市区町村を指定できるのは地域社保協と準備会だけです。"})
    foreign = [m.name for m in municipalities if prefecture is None or m.prefecture_id != prefecture.pk]
    if foreign:
        raise ValidationError(
            {"municipalities": f"{'、'.join(foreign)} は{prefecture or '指定した都道府県'}の市区町村ではありません。"}
        )


def _set_municipalities(council, municipalities):
    municipalities = list(municipalities)
    council_municipalities_check(kind=council.kind, prefecture=council.prefecture, municipalities=municipalities)
    council.municipalities.set(municipalities)


@transaction.atomic
def council_create(*, municipalities=(), **fields):
    """Create a council from `fields` (names in COUNCIL_FIELDS; `name` and `kind` required).

    Promises: the council is saved with its path under its parent, its sort key, the municipalities
    it covers, and one stage of its kind from its founding date (or EARLIEST when unknown).
    Raises ValidationError (field-keyed, Japanese) and saves nothing on bad input.
    """
    council = Council()
    _set_fields(council, fields)
    _validate(council)
    municipalities = list(municipalities)
    council_municipalities_check(kind=council.kind, prefecture=council.prefecture, municipalities=municipalities)
    council.save()
    # Path and sort key need the new primary key: one UPDATE for both.
    council.path = f"{council.parent.path if council.parent_id else '/'}{council.pk}/"
    council.sort_key = council_sort_key(
        kind=council.kind,
        prefecture_code=council.prefecture.code if council.prefecture_id else None,
        municipality_code=min((m.code for m in municipalities), default=None),
        pk=council.pk,
    )
    Council.objects.filter(pk=council.pk).update(path=council.path, sort_key=council.sort_key)
    CouncilStage.objects.create(council=council, kind=council.kind, since=council.founded_on or EARLIEST)
    if municipalities:
        council.municipalities.add(*municipalities)
    return council


@transaction.atomic
def council_update(*, council, municipalities=None, kind_since=None, kind_note=KIND_CHANGE_NOTE, **fields):
    """Change a council: the given `fields` (names in COUNCIL_FIELDS), and `municipalities` unless None.

    `council` may also arrive with its changes already set on the instance (an admin form does that);
    what changed is read against the row in the database. Promises:
    - a new parent moves the council and all its descendants in the tree (see `council_move`);
    - a new kind adds a stage of that kind from `kind_since` (default: today, or the day after the
      latest stage), with `kind_note`; a date not after the latest stage is refused (`kind`);
    - a corrected founding date moves the first stage with it (never past the second stage);
    - the sort key follows the prefecture, the kind and the municipalities.
    Raises ValidationError (field-keyed, Japanese); nothing is saved then.
    """
    _set_fields(council, fields)
    before = Council.objects.select_for_update().get(pk=council.pk)
    council.path = before.path  # the tree position is ours, never the caller's
    _validate(council)
    council.save()
    _rewrite_paths(council)  # a no-op unless the parent changed (or the path was stale)
    _follow_stages(council, kind_since=kind_since, kind_note=kind_note)
    if municipalities is not None:
        _set_municipalities(council, municipalities)
    _refresh_sort_key(council)
    return council


def _follow_stages(council, *, kind_since, kind_note):
    stages = list(CouncilStage.objects.filter(council=council).order_by("since"))
    first_since = council.founded_on or EARLIEST
    if not stages:
        CouncilStage.objects.create(council=council, kind=council.kind, since=first_since)
        return
    # A corrected founding date moves the first stage with it (never past the next stage).
    if stages[0].since != first_since and (len(stages) == 1 or first_since < stages[1].since):
        CouncilStage.objects.filter(pk=stages[0].pk).update(since=first_since)
        stages[0].since = first_since
    latest = stages[-1]
    if latest.kind == council.kind:
        return
    since = kind_since or max(timezone.localdate(), latest.since + datetime.timedelta(days=1))
    if since <= latest.since:
        raise ValidationError(
            {"kind": f"種別の変更日は最後の履歴の開始日（{format_date(latest.since)}）より後にしてください。"}
        )
    CouncilStage.objects.create(council=council, kind=council.kind, since=since, note=kind_note)


def council_change_kind(*, council, kind, since, note=KIND_CHANGE_NOTE):
    """Record that `council` is `kind` from `since` (a 準備会 becoming a 地域社保協 at its founding meeting).

    The council's current kind becomes `kind` when `since` is its latest stage; an earlier date
    inserts the stage into the history and leaves the current kind alone. Returns the council.
    Raises ValidationError (`kind`) when a stage already starts that day.
    """
    with transaction.atomic():
        latest = CouncilStage.objects.filter(council=council).order_by("-since").first()
        if latest is None or since > latest.since:
            return council_update(council=council, kind=kind, kind_since=since, kind_note=note)
        if CouncilStage.objects.filter(council=council, since=since).exists():
            raise ValidationError({"kind": f"{format_date(since)}に始まる種別の履歴が既にあります。"})
        stage = CouncilStage(council=council, kind=kind, since=since, note=note)
        stage.full_clean()
        stage.save()
    return council


@transaction.atomic
def council_move(*, council, parent):
    """Move `council` under `parent`; the paths of all its descendants move with it (one UPDATE).

    Raises ValidationError (`parent`) when the parent's kind does not fit or the parent is the
    council itself or below it; nothing changes then.
    """
    return council_update(council=council, parent=parent)


def user_set_role(*, user, role, council):
    """Give `user` a role in a council and save the account (with any other changes set on it).

    Promises: `is_staff` (admin access) follows the role — national and council staff have it,
    organizers and members do not; a superuser keeps it. Raises ValidationError (`council`,
    `role`) when the account has no council or national staff is not of the national council.
    """
    user.role = Role(role)
    user.council = council
    if not user.is_superuser:
        user.is_staff = user.role in STAFF_ROLES
    with transaction.atomic():
        user.full_clean()
        user.save()
    return user


def user_create(*, username, password, role, council, display_name="", email="", is_superuser=False):
    """Create an account with a role in a council (see `user_set_role`); `password` is hashed.

    A superuser has every right and `is_staff`. Raises ValidationError (field-keyed) on bad input
    (a taken username, a missing council, national staff outside the national council).
    """
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    user.set_password(password)
    return user_set_role(user=user, role=role, council=council)


# --- member organisations, memberships, officers ------------------------------------------------------


@transaction.atomic
def organisation_create(*, name, level, home_council, **fields):
    """Create a member organisation (加盟団体) managed by `home_council`. Raises ValidationError (field-keyed)."""
    organisation = Organisation(name=name, level=level, home_council=home_council, **fields)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def membership_add(*, organisation, council, since=None, until=None):
    """Record that `organisation` joined `council` on `since` (and left on `until`); returns the Membership.

    The same organisation, council and date already recorded is returned as it is (created=False):
    (membership, created). Raises ValidationError when `until` is before `since`.
    """
    existing = Membership.objects.filter(organisation=organisation, council=council, since=since).first()
    if existing is not None:
        return existing, False
    membership = Membership(organisation=organisation, council=council, since=since, until=until)
    membership.full_clean()
    membership.save()
    return membership, True


@transaction.atomic
def officer_add(*, council, role, person_name, organisation=None, term_start=None, term_end=None):
    """Record an officer (役員) of `council`; the same council, role and name already recorded is kept as it is.

    Returns (officer, created). Raises ValidationError when the term ends before it starts.
    """
    existing = Officer.objects.filter(council=council, role=role, person_name=person_name).first()
    if existing is not None:
        return existing, False
    officer = Officer(
        council=council,
        role=role,
        person_name=person_name,
        organisation=organisation,
        term_start=term_start,
        term_end=term_end,
    )
    officer.full_clean()
    officer.save()
    return officer, True


def user_set_password(*, user, password):
    """Set an account's password (hashed) and save only that; the password is not in the history."""
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


# --- the staff pages' writes: one check, one save and one delete per row (shaho.core.admin.ServiceAdmin) ------

NOT_IN_SCOPE = "この社保協のデータを扱う権限がありません（または見つかりません）。"
# (parent field named in a refusal, path from the row to its council) of each model the admin writes row by row.
COUNCIL_PATHS = {
    Council: ("parent", "parent"),  # only as the parent of an inline row on the add page: judged by its own parent
    Organisation: ("home_council", "home_council"),
    Membership: ("council", "council"),
    Officer: ("council", "council"),
    CouncilStage: ("council", "council"),
}


def row_check(*, user, row, exclude=None):
    """Refuse an organisation, membership, officer or stage unless its council, as stored and as chosen, is in the
    user's scope and it keeps the model's rules; nothing is written. ValidationError keyed by field."""
    row_scope_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    row_full_clean(row, COUNCIL_PATHS, exclude)


@transaction.atomic
def row_save(*, user, row):
    """Save `row` after `row_check`; the history records the user."""
    row_check(user=user, row=row)
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def row_delete(*, user, row):
    """Delete `row` when its council is in the user's scope; else PermissionDenied."""
    row_delete_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    row._history_user = user
    row.delete()

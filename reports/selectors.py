"""Read side of reports: what documents are made of, and which jobs and files a user may reach."""

import hashlib

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q

from shaho.core.public import printed_nationwide
from shaho.core.report_kinds import data_models
from shaho.core.roles import is_staff_user
from shaho.core.scoping import restrict, scope_for, sees_everything, system_user

from .models import Audience, JobStatus, Meeting, ReportJob

# --- what documents are made of (the federation's lists are councils.selectors') ---


def visible_meetings(*, user):
    """The meetings `user` may see (None: a system run sees all), newest first."""
    qs = Meeting.objects.select_related("council")
    if not system_user(user):
        qs = restrict(qs, user)
    return qs.order_by("-date", "council__sort_key")


def meeting_for(*, number, user, council_id=None):
    """The meeting numbered `number` (of council `council_id`, if given) that `user` may see, or None.

    When several councils number their meetings alike, the highest council's (national first) wins.
    """
    qs = visible_meetings(user=user).filter(number=number)
    if council_id is not None:
        qs = qs.filter(council_id=council_id)
    return qs.order_by("council__sort_key").first()


def data_version(kind, *, user=None):
    """A fingerprint of everything `kind` reads (`shaho.core.report_kinds.data_models`) as `user` may see it, in one
    query.

    Per table: its row count and highest id (an insert or a delete, by any writer: save, bulk_create, the
    importer's COPY, SQL by hand), the highest id of its history table (an edit or a delete through save() or
    delete(), as the forms, the admin and the services make them; an admin inline edit saves its parent too), and
    its latest `updated_at` where it has one (call records). Two requests with the same fingerprint read the
    same data: the second is a double click. The tally ledger is append-only: a correction is a new entry.

    Only the rows `user` may see count (None, national staff: every row), so a fingerprint never moves because a
    neighbour's data changed: a Kanagawa request after a Tokyo edit is still a double click. What any council's
    document may print beyond its scope (`shaho.core.public.printed_nationwide`: the registry, councils' public
    fields, the tally's totals, the public assembly outcomes) and vocabularies without councils count whole.
    """
    quote = connection.ops.quote_name
    whole = user is None or sees_everything(user)
    parts, params = [], []
    for model in data_models(kind):
        meta = model._meta
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        visible = None if whole else _visible_pks(model, user)
        stamp = "NULL"
        if any(f.name == "updated_at" for f in meta.concrete_fields):
            stamp = f"MAX(t.{quote(meta.get_field('updated_at').column)})"
        history = getattr(meta, "simple_history_manager_attribute", None)
        history_meta = getattr(model, history).model._meta if history else None
        if visible is None:
            parts.append(
                f"SELECT {len(parts)}, COUNT(*), CAST(MAX(t.{pk}) AS TEXT), CAST({stamp} AS TEXT) FROM {table} t"
            )
            if history_meta is not None:
                parts.append(
                    f"SELECT {len(parts)}, 0, CAST(MAX({quote(history_meta.pk.column)}) AS TEXT), CAST(NULL AS TEXT)"
                    f" FROM {quote(history_meta.db_table)}"
                )
            continue
        try:
            sql, where_params = visible.query.sql_with_params()
            where = f" WHERE t.{pk} IN ({sql})"
        except EmptyResultSet:  # the user sees none of its rows
            where, where_params = " WHERE 1 = 0", []
        if history_meta is None:
            parts.append(
                f"SELECT {len(parts)}, COUNT(*), CAST(MAX(t.{pk}) AS TEXT), CAST({stamp} AS TEXT) FROM {table} t{where}"
            )
        else:
            # The visible rows once, each with its history rows (which keep the row's id in the same column): an
            # edit of one of them is a new highest history id, a delete a lower count.
            edited = f"CAST(MAX(h.{quote(history_meta.pk.column)}) AS TEXT)"
            if stamp != "NULL":
                edited = f"{edited} || '|' || CAST({stamp} AS TEXT)"
            parts.append(
                f"SELECT {len(parts)}, COUNT(DISTINCT t.{pk}), CAST(MAX(t.{pk}) AS TEXT), {edited}"
                f" FROM {table} t LEFT JOIN {quote(history_meta.db_table)} h ON h.{pk} = t.{pk}{where}"
            )
        params += where_params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = sorted(cursor.fetchall())  # UNION ALL promises no order (a parallel plan interleaves)
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]


def _visible_pks(model, user):
    """A values queryset of the pks of `model` that `user` may see, or None when the whole table counts.

    A many-to-many table follows the row that declares it (an action's co-organisers are the action's).
    """
    meta = model._meta
    owner = meta.auto_created
    if owner:
        if printed_nationwide(owner) or not hasattr(owner, "scope_filter"):
            return None
        link = next(f for f in meta.fields if f.is_relation and f.related_model is owner)
        rows = model.objects.filter(**{f"{link.name}__in": restrict(owner.objects.all(), user).values("pk")})
        return rows.order_by().values("pk")
    if printed_nationwide(model) or not hasattr(model, "scope_filter"):
        return None
    return restrict(model.objects.all(), user).order_by().values("pk")


# --- jobs and downloads --------------------------------------------------------


def jobs_for_staff(*, user):
    """Jobs of the councils the staff user may see, newest first."""
    return restrict(ReportJob.objects.select_related("council", "requested_by"), user).order_by("-created_at")


def _published_to(user):
    """Q for the reports published to `user`: to all members, or to their council or a council above it."""
    q = Q(audience=Audience.ALL)
    if user.council_id:
        # A council's report is published to its members and to those of the councils below it.
        ancestors = [int(pk) for pk in user.council.path.strip("/").split("/") if pk]
        q |= Q(audience=Audience.COUNCIL, council_id__in=ancestors)
    return Q(status=JobStatus.DONE, published_at__isnull=False) & q


def published_reports(*, user):
    """The finished reports published to `user`, newest first (members' downloads page)."""
    if not user or not user.is_authenticated:
        return ReportJob.objects.none()
    return (
        ReportJob.objects.filter(_published_to(user))
        .select_related("council")
        # The web version (a newsletter's) is read on its own page: the list only says whether there is one.
        .defer("web_html")
        .annotate(has_web=ExpressionWrapper(~Q(web_html=""), output_field=BooleanField()))
        .order_by("-published_at", "-finished_at")
    )


def downloadable_jobs(*, user):
    """Finished jobs whose file `user` may download: published to them, or in their scope when they are staff."""
    if not user or not user.is_authenticated:
        return ReportJob.objects.none()
    q = _published_to(user)
    if is_staff_user(user):
        q |= Q(status=JobStatus.DONE) & ReportJob.scope_filter(scope_for(user))
    return ReportJob.objects.filter(q).exclude(file="")

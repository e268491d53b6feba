"""Read side of reports: what documents are made of, and which jobs and files a user may reach."""

import hashlib

from django.db import connection
from django.db.models import Q

from shaho.core.report_kinds import data_models
from shaho.core.roles import is_staff_user
from shaho.core.scoping import restrict, scope_for, system_user

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


def data_version(kind):
    """A fingerprint of everything `kind` reads (`shaho.core.report_kinds.data_models`), in one query.

    Per table: its row count and highest id (an insert or a delete, by any writer: save, bulk_create, the
    importer's COPY, SQL by hand), the highest id of its history table (an edit or a delete through save() or
    delete(), as the forms, the admin and the services make them; an admin inline edit saves its parent too), and
    its latest `updated_at` where it has one (call records). Two requests with the same fingerprint read the
    same data: the second is a double click. The tally ledger is append-only: a correction is a new entry.
    """
    quote = connection.ops.quote_name
    parts = []
    for model in data_models(kind):
        meta = model._meta
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        stamp = "NULL"
        if any(f.name == "updated_at" for f in meta.concrete_fields):
            stamp = f"MAX({quote(meta.get_field('updated_at').column)})"
        parts.append(f"SELECT {len(parts)}, COUNT(*), CAST(MAX({pk}) AS TEXT), CAST({stamp} AS TEXT) FROM {table}")
        history = getattr(meta, "simple_history_manager_attribute", None)
        if history:
            history_meta = getattr(model, history).model._meta
            parts.append(
                f"SELECT {len(parts)}, 0, CAST(MAX({quote(history_meta.pk.column)}) AS TEXT), CAST(NULL AS TEXT)"
                f" FROM {quote(history_meta.db_table)}"
            )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        rows = sorted(cursor.fetchall())  # UNION ALL promises no order (a parallel plan interleaves)
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]


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

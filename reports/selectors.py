"""Read side of reports: what documents are made of, and which jobs and files a user may reach."""

from django.db.models import BooleanField, ExpressionWrapper, Q

from shaho.core.report_kinds import data_models
from shaho.core.roles import is_staff_user
from shaho.core.scoping import restrict, scope_for, system_user
from shaho.core.versions import rows_version

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
    query: `shaho.core.versions.rows_version` of the kind's tables (its docstring says what moves it)."""
    return rows_version(data_models(kind), user=user)


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

"""Read side of reports: what documents are made of, and which jobs and files a user may reach."""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Prefetch, Q

from councils.models import CouncilKind, Officer
from councils.selectors import councils_on
from municipalities.models import Municipality, Prefecture
from shaho.core.admin import is_staff_user
from shaho.core.scoping import restrict, scope_for

from .models import Audience, JobStatus, Meeting, ReportJob

# --- what documents are made of ----------------------------------------------


@dataclass
class PrefectureGroup:
    prefecture: Prefecture
    councils: list = field(default_factory=list)


def local_council_list(*, date, prefecture=None):
    """地域社保協一覧: local councils and preparatory committees existing on `date`, per prefecture.

    Each council carries `kind_on` and its prefetched `municipalities` (code order). Returns a list of
    PrefectureGroup in JIS prefecture code order, each prefecture's councils by the lowest municipality
    code they cover. Two queries, whatever the number of councils.
    """
    qs = councils_on(date=date).filter(kind_on__in=[CouncilKind.LOCAL, CouncilKind.PREPARATORY])
    if prefecture is not None:
        qs = qs.filter(prefecture=prefecture)
    qs = (
        qs.select_related("prefecture")
        .prefetch_related(
            Prefetch("municipalities", queryset=Municipality.objects.only("pk", "name", "code").order_by("code"))
        )
        .order_by("sort_key", "pk")  # JIS prefecture code, then municipality code
    )
    groups = [PrefectureGroup(pref, list(rows)) for pref, rows in groupby(qs, key=lambda c: c.prefecture)]
    for group in groups:
        for council in group.councils:
            council.is_preparatory = council.kind_on == CouncilKind.PREPARATORY
    return groups


DIRECTORY_OFFICER_ROLES = [Officer.Role.PRESIDENT, Officer.Role.REPRESENTATIVE, Officer.Role.SECRETARY_GENERAL]


def council_directory(*, date, prefecture=None):
    """社保協名簿: the councils existing on `date` (all of them, or those of one prefecture), with contacts.

    National and friendly organisations come first in a national directory; then each prefecture's
    council followed by its local councils and preparatory committees. Officers are prefetched
    (current ones: term not ended on `date`). Three queries.
    """
    qs = councils_on(date=date)
    if prefecture is not None:
        qs = qs.filter(prefecture=prefecture)
    current = Officer.objects.filter(role__in=DIRECTORY_OFFICER_ROLES).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=date)
    )
    qs = qs.select_related("prefecture", "prefecture__block").prefetch_related(
        Prefetch("officers", queryset=current.order_by("role", "person_name"), to_attr="directory_officers")
    )
    # The sort key puts the national council and friendly organisations first, then each prefecture
    # in JIS code order, its council before its local councils (by municipality code).
    return list(qs.order_by("sort_key", "pk"))


def meeting_for(*, number, user):
    """The meeting numbered `number` that `user` may see (None: a system run sees all), or None.

    When several councils number their meetings alike, the highest council's (national first) wins.
    """
    qs = Meeting.objects.select_related("council")
    if user is not None:
        qs = restrict(qs, user)
    return qs.filter(number=number).order_by("council__sort_key").first()


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

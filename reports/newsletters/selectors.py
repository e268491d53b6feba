"""Read side of newsletters: issues, articles and photos a user may see; what the public may see."""

import datetime

from campaigns.selectors import visible_actions
from consultations.selectors import days_for
from councils.models import Council, CouncilKind
from municipalities.caravans.models import Talk
from municipalities.caravans.selectors import visible_questionnaires
from shaho.core.japanese import format_date
from shaho.core.scoping import restrict, system_user

from .models import Article, Newsletter, Photo, PhotoAudience


def _scoped(queryset, user):
    return queryset if system_user(user) else restrict(queryset, user)


def visible_photos(*, user):
    """Photos of the councils `user` may see (None: a system run sees all)."""
    return _scoped(Photo.objects.all(), user)


def public_photos(queryset=None):
    """Only the photos marked 公開可: the one filter every public page and export goes through."""
    return (queryset if queryset is not None else Photo.objects.all()).filter(audience=PhotoAudience.PUBLIC)


def photo_for(*, pk, user):
    """The photo numbered `pk` if `user` may see it, else None ("none" and "not yours" read the same)."""
    try:
        return visible_photos(user=user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def visible_newsletters(*, user):
    return _scoped(Newsletter.objects.select_related("council"), user).order_by("-date", "-number")


def newsletter_for(*, pk, user):
    try:
        return visible_newsletters(user=user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def articles_of(newsletter):
    """The articles in order, each with its author council and photos: three queries whatever their number."""
    return list(
        Article.objects.filter(newsletter=newsletter)
        .select_related("author_council")
        .prefetch_related("photos")
        .order_by("order")
    )


# --- records an article may start from ---------------------------------------------------------

RECORD_WINDOW_DAYS = 120


def record_choices(*, user, date):
    """[(group label, [(value "kind:id", label)])]: the user's actions, talks, consultation days of the
    RECORD_WINDOW_DAYS before `date`, and their questionnaires; four queries."""
    since = date - datetime.timedelta(days=RECORD_WINDOW_DAYS)
    actions = visible_actions(user=user).filter(starts_on__gte=since, starts_on__lte=date).order_by("-starts_on")
    talks = _scoped(Talk.objects.select_related("target"), user).filter(
        held_at__date__gte=since, held_at__date__lte=date
    )
    days = days_for(user=user).filter(date__gte=since, date__lte=date)
    questionnaires = visible_questionnaires(user=user).order_by("-fiscal_year")[:20]
    return [
        ("行動", [(f"action:{a.pk}", f"{format_date(a.starts_on)} {a.title}") for a in actions[:200]]),
        ("懇談", [(f"talk:{t.pk}", f"{format_date(t.held_at)} {t.target.name}") for t in talks.order_by("-held_at")]),
        ("電話相談日", [(f"consultation:{d.pk}", f"{format_date(d.date)} {d.title}") for d in days]),
        ("アンケート", [(f"questionnaire:{q.pk}", f"{q.fiscal_year}年度 {q.title}") for q in questionnaires]),
    ]


def record_for(*, kind, pk, user):
    """The record of `kind` numbered `pk` that `user` may see, or None."""
    from shaho.core.figures import PlaceholderContext

    from . import blocks

    converter = {
        "action": blocks._action,
        "talk": blocks._talk,
        "consultation": blocks._consultation_day,
        "questionnaire": blocks._questionnaire,
    }.get(kind)
    if converter is None:
        return None
    try:
        return converter(pk, PlaceholderContext(date=None, user=user))
    except ValueError:
        return None


def digest_councils(*, user):
    """The prefectural councils `user` may compile a digest for (their own, or any for national staff)."""
    return restrict(Council.objects.filter(kind=CouncilKind.PREFECTURAL), user).order_by("sort_key")

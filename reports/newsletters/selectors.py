"""Read side of newsletters: issues, articles and photos a user may see; what the public may see."""

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

"""Write side of newsletters: photos uploaded as managed images, issues, articles, the digest."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from councils.models import Council
from shaho.core import images
from shaho.core.scoping import in_scope, require_in_scope

from . import selectors
from .models import Article, Newsletter, Photo, PhotoAudience


@transaction.atomic
def photo_add(*, user, data, name, caption, action=None, article=None, audience=PhotoAudience.MEMBERS, order=0):
    """A Photo of `action` or `article` from the uploaded bytes `data`, re-encoded without metadata.

    The photo's council is its record's (the action's organiser, the article's newsletter's council),
    which must be within `user`'s scope (None: a system run). Raises ValidationError in Japanese
    naming the file for anything images.prepare refuses; nothing is stored then.
    """
    if (action is None) == (article is None):
        raise ValidationError("写真は行動か記事のどちらか一つに登録してください。")
    council = action.organiser if action is not None else article.newsletter.council
    require_in_scope(user, council)
    if not (caption or "").strip():
        raise ValidationError({"caption": f"写真「{name}」の説明（キャプション）を入力してください。"})
    prepared = images.prepare(data, name=name)
    photo = Photo(
        council=council,
        action=action,
        article=article,
        caption=caption.strip(),
        audience=audience,
        order=order,
        extension=prepared.extension,
        width=prepared.width,
        height=prepared.height,
        uploaded_by=user,
    )
    photo.image.save(f"photo.{prepared.extension}", ContentFile(prepared.content), save=False)
    photo.full_clean()
    photo.save()
    return photo


def photo_update(*, photo, user, caption=None, audience=None):
    require_in_scope(user, photo.council)
    if caption is not None:
        photo.caption = caption.strip()
    if audience is not None:
        photo.audience = audience
    photo.full_clean()
    photo.save()
    return photo


# --- issues and articles ---------------------------------------------------------------------


@transaction.atomic
def newsletter_create(*, user, council, title, number, date, publisher="", articles=(), **fields):
    """A newsletter (第`number`号) of `council` with its articles, in order: (title, Markdown body) pairs."""
    require_in_scope(user, council)
    newsletter = Newsletter(council=council, title=title, number=number, date=date, publisher=publisher, **fields)
    newsletter.full_clean()
    newsletter.save()
    for article_title, body in articles:
        article_add(user=user, newsletter=newsletter, title=article_title, body=body)
    return newsletter


def _next_order(newsletter):
    last = newsletter.articles.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def article_add(*, user, newsletter, title, body="", author_council=None, order=None, source=None):
    """An article at the end of `newsletter` (or at `order`), written by `author_council` (the newsletter's own
    by default). Its Markdown is checked as a chapter's is (no HTML, known figures and blocks)."""
    require_in_scope(user, newsletter.council)
    check_text(body, where=f"記事「{title}」")
    article = Article(
        newsletter=newsletter,
        order=order or _next_order(newsletter),
        title=title,
        body=body,
        author_council=author_council or newsletter.council,
        source=source,
    )
    article.full_clean()
    article.save()
    return article


def article_update(*, user, article, title=None, body=None, order=None):
    require_in_scope(user, article.newsletter.council)
    if title is not None:
        article.title = title
    if body is not None:
        check_text(body, where=f"記事「{article.title}」")
        article.body = body
    if order is not None:
        article.order = order
    article.full_clean()
    article.save()
    return article


def check_text(body, *, where):
    """Refuse raw HTML and unknown figures or blocks in an article's Markdown, naming the article."""
    from reports import documents
    from shaho.core import blocks

    documents.check_markdown(body, where=where)
    try:
        blocks.check_names(body)
    except ValidationError as exc:
        raise ValidationError([f"{where}: {m}" for m in exc.messages]) from None


# Where an article may start: the record's kind → (block, its argument, the record's label)
RECORD_KINDS = {
    "action": ("record.action", "action", "行動"),
    "talk": ("record.talk", "talk", "懇談"),
    "consultation": ("record.consultation", "day", "電話相談日"),
    "questionnaire": ("record.questionnaire", "questionnaire", "アンケート"),
}


def record_title(kind, record):
    if kind == "action":
        return record.title
    if kind == "talk":
        return f"{record.target.name}との懇談"
    return record.title


PLACEHOLDER = "（ここに本文を書いてください）"


def article_from_record(*, user, newsletter, kind, record, title=None, text=PLACEHOLDER):
    """An article that begins with `record`'s facts as live blocks and figures, which staff then edit.

    An action's article: its facts block, a sentence with its headcount as a figure, each of its photos
    the user may see. The record is named by its number only, so correcting it and making the
    newsletter again prints the correction. `text` follows the facts (a line asking staff to write by default).
    """
    if kind not in RECORD_KINDS:
        raise ValidationError(f"記事は {'・'.join(v[2] for v in RECORD_KINDS.values())} から始められます。")
    block, argument, _label = RECORD_KINDS[kind]
    lines = [f"{{{{ {block} {argument}={record.pk} }}}}", ""]
    if kind == "action":
        from campaigns.selectors import action_report

        from .blocks import headcount

        report = action_report(record)
        if not report.participations and headcount(report) is not None:
            lines += [f"{{{{ record.participants action={record.pk} }}}}人が参加しました。", ""]
        for photo in selectors.visible_photos(user=user).filter(action=record).order_by("order", "pk"):
            lines += [f"{{{{ record.photo photo={photo.pk} }}}}", ""]
    lines.append(text)
    return article_add(
        user=user, newsletter=newsletter, title=title or record_title(kind, record), body="\n".join(lines)
    )


# --- the digest ------------------------------------------------------------------------------


def digest_candidates(*, council, start, end):
    """Articles of the newsletters of the councils below `council` dated from `start` to `end`, in date order."""
    below = Council.objects.filter(path__startswith=council.path).exclude(pk=council.pk)
    return (
        Article.objects.filter(
            newsletter__council__in=below,
            newsletter__date__gte=start,
            newsletter__date__lte=end,
            newsletter__is_digest=False,
        )
        .select_related("newsletter__council", "author_council")
        .order_by("newsletter__date", "newsletter__council__sort_key", "order")
    )


@transaction.atomic
def digest_compile(*, user, council, title, number, date, start, end, articles, publisher="", own=()):
    """A digest issue of `council` made of the chosen `articles` (ids, in the order given) of its local councils'
    newsletters from `start` to `end`; each copy keeps its author council and points to its source. `own`
    ((title, Markdown) pairs) are the prefectural council's own articles, printed first.

    An article of a council not below `council`, or outside the period, is refused by name.
    """
    require_in_scope(user, council)
    if end < start:
        raise ValidationError("期間の終わりが始まりより前です。")
    ids = [int(a) for a in articles]
    if not ids:
        raise ValidationError("抜粋する記事を選んでください。")
    found = digest_candidates(council=council, start=start, end=end).in_bulk(ids)
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError(
            f"記事 {'、'.join(missing)} は選べません"
            f"（{council.name}の下部の社保協の、期間内のニュースの記事だけです）。"
        )
    digest = newsletter_create(
        user=user,
        council=council,
        title=title,
        number=number,
        date=date,
        publisher=publisher,
        is_digest=True,
        period_start=start,
        period_end=end,
    )
    for article_title, body in own:
        article_add(user=user, newsletter=digest, title=article_title, body=body)
    for order, pk in enumerate(ids, start=len(own) + 1):
        source = found[pk]
        article_add(
            user=user,
            newsletter=digest,
            title=source.title,
            body=source.body,
            author_council=source.author_council,
            order=order,
            source=source,
        )
    return digest


# --- the admin's writes (shaho.core.admin.ServiceAdmin: <noun>_check / _save / _delete) ----------------


def _scope_error(user, council, field):
    if not in_scope(user, council):
        raise ValidationError({field: "この社保協のニュースを扱う権限がありません。"})


def newsletter_check(*, user, newsletter):
    if newsletter.council_id is None:
        raise ValidationError({"council": "「発行する社保協」を選んでください。"})
    _scope_error(user, newsletter.council_id, "council")
    newsletter.full_clean()


@transaction.atomic
def newsletter_save(*, user, newsletter):
    newsletter_check(user=user, newsletter=newsletter)
    newsletter.save()
    return newsletter


def newsletter_delete(*, user, newsletter):
    require_in_scope(user, newsletter.council)
    newsletter.delete()


def article_check(*, user, article):
    newsletter = article.newsletter
    if newsletter.pk is not None or newsletter.council_id:
        _scope_error(user, newsletter.council_id, "body")
    if article.author_council_id is None and newsletter.council_id:
        article.author_council_id = newsletter.council_id
    if article.author_council_id and not in_scope(user, article.author_council_id):
        raise ValidationError({"author_council": "「執筆した社保協」: この社保協を選ぶ権限がありません。"})
    check_text(article.body, where=f"記事「{article.title}」")
    article.full_clean(exclude=["newsletter"] if newsletter.pk is None else None)


@transaction.atomic
def article_save(*, user, article):
    article_check(user=user, article=article)
    article.save()
    return article


def article_delete(*, user, article):
    require_in_scope(user, article.newsletter.council)
    article.delete()


def photo_delete(*, user, photo):
    """Delete the photo; its file goes with it once committed (the model's post_delete receiver)."""
    require_in_scope(user, photo.council)
    photo.delete()

"""The newsletter as a document: its articles prepared as chapters are (figures and blocks from the records at
the issue's date), the A4 PDF kind `newsletter`, and the text export for the council's website.

Registered by ReportsConfig.ready().
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shaho.core import blocks, figures
from shaho.core.japanese import format_date
from shaho.core.report_kinds import Built, Param, ParamType, ReportKind, Request, check_param_names, register_kind

from .. import documents
from . import selectors


def article_photos(article):
    """The photos printed under an article: its own, or, for a digest's copy, its source article's."""
    own = list(article.photos.all())
    if not own and article.source_id:
        own = list(article.source.photos.all())
    return own


def prepare_articles(newsletter, *, user, ctx=None):
    """Each article's title, author council, HTML with its figures and blocks filled, and photos.

    Raises one ValidationError listing every problem of every article (raw HTML, unknown or out-of-scope
    records, images that are not the project's own, characters the font lacks), each naming its article.
    """
    ctx = ctx or figures.PlaceholderContext(date=newsletter.date, user=user)
    prepared, errors = [], []
    for article in selectors.articles_of(newsletter):
        where = f"記事{article.order}「{article.title}」"
        try:
            documents.check_markdown(article.body, where=where)
            text, rendered = blocks.extract(article.body, ctx)
            text = figures.resolve(text, ctx)
            documents.check_images(text, where=where)
            documents.check_glyphs(article.title + text + "".join(rendered), where=where)
        except ValidationError as exc:
            errors.extend(m if m.startswith(where) else f"{where}: {m}" for m in exc.messages)
            continue
        prepared.append(
            {
                "anchor": f"article-{article.order}",
                "article": article,
                "title": article.title,
                "author": article.author_council,
                "html": blocks.insert(documents.markdown_to_html(text, heading_offset=2), rendered),
                "photos": article_photos(article),
            }
        )
    if errors:
        raise ValidationError(errors)
    return prepared


def newsletter_context(newsletter, *, user):
    return {
        "document_title": f"{newsletter.title} 第{newsletter.number}号",
        "newsletter": newsletter,
        "date": format_date(newsletter.date),
        "period": (
            f"{format_date(newsletter.period_start)}〜{format_date(newsletter.period_end)}"
            if newsletter.period_start and newsletter.period_end
            else ""
        ),
        "articles": prepare_articles(newsletter, user=user),
    }


def newsletter_choices(user):
    newsletters = selectors.visible_newsletters(user=user)
    return [(str(n.pk), f"{n}（{n.council.name}、{format_date(n.date)}）") for n in newsletters]


def _newsletter(params, user):
    raw = str(params.get("newsletter", "")).strip()
    newsletter = selectors.newsletter_for(pk=raw, user=user)
    if newsletter is None:
        raise ValidationError(f"ニュース「{raw}」はありません（または見る権限がありません）。")
    return newsletter


def _clean(*, params, user):
    check_param_names(NEWSLETTER, params)
    newsletter = _newsletter(params, user)
    if not newsletter.articles.exists():
        raise ValidationError(f"{newsletter}には記事がありません。")
    prepare_articles(newsletter, user=user)
    return Request(params={"newsletter": newsletter.pk}, council=newsletter.council, title=str(newsletter))


def _build(*, params, user, progress):
    newsletter = _newsletter(params, user)
    context = newsletter_context(newsletter, user=user)
    progress(30, "記事に記録の数字を差し込み済み")
    return Built(template="reports/newsletter.html", context=context)


NEWSLETTER = register_kind(
    ReportKind(
        name="newsletter",
        label=_("ニュース"),
        params=(Param("newsletter", "ニュース", ParamType.CHOICE, required=True, choices=newsletter_choices),),
        clean=_clean,
        build=_build,
        summary=_("社保協ニュース（A4・2段組・写真つき）: 記事の数字は作成時の行動・懇談などの記録から"),
        web_template="reports/newsletters/_issue.html",
    )
)

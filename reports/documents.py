"""The document engine: staff Markdown made safe, the Japanese font, HTML → PDF with WeasyPrint.

Every kind of report renders an HTML template that extends `reports/document.html`
(A4, running headers, page numbers, table of contents, repeated table headers; the
stylesheet is static/css/document.css) and hands it to `render_pdf`. Every PDF is tagged (PDF/UA-1) and
carries its title, author, subject, date and language; a kind declared `archival` is PDF/A-2u (`pdf_options`).

Documents fetch nothing: WeasyPrint reads every URL through `AssetFetcher`, an allow-list
of the project's own files (the font, the stylesheet, the static images). Anything else —
http(s), another file on the server, data: — is refused and never opened; a chapter whose
Markdown names an image that is not a project asset is refused with the chapter's name
before any job starts (`check_images`).

The font is IPAexGothic (one 4 MB TrueType file): WeasyPrint embeds it as a subset,
so the text can be searched and copied. Measured with WeasyPrint 70, a 25-page
Japanese text renders in 0.9 s with it against 8.9 s with Noto Sans CJK's 16 MB
OpenType file, so the font is chosen by path, never left to fontconfig.
"""

import functools
import logging
import mimetypes
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from markdown_it import MarkdownIt

# Where IPAexGothic is looked for, in order: REPORTS_FONT_PATH, Debian's fonts-ipaexfont
# (installed by .ci/run and the Dockerfile), then the copy inside the matplotlib-fontja wheel if present.
DEBIAN_FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")


def _fontja_path():
    import importlib.util

    spec = importlib.util.find_spec("matplotlib_fontja")  # located without importing matplotlib
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        for candidate in Path(location).rglob("ipaexg.ttf"):
            return candidate
    return None


@functools.cache
def font_path():
    """The IPAexGothic TrueType file. Raises ImproperlyConfigured with the fix when there is none."""
    configured = os.environ.get("REPORTS_FONT_PATH") or getattr(settings, "REPORTS_FONT_PATH", "")
    candidates = [Path(configured)] if configured else []
    candidates.append(DEBIAN_FONT)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    found = _fontja_path()
    if found:
        return found
    raise ImproperlyConfigured(
        "報告書の日本語フォント IPAexGothic が見つかりません: `make fonts`（fonts/ に取得）、"
        "`apt-get install fonts-ipaexfont`、または REPORTS_FONT_PATH に ipaexg.ttf のパスを設定してください。"
    )


@functools.cache
def font_characters():
    """The set of code points IPAexGothic has glyphs for."""
    from fontTools.ttLib import TTFont

    with TTFont(font_path(), lazy=True) as font:
        return frozenset(font.getBestCmap())


# Characters that print nothing and need no glyph.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


def missing_glyphs(text):
    """Characters of `text` the font cannot print, in order of first appearance (whitespace and controls aside)."""
    have = font_characters()
    missing = []
    for ch in dict.fromkeys(text or ""):
        if ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
            continue
        if ord(ch) not in have:
            missing.append(ch)
    return missing


def describe_characters(chars):
    return "、".join(f"「{c}」(U+{ord(c):04X})" for c in chars)


def check_glyphs(text, *, where):
    """Raise ValidationError naming the characters of `text` the font lacks: reported, never dropped silently."""
    missing = missing_glyphs(text)
    if missing:
        raise ValidationError(
            f"{where}にフォント（IPAexゴシック）にない文字があります: {describe_characters(missing)}。"
            "別の文字に置き換えてください。",
            code="missing_glyphs",
        )


# --- Markdown ----------------------------------------------------------------

# One parser that sees raw HTML (to refuse it) and one that renders with HTML switched off.
_detector = MarkdownIt("commonmark", {"html": True}).enable("table")
_renderer = MarkdownIt("commonmark", {"html": False, "breaks": True, "typographer": False}).enable("table")


def _html_tokens(tokens):
    for token in tokens:
        if token.type in ("html_block", "html_inline"):
            yield token.content.strip()
        if token.children:
            yield from _html_tokens(token.children)


def check_markdown(text, *, where):
    """Raise ValidationError when `text` holds raw HTML (tags, comments, scripts): staff write Markdown only."""
    found = list(_html_tokens(_detector.parse(text or "")))
    if found:
        sample = found[0][:60]
        raise ValidationError(
            f"{where}に HTML が含まれています（{sample}）。HTML やスクリプトは使えません。Markdown で書いてください。",
            code="raw_html",
        )


def _image_tokens(tokens):
    for token in tokens:
        if token.type == "image":
            yield token
        if token.children:
            yield from _image_tokens(token.children)


IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


def static_image(src):
    """The file of a project static image named `/static/…` (or `static/…`) in Markdown, or None.

    Only images found by the static files finders in the project's own static directories count:
    nothing a user types can name another file on the server.
    """
    from django.contrib.staticfiles import finders

    path = urlsplit(src or "")
    if path.scheme or path.netloc or path.query:
        return None
    name = unquote(path.path).lstrip("/")
    prefix = settings.STATIC_URL.strip("/") + "/"
    if not name.startswith(prefix):
        return None
    name = name[len(prefix) :]
    if ".." in Path(name).parts or Path(name).suffix.lower() not in IMAGE_EXTENSIONS:
        return None
    found = finders.find(name)
    if not found:
        return None
    found = Path(found).resolve()
    return found if any(_within(found, root) for root in _static_roots()) else None


def check_images(text, *, where):
    """Raise ValidationError naming `where` and each image of `text` that is not a project static image."""
    refused = [
        t.attrGet("src") or "" for t in _image_tokens(_renderer.parse(text or "")) if not static_image(t.attrGet("src"))
    ]
    if refused:
        shown = "、".join(f"「{src[:80]}」" for src in dict.fromkeys(refused))
        raise ValidationError(
            f"{where}の画像 {shown} は使えません。文書に入れられるのはシステムに登録された画像"
            f"（{settings.STATIC_URL.rstrip('/')}/… ）だけです。外部のURLやサーバー上のファイルは読み込みません。",
            code="foreign_image",
        )


def markdown_to_html(text, *, heading_offset=1):
    """Safe HTML from staff Markdown: raw HTML is escaped, javascript:/data: links are not links.

    Headings move down by `heading_offset` (a chapter's ## becomes h3 under the chapter's h2).
    An image keeps its place only when it is a project static image (its file is what the PDF
    reads); any other image is dropped to its alt text, so even text that skipped `check_images`
    names nothing for the renderer to fetch.
    """
    tokens = _renderer.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + heading_offset)
            token.tag = f"h{level}"
    for token in _image_tokens(tokens):
        found = static_image(token.attrGet("src"))
        if found is None:
            token.type, token.tag = "text", ""
            token.content = token.content or "".join(c.content for c in token.children or [])
            token.children, token.attrs = None, {}
        else:
            token.attrSet("src", found.as_uri())
    return _renderer.renderer.render(tokens, _renderer.options, {})


# --- PDF -----------------------------------------------------------------------


@dataclass
class RenderedPDF:
    content: bytes
    page_count: int
    refused: list = field(default_factory=list)  # URLs the document named and the fetcher did not read


def font_face_css():
    return f"@font-face {{ font-family: 'IPAexGothic'; src: url('{font_path().as_uri()}') format('truetype'); }}"


def stylesheet_path():
    """The documents' stylesheet (A4, headers, tables): a static file like the site's, never inline."""
    return Path(settings.BASE_DIR) / "static" / "css" / "document.css"


# --- fetching: the allow-list ---------------------------------------------------------


def _static_roots():
    return [Path(d).resolve() for d in settings.STATICFILES_DIRS]


def _within(path, root):
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def allowed_asset(url):
    """The local file behind `url` when it is one of the project's own assets, else None.

    Allowed: the font file, the documents' stylesheet, and image files in the project's static
    directories (STATICFILES_DIRS). Only file: URLs are considered; the path is resolved (symlinks,
    ..) before it is compared, so nothing outside those files can be named.
    """
    parts = urlsplit(url or "")
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    try:
        path = Path(unquote(parts.path)).resolve()
    except (OSError, ValueError):
        return None
    if not path.is_file():
        return None
    if path == font_path().resolve() or path == stylesheet_path().resolve():
        return path
    if path.suffix.lower() in IMAGE_EXTENSIONS and any(_within(path, root) for root in _static_roots()):
        return path
    return None


def _asset_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        """WeasyPrint's fetcher with every handler bypassed: only `allowed_asset` files are read."""

        def __init__(self):
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
            self.refused = []

        def fetch(self, url, headers=None):
            path = allowed_asset(url)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"refused by the document allow-list: {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix.lower() == ".ttf":
                content_type = "font/ttf"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})

    return AssetFetcher


def asset_fetcher():
    """A new allow-list fetcher; its `refused` list says what a document tried to read and did not get."""
    return _asset_fetcher_class()()


class _QuietSubsetFallback(logging.Filter):
    def filter(self, record):
        return not record.getMessage().startswith("Unable to subset")


@functools.cache
def _subset_with_fonttools_when_harfbuzz_fails():
    """Debian's HarfBuzz 6.0 fails to subset IPAexGothic once a document uses about 1,200 kanji (glyph ids
    past ~12,000); WeasyPrint then embeds the whole 6 MB font. Fall back to fontTools for that font, so
    every PDF carries a subset (a 40-page draft: 4.2 MB → well under 2 MB)."""
    from weasyprint.pdf import fonts

    original = fonts.Font._harfbuzz_subset

    def harfbuzz_then_fonttools(self, to_unicode, hinting):
        before = self.file_content
        original(self, to_unicode, hinting)
        if self.file_content is before:
            self._fonttools_subset(to_unicode, hinting)

    fonts.Font._harfbuzz_subset = harfbuzz_then_fonttools
    logging.getLogger("weasyprint").addFilter(_QuietSubsetFallback())


def layout(html, *, fetcher=None):
    """Lay out `html` (WeasyPrint Document): the slow part, measured on its own by the benchmarks.

    Every URL in `html` and its stylesheets goes through the allow-list `fetcher` (a new one by
    default); relative URLs have no base to resolve against, so they name nothing.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from shaho.core.charts import for_print
    from shaho.core.japanese import japanese_punctuation_html

    _subset_with_fonttools_when_harfbuzz_fails()
    html = japanese_punctuation_html(html)  # staff's chapters and every template print the same punctuation
    html = for_print(html)  # WeasyPrint styles an inline SVG only from a <style> inside it

    fetcher = fetcher or asset_fetcher()
    fonts = FontConfiguration()
    stylesheets = [
        CSS(string=font_face_css(), font_config=fonts, url_fetcher=fetcher),
        CSS(url=stylesheet_path().as_uri(), font_config=fonts, url_fetcher=fetcher),
    ]
    return HTML(string=html, base_url=None, url_fetcher=fetcher).render(font_config=fonts, stylesheets=stylesheets)


# Every PDF is tagged (a structure tree: screen readers read it in order, viewers reflow it, copied text keeps
# its reading order) and says so as PDF/UA-1. The documents a federation keeps for decades (the kinds that
# declare `archival`) are PDF/A-2u instead — tagged too: every character maps to Unicode, the font is embedded,
# an sRGB output intent is added, and the metadata is repeated as XMP. Level 2 allows the transparency the
# charts use (PDF/A-1 forbids it) and the attachments none of our documents have.
UA_VARIANT = "pdf/ua-1"
ARCHIVAL_VARIANT = "pdf/a-2u"


@dataclass(frozen=True)
class Metadata:
    """What a PDF says about itself: its title, who wrote it (the council), what it is (the kind), when, in what
    language. `created` is an aware datetime; the PDF gets it with its offset (Asia/Tokyo: +09:00)."""

    title: str = ""
    author: str = ""
    subject: str = ""
    created: object = None  # datetime.datetime
    lang: str = "ja"


def pdf_options(*, archival=False):
    """WeasyPrint's write options: the PDF/A variant (tagged) for an archival document, PDF/UA-1 otherwise."""
    if archival:
        return {"pdf_variant": ARCHIVAL_VARIANT, "pdf_tags": True}
    return {"pdf_variant": UA_VARIANT, "pdf_tags": True}


def _apply_metadata(document, metadata):
    document.metadata.title = metadata.title or document.metadata.title
    document.metadata.authors = [metadata.author] if metadata.author else document.metadata.authors
    document.metadata.description = metadata.subject or document.metadata.description
    if metadata.created is not None:
        stamp = metadata.created.replace(microsecond=0).isoformat()
        document.metadata.created = document.metadata.modified = stamp
    document.metadata.lang = metadata.lang


def write_pdf(document, *, title="", metadata=None, archival=False):
    """The PDF of a laid-out `document`, tagged, with its metadata (`metadata`, or just `title`)."""
    _apply_metadata(document, metadata or Metadata(title=title))
    return RenderedPDF(content=document.write_pdf(**pdf_options(archival=archival)), page_count=len(document.pages))


def render_pdf(html, *, title="", metadata=None, archival=False, fetcher=None):
    """PDF bytes and page count for `html`, reading only the project's own assets."""
    fetcher = fetcher or asset_fetcher()
    rendered = write_pdf(layout(html, fetcher=fetcher), title=title, metadata=metadata, archival=archival)
    rendered.refused = list(fetcher.refused)
    return rendered

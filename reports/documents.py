"""The document engine: staff Markdown made safe, the Japanese font, HTML → PDF with WeasyPrint.

Every kind of report renders an HTML template that extends `reports/document.html`
(A4, running headers, page numbers, table of contents, repeated table headers) and
hands it to `render_pdf`.

The font is IPAexGothic (one 4 MB TrueType file): WeasyPrint embeds it as a subset,
so the text can be searched and copied. Measured with WeasyPrint 70, a 25-page
Japanese text renders in 0.9 s with it against 8.9 s with Noto Sans CJK's 16 MB
OpenType file, so the font is chosen by path, never left to fontconfig.
"""

import functools
import logging
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

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


def markdown_to_html(text, *, heading_offset=1):
    """Safe HTML from staff Markdown: raw HTML is escaped, javascript:/data: links are not links.

    Headings move down by `heading_offset` (a chapter's ## becomes h3 under the chapter's h2).
    """
    tokens = _renderer.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(6, int(token.tag[1]) + heading_offset)
            token.tag = f"h{level}"
    return _renderer.renderer.render(tokens, _renderer.options, {})


# --- PDF -----------------------------------------------------------------------


@dataclass
class RenderedPDF:
    content: bytes
    page_count: int


def font_face_css():
    return f"@font-face {{ font-family: 'IPAexGothic'; src: url('{font_path().as_uri()}') format('truetype'); }}"


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


def layout(html, *, base_url=None):
    """Lay out `html` (WeasyPrint Document): the slow part, measured on its own by the benchmarks."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    _subset_with_fonttools_when_harfbuzz_fails()

    fonts = FontConfiguration()
    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).render(font_config=fonts)


def write_pdf(document, *, title=""):
    document.metadata.title = title or document.metadata.title
    document.metadata.lang = "ja"
    return RenderedPDF(content=document.write_pdf(), page_count=len(document.pages))


def render_pdf(html, *, title=""):
    """PDF bytes and page count for `html`."""
    return write_pdf(layout(html), title=title)

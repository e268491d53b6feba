"""A newsletter's articles as text for the council's website: Markdown or plain text.

The articles are prepared exactly as for the PDF (figures and blocks from the records at the issue's
date), then set as text: headings, paragraphs, list items, table rows with their cells joined. A photo
appears only when it is marked 公開可 (its caption and file name for the web editor); a photo for
members only leaves no trace, not even its caption.
"""

import re
from html import unescape
from html.parser import HTMLParser

from shaho.core.japanese import format_date

from .models import Photo, PhotoAudience
from .report_kinds import prepare_articles

_FIGURE_RE = re.compile(
    r'<figure class="photo"><img src="shaho-photo:(\d+)"[^>]*><figcaption>.*?</figcaption></figure>', re.S
)


class _Text(HTMLParser):
    """HTML of an article as lines of text; `markdown` adds the marks (##, -, |)."""

    BLOCKS = {"p", "div", "ul", "ol", "table", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "caption"}

    def __init__(self, markdown):
        super().__init__(convert_charrefs=True)
        self.markdown, self.lines, self.line, self.cells = markdown, [], "", None

    def _flush(self):
        text = re.sub(r"[ \t]+", " ", self.line).strip()
        if text:
            self.lines.append(text)
        self.line = ""

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS or tag == "li":
            self._flush()
        if tag in ("h3", "h4", "h5", "h6") and self.markdown:
            self.line = "### "
        elif tag == "li":
            self.line = "- " if self.markdown else "・"
        elif tag == "tr":
            self.cells = []
        elif tag == "br":
            self._flush()

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cells is not None:
            self.cells.append(self.line.strip())
            self.line = ""
        elif tag == "tr" and self.cells is not None:
            sep = " | " if self.markdown else "　"
            self.line = (
                (f"| {sep.strip().join(f' {c} ' for c in self.cells).strip()} |")
                if self.markdown
                else sep.join(self.cells)
            )
            self.cells = None
            self._flush()
        elif tag in self.BLOCKS or tag == "li":
            self._flush()

    def handle_data(self, data):
        self.line += data

    def text(self):
        self._flush()
        return self.lines


def _photos_for_the_web(html, public):
    def replace(match):
        photo = public.get(int(match[1]))
        if photo is None:
            return ""
        return f"<p>［写真：{photo.caption}］（{photo.image.name.rsplit('/', 1)[-1]}）</p>"

    return _FIGURE_RE.sub(replace, html)


def newsletter_text(newsletter, *, user, markdown=True):
    """The whole issue as one text: its heading, then each article's title, author and text."""
    articles = prepare_articles(newsletter, user=user)
    ids = {int(m) for a in articles for m in re.findall(r"shaho-photo:(\d+)", str(a["html"]))}
    ids |= {p.pk for a in articles for p in a["photos"]}
    public = Photo.objects.filter(pk__in=ids, audience=PhotoAudience.PUBLIC).in_bulk()
    heading = f"{newsletter.title} 第{newsletter.number}号（{format_date(newsletter.date)}）"
    out = [f"# {heading}" if markdown else heading, ""]
    for a in articles:
        html = str(a["html"]) + "".join(
            f'<figure class="photo"><img src="shaho-photo:{p.pk}"><figcaption></figcaption></figure>'
            for p in a["photos"]
        )
        parser = _Text(markdown)
        parser.feed(_photos_for_the_web(html, public))
        out.append(f"## {a['title']}" if markdown else f"■{a['title']}")
        if newsletter.is_digest or a["author"].pk != newsletter.council_id:
            out.append(f"（{a['author'].name}）")
        out.append("")
        for line in parser.text():
            out.extend([unescape(line), ""] if not line.startswith(("- ", "・", "|")) else [unescape(line)])
        out.append("")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"

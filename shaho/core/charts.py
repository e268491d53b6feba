"""Charts drawn on the server as SVG, inlined into the page and into the PDF as vectors.

Functions (each returns a `SafeString` holding one `<svg class="chart chart-…">`):

- `bar_chart(bars, *, maximum=100.0, target=None, width=520, row_height=14, label_width=None, title="",
  font_size=9.5, note_width=130)` horizontal bars, one per row, scaled to `maximum` (longer values are
  clipped, their note says the real figure); `target` draws the dashed goal line and bars under it
  are `chart-bar-below`. The labels get the room their longest one needs (up to a third of the
  width) unless `label_width` is given. The defaults are the A4 appendix's (drawn at 82 % of the text
  width, 9.5 units print at 7.4 pt, never under 7); a phone wants `width=360, row_height=22,
  label_width=64, note_width=96, font_size=12`.
- `line_chart(series, *, start, end, goal=None, marks=(), title="", unit="筆", width=420, height=260)`
  a cumulative line over time: this year solid, last year dashed and lighter (the caller shifts
  last year's dates onto this year's axis), a horizontal goal line with its value, vertical lines
  for deadlines, month ticks 「4月」…, y ticks with thousands separators, each line's last point
  labelled.
- `paired_bar_chart(pairs, *, title="", unit="", width=400, label_width=84)` this year beside last
  year, one row per label.
- `stacked_bar(segments, *, total=None, title="", width=400)` one stacked coverage bar with labels
  and %.
- `small_multiples(items, *, columns=4, title="", cell_width=150, cell_height=96)` a grid of
  sparklines on one y scale, each with its last value and % of its goal (columns=2 on a phone).
- `for_print(html)` the same HTML with the documents' stylesheet put inside every inline `<svg>`
  (see "Colours" below); `reports.documents` calls it on every document.

Dataclasses: `Bar(label, value, note="", href="")`, `Series(label, points, kind="this"|"last",
href="")` with points `[(date, value), …]`, `Mark(date, label)`, `Pair(label, this, last,
href="")`, `Segment(label, value, href="")`, `Small(label, points, goal=None, href="")` with points
`[(date, value), …]` or plain values.

Every chart: every text is escaped; `role="img"` with an `aria-label` and a `<title>` for the
whole; each bar, point and segment has a native `<title>` child (hover text); an item with an
`href` is wrapped in `<a href>` (drill-down; only site paths, `#…` and http(s) URLs are linked);
a `viewBox` so it scales to its container (`svg.chart { max-width: 100%; height: auto }`); no data
draws the text 「データがありません」 instead of failing.

Colours: only CSS classes (`chart-bar`, `chart-bar-below`, `chart-goal`, `chart-line-this`,
`chart-line-last`, `chart-mark`, `chart-seg-0`…`chart-seg-5`, …), styled once in
static/css/site.css and once, with the same names, in static/css/document.css (section
"/* charts */"). No `style=` attribute and no `<style>` element reaches a page, so the strict CSP
(style-src 'self') holds. The palette is ColorBrewer Blues (sequential, colour-blind safe, ordered
light to dark in grayscale) with a dark orange dashed goal line; last year differs from this year
by its dash as well as its lightness, so a grayscale print keeps them apart.

WeasyPrint (70) draws an inline `<svg>` with its own SVG renderer, which reads only `<style>`
elements inside the SVG: the document's stylesheets (document.css) are not applied to SVG
elements, so class-only charts would print black. A PDF is not under the CSP, so `for_print`
copies document.css into a `<style>` first child of each inline `<svg>` of a document's HTML,
just before WeasyPrint lays it out; the page never sees that element. (WeasyPrint would also
follow an `@import` there, but its SVG code fetches without the document's allow-list, so the
text is copied instead of linked.)
"""

import datetime
import functools
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

EMPTY = "データがありません"
SEGMENT_CLASSES = 6  # chart-seg-0 … chart-seg-5, dark to light
DARK_SEGMENTS = 2  # segments dark enough for white text inside them


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # what is drawn: a percentage of a goal or of a total
    note: str = ""  # printed after the bar: "52.3%（1,234 / 2,360）"
    href: str = ""  # drill-down: the bar and its label link there


@dataclass(frozen=True)
class Series:
    """One line of a `line_chart`: `points` are (date, cumulative value), in date order."""

    label: str
    points: list
    kind: str = "this"  # "this" (solid) or "last" (last year's, dashed and lighter)
    href: str = ""


@dataclass(frozen=True)
class Mark:
    """A vertical line on a `line_chart`: a collection round's deadline."""

    date: datetime.date
    label: str


@dataclass(frozen=True)
class Pair:
    label: str
    this: float | None
    last: float | None
    href: str = ""


@dataclass(frozen=True)
class Segment:
    label: str
    value: float
    href: str = ""


@dataclass(frozen=True)
class Small:
    """One sparkline of `small_multiples`: points are (date, value) pairs or plain values in order."""

    label: str
    points: list
    goal: float | None = None
    href: str = ""


# --- helpers ----------------------------------------------------------------------------


def number(value, *, decimals=1):
    """12345 → "12,345"; 12.5 → "12.5"; a whole float prints without decimals; None → "—"."""
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{round(value):,}"
    return f"{value:,.{decimals}f}"


def _f(x):
    return f"{x:.1f}".removesuffix(".0")


_SAFE_HREF = re.compile(r"^(/(?!/)|#|https?://)", re.IGNORECASE)


def _link(inner, href):
    """`inner` wrapped in `<a href>` when `href` is a site path, an anchor or an http(s) URL."""
    if href and _SAFE_HREF.match(str(href)):
        return f'<a href="{escape(href)}">{inner}</a>'
    return inner


def _text(x, y, text, cls, *, anchor=None, size=None, extra=""):
    anchor_attr = f' text-anchor="{anchor}"' if anchor else ""
    if size:
        anchor_attr += f' font-size="{_f(size)}"'
    return f'<text class="{cls}" x="{_f(x)}" y="{_f(y)}"{anchor_attr}{extra}>{escape(text)}</text>'


def _rect(cls, x, y, w, h, hover=None):
    inner = f"<title>{escape(hover)}</title>" if hover else ""
    return f'<rect class="{cls}" x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}">{inner}</rect>'


def _line(cls, x1, y1, x2, y2, hover=None):
    inner = f"<title>{escape(hover)}</title>" if hover else ""
    return f'<line class="{cls}" x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}">{inner}</line>'


def _point(kind, x, y, hover):
    return (
        f'<circle class="chart-point chart-point-{kind}" cx="{_f(x)}" cy="{_f(y)}" r="2.5">'
        f"<title>{escape(hover)}</title></circle>"
    )


def _text_width(text, font_size):
    """About how wide `text` is drawn: a full-width (Japanese) character is as wide as the font is high,
    a half-width one a little over half."""
    return sum(font_size if unicodedata.east_asian_width(c) in "WF" else font_size * 0.6 for c in text)


def fit(text, width, font_size):
    """`text`, cut with 「…」 to fit `width` at `font_size` (the whole text stays in the hover title)."""
    if _text_width(text, font_size) <= width:
        return text
    while text and _text_width(text + "…", font_size) > width:
        text = text[:-1]
    return text + "…"


def _svg(kind, width, height, title, body, *, font_size=12):
    label = escape(title or "グラフ")
    inner = "".join(body)
    # A chart whose bars are links is a group of links, not one image: role="img" would hide the links from
    # screen readers (axe-core: nested-interactive, serious), as the maps do.
    role = "group" if "<a " in inner else "img"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'width="{_f(width)}" height="{_f(height)}" role="{role}" aria-label="{label}" font-size="{font_size}">'
        f"<title>{label}</title>"
    )
    return mark_safe(head + inner + "</svg>")


def _title_text(title, font_size):
    return [_text(0, font_size + 1, title, "chart-title", size=font_size * 1.1)] if title else []


def _empty(kind, title, *, width=400, height=80, font_size=12):
    top = font_size + 8 if title else 0
    body = _title_text(title, font_size)
    body.append(_text(width / 2, top + (height - top) / 2 + font_size / 3, EMPTY, "chart-empty", anchor="middle"))
    return _svg(kind, width, height, title, body, font_size=font_size)


def nice_scale(maximum, *, ticks=4):
    """(top, step): a round axis top ≥ `maximum` and its tick step (1, 2, 2.5 or 5 × 10^n)."""
    if not maximum or maximum <= 0:
        return 1.0, 0.25
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * magnitude + 1e-9:
            step = m * magnitude
            break
    return math.ceil(maximum / step - 1e-9) * step, step


def _value_of(point):
    return point[1] if isinstance(point, tuple | list) else point


# --- bar chart --------------------------------------------------------------------------


def bar_chart(
    bars,
    *,
    maximum=100.0,
    target=None,
    width=520,
    row_height=14,
    label_width=None,
    title="",
    font_size=9.5,
    note_width=130,
):
    """Horizontal bars, one per row (prefectures), scaled to `maximum`; `target` draws a dashed line (50%, 100%).

    A value above `maximum` is drawn to `maximum` (its note gives the real figure); a bar below
    `target` has the class `chart-bar-below`. The defaults suit an A4 appendix of 47 rows; for a
    phone pass e.g. `width=360, row_height=22, label_width=64, note_width=96, font_size=12`.
    Without `label_width` the labels get the width of the longest (a third of the chart at most, where
    a label is cut with 「…」 at its end): pass short names (「横浜社保協」), not the full ones.
    Returns a SafeString (every text is escaped).
    """
    if not bars:
        return _empty("bar", title, width=width, height=60, font_size=font_size)
    if label_width is None:
        longest = max(_text_width(b.label, font_size) for b in bars)
        label_width = min(max(longest + 10, 40), width / 3)
    plot = width - label_width - note_width
    top = round(font_size * 2.25) if title else 4
    height = top + row_height * len(bars) + round(font_size * 1.75)
    scale = plot / maximum if maximum else 0
    baseline = row_height / 2 + font_size / 3
    parts = _title_text(title, font_size)
    for i, bar in enumerate(bars):
        y = top + i * row_height
        length = max(0.0, min(bar.value, maximum)) * scale
        cls = "chart-bar" if target is None or bar.value >= target else "chart-bar chart-bar-below"
        hover = f"{bar.label}: {bar.note or number(bar.value)}"
        label = fit(bar.label, label_width - 6, font_size)
        row = _text(label_width - 4, y + baseline, label, "chart-label", anchor="end") + _rect(
            cls, label_width, y + 2, length, row_height - 4, hover
        )
        parts.append(_link(row, bar.href))
        parts.append(_text(label_width + plot + 4, y + baseline, bar.note, "chart-value"))
    axis_y = top + row_height * len(bars)
    parts.append(_line("chart-axis", label_width, top, label_width, axis_y))
    for tick in (0, maximum / 2, maximum):
        x = label_width + tick * scale
        parts.append(_text(x, axis_y + font_size * 1.25, f"{tick:g}%", "chart-tick", anchor="middle"))
    if target is not None:
        x = label_width + min(target, maximum) * scale
        parts.append(_line("chart-goal", x, top, x, axis_y))
    return _svg("bar", width, height, title, parts, font_size=font_size)


# --- line chart -------------------------------------------------------------------------


def _months(start, end):
    """First days of the months after `start` up to `end` (and `start` itself when it is a 1st)."""
    month = start.replace(day=1)
    if month < start:
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    out = []
    while month <= end:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def line_chart(series, *, start, end, goal=None, marks=(), title="", unit="筆", width=420, height=260):
    """Cumulative lines over `start`…`end` with the goal and the deadlines marked.

    Points outside `start`…`end` are left out; a mark outside is not drawn. The y axis runs from 0
    to a round number above every value and the goal. Returns a SafeString.
    """
    font_size = 12
    tick_size = font_size * 0.85
    shown = [(s, [(d, v) for d, v in s.points if start <= d <= end and v is not None]) for s in series if s is not None]
    shown = [(s, points) for s, points in shown if points]
    if not shown or end <= start:
        return _empty("line", title, width=width, height=120)
    left, right = 60, 70
    # Deadlines' labels that would touch go on a second row above the first (the legend moves up with them).
    span_days = (end - start).days or 1
    label_rows, row_end = [], []
    for mark in sorted((m for m in marks if start <= m.date <= end), key=lambda m: m.date):
        x = left + (width - left - right) * (mark.date - start).days / span_days
        half = len(mark.label) * tick_size / 2 + 3
        row = next((i for i, e in enumerate(row_end) if x - half > e), len(row_end))
        if row == len(row_end):
            row_end.append(0.0)
        row_end[row] = x + half
        label_rows.append((mark, row))
    extra = (tick_size + 3) * max(0, len(row_end) - 1)
    top = 30 + extra + (font_size + 6 if title else 0)
    bottom = 26
    height += extra
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max([v for _, points in shown for _, v in points] + ([goal] if goal else []))
    y_top, y_step = nice_scale(highest)
    span = (end - start).days

    def x_of(d):
        return left + plot_w * (d - start).days / span

    def y_of(v):
        return top + plot_h * (1 - max(0.0, min(v, y_top)) / y_top)

    parts = _title_text(title, font_size)
    # y grid and ticks
    tick = 0.0
    while tick <= y_top + 1e-9:
        y = y_of(tick)
        parts.append(f'<line class="chart-grid" x1="{left}" y1="{_f(y)}" x2="{left + plot_w}" y2="{_f(y)}"/>')
        parts.append(_text(left - 4, y + font_size / 3, number(tick), "chart-tick", anchor="end", size=tick_size))
        tick += y_step
    # x axis and month ticks (every other month when they would crowd)
    axis_y = top + plot_h
    parts.append(f'<line class="chart-axis" x1="{left}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}"/>')
    months = _months(start, end)
    every = max(1, math.ceil(len(months) * tick_size * 2.2 / plot_w))  # 「10月」 must not touch 「11月」
    for month in months[::every]:
        x = x_of(month)
        parts.append(f'<line class="chart-axis" x1="{_f(x)}" y1="{axis_y}" x2="{_f(x)}" y2="{axis_y + 4}"/>')
        label = f"{month.month}月"
        parts.append(_text(x, axis_y + 4 + font_size, label, "chart-tick", anchor="middle", size=tick_size))
    # deadlines
    for mark, row in label_rows:
        x = x_of(mark.date)
        parts.append(
            f'<line class="chart-mark" x1="{_f(x)}" y1="{top}" x2="{_f(x)}" y2="{axis_y}">'
            f"<title>{escape(mark.label)}</title></line>"
        )
        label_y = top - 4 - row * (tick_size + 3)
        parts.append(_text(x, label_y, mark.label, "chart-mark-label", anchor="middle", size=tick_size))
    # goal
    if goal:
        y = y_of(goal)
        parts.append(f'<line class="chart-goal" x1="{left}" y1="{_f(y)}" x2="{left + plot_w}" y2="{_f(y)}"/>')
        # just below the line at the left, where a cumulative line is still low; above it the legend and the
        # deadlines' labels may sit (the goal is often the top of the scale)
        parts.append(_text(left + 4, y + font_size + 2, f"目標 {number(goal)}{unit}", "chart-goal-label"))
    # lines, last year first so this year is drawn on top
    for s, points in sorted(shown, key=lambda sp: sp[0].kind != "last"):
        kind = "last" if s.kind == "last" else "this"
        coords = " ".join(f"{_f(x_of(d))},{_f(y_of(v))}" for d, v in points)
        line = (
            f'<polyline class="chart-line chart-line-{kind}" fill="none" points="{coords}">'
            f"<title>{escape(s.label)}</title></polyline>"
        )
        for d, v in points:
            line += (
                f'<circle class="chart-point chart-point-{kind}" cx="{_f(x_of(d))}" cy="{_f(y_of(v))}" r="2.5">'
                f"<title>{escape(f'{s.label} {d.month}月{d.day}日: {number(v)}{unit}')}</title></circle>"
            )
        parts.append(_link(line, s.href))
        d, v = points[-1]
        parts.append(_text(x_of(d) + 5, y_of(v) - 5, f"{number(v)}{unit}", f"chart-value chart-value-{kind}"))
    # legend: a line sample and the label of each series, at the top
    x = left
    legend_y = top - 18 - extra
    for s, _ in shown:
        kind = "last" if s.kind == "last" else "this"
        parts.append(
            f'<line class="chart-line chart-line-{kind}" x1="{x}" y1="{legend_y}" x2="{x + 18}" y2="{legend_y}"/>'
        )
        parts.append(_text(x + 22, legend_y + font_size / 3, s.label, "chart-legend"))
        x += 30 + len(s.label) * font_size
    return _svg("line", width, height, title, parts, font_size=font_size)


# --- paired bars ------------------------------------------------------------------------


def paired_bar_chart(pairs, *, title="", unit="", width=400, label_width=84):
    """This year's bar above last year's, one pair per row; a missing figure prints 「—」. Returns a SafeString."""
    font_size = 12
    if not pairs:
        return _empty("paired", title, width=width)
    value_width = 72
    plot = width - label_width - value_width
    bar_h, gap = 14, 10  # a 12-unit label beside each bar, the two labels apart
    row_h = bar_h * 2 + gap
    top = 22 + (font_size + 6 if title else 0)
    height = top + row_h * len(pairs) + 4
    highest = max([p.this or 0 for p in pairs] + [p.last or 0 for p in pairs])
    y_top, _ = nice_scale(highest)
    scale = plot / y_top
    parts = _title_text(title, font_size)
    legend_y = top - 12
    for i, (kind, label) in enumerate((("this", "今年"), ("last", "前年"))):
        x = label_width + i * 70
        parts.append(f'<rect class="chart-bar chart-bar-{kind}" x="{x}" y="{legend_y - 9}" width="12" height="10"/>')
        parts.append(_text(x + 16, legend_y, label, "chart-legend"))
    for i, pair in enumerate(pairs):
        y = top + i * row_h
        row = _text(label_width - 4, y + bar_h + 4, pair.label, "chart-label", anchor="end")
        for j, (kind, value, when) in enumerate((("this", pair.this, "今年"), ("last", pair.last, "前年"))):
            by = y + j * bar_h
            if value is not None:
                length = max(0.0, value) * scale
                hover = f"{pair.label}（{when}）: {number(value)}{unit}"
                row += _rect(f"chart-bar chart-bar-{kind}", label_width, by, length, bar_h - 1, hover)
            else:
                length = 0
            shown_value = f"{number(value)}{unit}" if value is not None else "—"
            row += _text(label_width + length + 3, by + bar_h - 3, shown_value, f"chart-value chart-value-{kind}")
        parts.append(_link(row, pair.href))
    axis_y = top + row_h * len(pairs) - gap + 2
    parts.append(f'<line class="chart-axis" x1="{label_width}" y1="{top}" x2="{label_width}" y2="{axis_y}"/>')
    return _svg("paired", width, height, title, parts, font_size=font_size)


# --- stacked bar ------------------------------------------------------------------------


def stacked_bar(segments, *, total=None, title="", width=400):
    """One bar split into `segments` (classes chart-seg-0… dark to light), each labelled with its value and %.

    `total` defaults to the sum of the values; a larger total leaves the rest of the bar empty
    (`chart-seg-rest`). Returns a SafeString.
    """
    font_size = 12
    segments = [s for s in segments if s.value and s.value > 0]
    whole = total if total else sum(s.value for s in segments)
    if not segments or not whole:
        return _empty("stacked", title, width=width)
    top = font_size + 8 if title else 2
    bar_h = 28
    legend_top = top + bar_h + 10
    line_h = font_size + 8
    height = legend_top + line_h * len(segments) + 2
    parts = _title_text(title, font_size)
    parts.append(f'<rect class="chart-seg-rest" x="0" y="{top}" width="{width}" height="{bar_h}"/>')
    x = 0.0
    for i, seg in enumerate(segments):
        share = seg.value / whole
        w = width * min(share, max(0.0, 1 - x / width))
        cls = f"chart-seg chart-seg-{min(i, SEGMENT_CLASSES - 1)}"
        hover = f"{seg.label}: {number(seg.value)}（{share * 100:.1f}%）"
        block = _rect(cls, x, top, w, bar_h, hover)
        if w >= 44:
            ink = "chart-seg-label chart-on-dark" if i < DARK_SEGMENTS else "chart-seg-label"
            block += _text(x + w / 2, top + bar_h / 2 + font_size / 3, f"{share * 100:.0f}%", ink, anchor="middle")
        parts.append(_link(block, seg.href))
        ly = legend_top + i * line_h
        legend = f'<rect class="{cls}" x="0" y="{ly}" width="14" height="14"/>' + _text(
            20, ly + 12, f"{seg.label}　{number(seg.value)}（{share * 100:.1f}%）", "chart-legend"
        )
        parts.append(_link(legend, seg.href))
        x += w
    parts.append(f'<rect class="chart-frame" x="0" y="{top}" width="{width}" height="{bar_h}" fill="none"/>')
    return _svg("stacked", width, height, title, parts, font_size=font_size)


# --- small multiples --------------------------------------------------------------------


def small_multiples(items, *, columns=4, title="", cell_width=150, cell_height=96):
    """A grid of sparklines on one y scale (every value and goal), each labelled with its last value and % of goal.

    Points may be (date, value) pairs (placed by date on a common axis) or plain values (placed
    by their order). Returns a SafeString.
    """
    font_size = 12
    items = list(items)
    columns = max(1, min(columns, len(items) or 1))
    width = columns * cell_width
    if not items:
        return _empty("small", title, width=max(width, 300))
    values = [_value_of(p) for item in items for p in item.points if _value_of(p) is not None]
    goals = [item.goal for item in items if item.goal]
    y_top, _ = nice_scale(max(values + goals + [0]))
    dated = [p[0] for item in items for p in item.points if isinstance(p, tuple | list)]
    first, last = (min(dated), max(dated)) if dated else (None, None)
    longest = max((len(item.points) for item in items), default=1)
    top = font_size + 8 if title else 0
    rows = math.ceil(len(items) / columns)
    height = top + rows * cell_height
    pad, label_h, foot_h = 8, font_size + 6, font_size + 6
    plot_w = cell_width - 2 * pad
    plot_h = cell_height - label_h - foot_h - 4
    parts = _title_text(title, font_size)
    for n, item in enumerate(items):
        cx = (n % columns) * cell_width
        cy = top + (n // columns) * cell_height
        px, py = cx + pad, cy + label_h

        def x_of(i, point, px=px):
            if isinstance(point, tuple | list) and first is not None and last > first:
                return px + plot_w * (point[0] - first).days / (last - first).days
            return px + (plot_w * i / (longest - 1) if longest > 1 else plot_w / 2)

        def y_of(v, py=py):
            return py + plot_h * (1 - max(0.0, min(v, y_top)) / y_top)

        cell = [_rect("chart-cell", cx + 1, cy + 1, cell_width - 2, cell_height - 2)]
        cell.append(_text(px, cy + font_size + 2, item.label, "chart-label"))
        cell.append(_line("chart-axis", px, py + plot_h, px + plot_w, py + plot_h))
        if item.goal:
            gy = y_of(item.goal)
            cell.append(f'<line class="chart-goal" x1="{px}" y1="{_f(gy)}" x2="{px + plot_w}" y2="{_f(gy)}"/>')
        points = [(i, p) for i, p in enumerate(item.points) if _value_of(p) is not None]
        if points:
            coords = " ".join(f"{_f(x_of(i, p))},{_f(y_of(_value_of(p)))}" for i, p in points)
            last_value = _value_of(points[-1][1])
            share = f"（{last_value / item.goal * 100:.0f}%）" if item.goal else ""
            hover = f"{item.label}: {number(last_value)}{share}"
            cell.append(
                f'<polyline class="chart-line chart-line-this" fill="none" points="{coords}">'
                f"<title>{escape(hover)}</title></polyline>"
            )
            i, p = points[-1]
            cell.append(_point("this", x_of(i, p), y_of(last_value), hover))
            cell.append(_text(px, cy + cell_height - 6, f"{number(last_value)}{share}", "chart-value"))
        else:
            cell.append(_text(px, cy + cell_height - 6, EMPTY, "chart-empty"))
        parts.append(_link("".join(cell), item.href))
    return _svg("small", width, height, title, parts, font_size=font_size)


# --- documents ----------------------------------------------------------------------------

_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)


def print_stylesheet():
    """The documents' stylesheet (static/css/document.css) as text: what `for_print` puts into each SVG."""
    return (Path(settings.BASE_DIR) / "static" / "css" / "document.css").read_text(encoding="utf-8")


# Properties only SVG knows: WeasyPrint's HTML side reads document.css too and would warn about each.
SVG_ONLY_PROPERTIES = frozenset(
    {"fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linejoin", "stroke-linecap", "text-anchor"}
)


class _QuietSvgProperties(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if message.startswith("Ignored `") and message.endswith("unknown property."):
            return message[len("Ignored `") :].partition(":")[0] not in SVG_ONLY_PROPERTIES
        return True


@functools.cache
def _quiet_svg_properties():
    logging.getLogger("weasyprint").addFilter(_QuietSvgProperties())


def for_print(html):
    """`html` with the documents' stylesheet as a `<style>` first child of every `<svg>` (PDFs only).

    WeasyPrint styles an inline SVG only from `<style>` elements inside it, so this is how the
    chart and map classes get their colours on paper. Never used for a page (the CSP refuses
    `<style>` there; the browser applies the external site.css to inline SVG by itself).
    """
    _quiet_svg_properties()
    if "<svg" not in html and "<SVG" not in html:
        return html
    # Inside <svg> the HTML parser reads <style> as ordinary text, entities and all: escape it.
    style = "<style>" + escape(print_stylesheet()) + "</style>"
    return _SVG_OPEN.sub(lambda m: m.group(0) if m.group(0).endswith("/>") else m.group(0) + style, html)


__all__ = [
    "EMPTY",
    "Bar",
    "Mark",
    "Pair",
    "SafeString",
    "Segment",
    "Series",
    "Small",
    "bar_chart",
    "for_print",
    "line_chart",
    "nice_scale",
    "number",
    "paired_bar_chart",
    "small_multiples",
    "stacked_bar",
]

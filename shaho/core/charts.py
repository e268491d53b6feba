"""Charts drawn on the server as SVG, inlined into the HTML and so into the PDF as vectors."""

from dataclasses import dataclass

from django.utils.html import escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # what is drawn: a percentage of a goal or of a total
    note: str = ""  # printed after the bar: "52.3%（1,234 / 2,360）"


def bar_chart(bars, *, maximum=100.0, target=None, width=520, row_height=13, label_width=70, title=""):
    """Horizontal bars, one per row (prefectures), scaled to `maximum`; `target` draws a dashed line (50%, 100%).

    Returns an SVG string (safe: every text is escaped).
    """
    note_width = 130
    plot = width - label_width - note_width
    top = 18 if title else 4
    height = top + row_height * len(bars) + 14
    scale = plot / maximum if maximum else 0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="IPAexGothic" font-size="8">'
    ]
    if title:
        parts.append(f'<text x="0" y="11" font-size="9" font-weight="bold">{escape(title)}</text>')
    for i, bar in enumerate(bars):
        y = top + i * row_height
        length = max(0.0, min(bar.value, maximum)) * scale
        fill = "#2f6fb0" if target is None or bar.value >= target else "#9bb7d4"
        parts.append(f'<text x="{label_width - 4}" y="{y + 9}" text-anchor="end">{escape(bar.label)}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 2}" width="{length:.1f}" height="{row_height - 4}" fill="{fill}"/>'
        )
        parts.append(f'<text x="{label_width + plot + 4}" y="{y + 9}">{escape(bar.note)}</text>')
    axis_y = top + row_height * len(bars)
    parts.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{axis_y}" stroke="#333" stroke-width="0.6"/>'
    )
    for tick in (0, maximum / 2, maximum):
        x = label_width + tick * scale
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 10}" text-anchor="middle" fill="#555">{tick:g}%</text>')
    if target is not None:
        x = label_width + target * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="#c0392b" '
            'stroke-width="0.8" stroke-dasharray="3,2"/>'
        )
    parts.append("</svg>")
    return "".join(parts)

"""The blocks registry: live tables, lists and pictures that staff put into a chapter by name.

A figure (`shaho.core.figures`) is a number inside a sentence; a block is a whole table, list or
picture built from the data at the document's date. It is written the same way, alone on its line::

    ## 当面の日程

    {{ calendar.period start=2020-09-01 end=2021-03-31 }}

The app that owns the data registers the block in its own `blocks` module, imported by its
`AppConfig.ready()`, as figures are::

    from shaho.core.blocks import Block, register

    @register("calendar.period", label="期間の日程（当面の日程）", params={"start": "date", "end": "date"},
              example="{{ calendar.period start=2020-09-01 end=2021-03-31 }}")
    def calendar_period(ctx, *, start, end):
        return Block(template="campaigns/blocks/calendar.html", context={...})

A block function gets the document's `PlaceholderContext` (date, user, per-document cache) and its
arguments converted by the figures' argument types (`petition`, `prefecture`, … look only among what
`ctx.user` may see). It returns a `Block`: a template and its context, rendered with Django's
templates (autoescaped: staff text in the data prints as text). The same template serves the page
and the PDF.

`extract(text, ctx)` takes the blocks out of a chapter's Markdown before its figures are resolved,
leaving a marker paragraph for each; `insert(html, rendered)` puts the blocks' HTML in place of the
markers once the Markdown is HTML. A block written inside a sentence, an unknown name, a bad or
out-of-scope argument is a ValidationError in Japanese, raised before any job starts.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from . import figures


@dataclass
class Block:
    """What a block function returns: a template and its context. `empty` says there were no rows.

    A block with no rows still prints (its template says 「該当なし」 in its own words), so a chapter
    never loses its place; `empty` lets a document that prints sections only when they have rows
    (the prefecture report) leave it out.
    """

    template: str
    context: dict = field(default_factory=dict)
    empty: bool = False

    def render(self):
        return mark_safe(render_to_string(self.template, self.context))


def table(*, columns, rows, caption="", total=None, empty_text=""):
    """A plain table block (templates/blocks/_table.html): cells print as pictures' tables do (12,345; 2025年12月7日).

    `total` is one row printed once, at the end of the table (in the body, so it does not repeat at
    the foot of every page as a <tfoot> would)."""
    rows = list(rows)
    return Block(
        template="blocks/_table.html",
        context={"columns": columns, "rows": rows, "caption": caption, "total": total, "empty_text": empty_text},
        empty=not rows,
    )


@dataclass(frozen=True)
class BlockType:
    name: str
    label: str
    function: object
    params: dict  # argument name → figures' type name; `date` defaults to the document's
    example: str = ""

    def usage(self):
        args = " ".join(f"{k}=…" for k in self.params if k != "date")
        return "{{ " + (f"{self.name} {args}" if args else self.name) + " }}"


_registry: dict[str, BlockType] = {}


def register(name, *, label, params=None, example=""):
    """Decorator: register a block function under `name` (dotted lower case, not a figure's name)."""
    if not figures.NAME_RE.match(name):
        raise ValueError(f"block name {name!r} must be dotted lower case, like 'calendar.period'")

    def decorator(function):
        if name in _registry and _registry[name].function is not function:
            raise ValueError(f"block {name!r} is registered twice")
        if figures.is_figure(name):
            raise ValueError(f"block {name!r} has the name of a figure")
        _registry[name] = BlockType(name, str(label), function, dict(params or {}), example)
        return function

    return decorator


def known_blocks():
    """Every registered block, sorted by name."""
    return [_registry[n] for n in sorted(_registry)]


def is_block(name):
    return name in _registry


# A block stands alone on its line (leading spaces allowed, as Markdown allows).
_LINE_RE = re.compile(r"^[ \t\u3000]*(?P<use>(?:\{\{|｛｛)[^\n]*?(?:\}\}|｝｝))[ \t\u3000]*$", re.MULTILINE)
MARKER = "SHAHOBLOCK{:04d}"
_MARKER_RE = re.compile(r"<p>(SHAHOBLOCK\d{4})</p>")


def _resolve(use, ctx):
    block = _registry[use.name]
    kwargs = {}
    for key, value in use.args.items():
        type_name = block.params.get(key)
        if type_name is None:
            allowed = "、".join(block.params) or "なし"
            raise ValidationError(f"「{use.source}」: 引数「{key}」は使えません（使える引数: {allowed}）。")
        try:
            kwargs[key] = figures.ARGUMENT_TYPES[type_name](value, ctx)
        except (ValueError, LookupError) as exc:
            raise ValidationError(f"「{use.source}」: {exc}") from exc
    if "date" in block.params:
        kwargs.setdefault("date", ctx.date)
    try:
        return block.function(ctx, **kwargs)
    except (ValueError, LookupError) as exc:
        raise ValidationError(f"「{use.source}」: {exc}") from exc


def resolve_one(source, ctx):
    """The Block written as `source` ("{{ calendar.period start=… }}"): used by documents that list blocks."""
    uses = figures.find_uses(source)
    if len(uses) != 1 or uses[0].name not in _registry:
        raise ValidationError(f"「{source}」は差し込み表ではありません。")
    return _resolve(uses[0], ctx)


def check_placement(text):
    """Raise ValidationError for a block written inside a sentence (a block stands alone on its line)."""
    alone = {m.start("use") for m in _LINE_RE.finditer(text or "")}
    errors = []
    for match in figures.PLACEHOLDER_RE.finditer(text or ""):
        parts = match["inner"].split()
        if parts and parts[0] in _registry and match.start() not in alone:
            errors.append(f"「{match[0]}」は表・一覧の差し込みです。文の中ではなく、1行に単独で書いてください。")
    if errors:
        raise ValidationError(errors)


def extract(text, ctx):
    """(text with each block replaced by a marker paragraph, [rendered HTML of each block]).

    Raises one ValidationError listing every problem of every block. Figures are left in the text
    for `figures.resolve`.
    """
    check_placement(text)
    rendered, errors = [], []

    def replace(match):
        use_text = match["use"]
        try:
            uses = figures.find_uses(use_text)
        except ValidationError:
            return match[0]  # malformed: figures.resolve reports it
        if len(uses) != 1 or uses[0].name not in _registry:
            return match[0]  # a figure alone on its line
        try:
            block = _resolve(uses[0], ctx)
            rendered.append(block.render())
        except ValidationError as exc:
            errors.extend(exc.messages)
            return ""
        return "\n\n" + MARKER.format(len(rendered) - 1) + "\n\n"

    out = _LINE_RE.sub(replace, text or "")
    if errors:
        raise ValidationError(errors)
    return out, rendered


def insert(html, rendered):
    """`html` (the chapter's Markdown made HTML) with each marker paragraph replaced by its block's HTML."""
    return mark_safe(_MARKER_RE.sub(lambda m: rendered[int(m[1][len("SHAHOBLOCK") :])], html))


def check_names(text):
    """Figures' name check, knowing blocks too: an unknown name lists the known figures and blocks."""
    errors = []
    try:
        check_placement(text)
    except ValidationError as exc:
        errors.extend(exc.messages)
    for use in figures.find_uses(text):
        if not figures.is_figure(use.name) and use.name not in _registry:
            known = "、".join([p.name for p in figures.known_placeholders()] + [b.name for b in known_blocks()])
            errors.append(f"「{use.source}」: 差し込み項目「{use.name}」はありません。使える項目: {known}")
    if errors:
        raise ValidationError(errors)

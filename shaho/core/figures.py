"""The figures registry: named figures that staff write into their text and that resolve from the data
when a document is made.

Syntax, in a chapter's Markdown: ``{{ census.total }}`` or, with arguments,
``{{ petition.to_date petition=25jo date=2020-08-31 }}`` (full-width braces ｛｛ ｝｝ are
accepted too, as an IME types them). The registry lives here, below every app; each app
registers its own figures in its own ``placeholders`` module, imported by the app's
``AppConfig.ready()`` (as pretix's apps answer ``register_text_placeholders``)::

    from shaho.core.figures import register

    @register("census.total", label="社保協の総数", params={"date": "date"})
    def census_total(ctx, *, date):
        ...

A placeholder function gets a PlaceholderContext (the document's date, the requesting
user, a cache shared by the whole document) and its arguments converted by type; it
returns the text to print. An unknown name, argument or value is a ValidationError that
lists what is known, raised before any job starts: never a blank in the PDF.

An argument type that turns text into an object (a petition, a prefecture) looks only
among what `ctx.user` may see, and says the same for "there is none" and "not yours".

A figure goes into Japanese text as Japanese typesetting wants it: the spaces staff type
around ``{{ … }}`` to see it better are dropped where the neighbour is a Japanese
(full-width) character — 「総数は 466 です」 prints 「総数は466です」.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from shaho.core.japanese import parse_date

# {{ name arg=value ... }} with ASCII or full-width braces.
PLACEHOLDER_RE = re.compile(r"(?:\{\{|｛｛)\s*(?P<inner>.*?)\s*(?:\}\}|｝｝)")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$")
ARG_RE = re.compile(r"^(?P<key>[a-z_]+)=(?P<value>\S+)$")


@dataclass
class PlaceholderContext:
    """What a placeholder may know: the date its figures are taken at, who asked, and a per-document cache."""

    date: datetime.date
    user: object = None  # None: a system run (management command, cron), which sees everything
    cache: dict = field(default_factory=dict)

    def cached(self, key, compute):
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


# Argument types: a name → a converter(value_text, ctx) returning the Python value or raising ValueError.
def _to_date(value, ctx):
    return parse_date(value)


def _to_int(value, ctx):
    return int(value)


def _to_str(value, ctx):
    return value


ARGUMENT_TYPES = {"date": _to_date, "int": _to_int, "str": _to_str}


def register_argument_type(name, converter):
    """Let an app add an argument type (the petitions app adds `petition`: a slug the user may see)."""
    ARGUMENT_TYPES[name] = converter


@dataclass(frozen=True)
class Placeholder:
    name: str
    label: str
    function: object
    params: dict  # argument name → type name; every argument is optional, `date` defaults to the document's
    example: str = ""

    def usage(self):
        args = " ".join(f"{k}=…" for k in self.params if k != "date")
        return "{{ " + (f"{self.name} {args}" if args else self.name) + " }}"


_registry: dict[str, Placeholder] = {}


def register(name, *, label, params=None, example=""):
    """Decorator: register a placeholder function under `name` (dotted, lower case: `census.total`)."""
    if not NAME_RE.match(name):
        raise ValueError(f"placeholder name {name!r} must be dotted lower case, like 'census.total'")

    def decorator(function):
        if name in _registry and _registry[name].function is not function:
            raise ValueError(f"placeholder {name!r} is registered twice")
        _registry[name] = Placeholder(name, str(label), function, dict(params or {}), example)
        return function

    return decorator


def known_placeholders():
    """Every registered placeholder, sorted by name."""
    return [_registry[n] for n in sorted(_registry)]


def is_figure(name):
    return name in _registry


def known_names_text():
    return "、".join(p.name for p in known_placeholders())


@dataclass(frozen=True)
class Use:
    """One occurrence of a placeholder in a text."""

    source: str  # the text as written, "{{ census.total }}"
    name: str
    args: dict


def find_uses(text):
    """The placeholders written in `text`, in order. Raises ValidationError on a malformed one."""
    uses, errors = [], []
    for match in PLACEHOLDER_RE.finditer(text or ""):
        parts = match["inner"].split()
        if not parts or not NAME_RE.match(parts[0]):
            errors.append(f"「{match[0]}」は差し込み項目の書き方になっていません（例: {{{{ census.total }}}}）。")
            continue
        args = {}
        for part in parts[1:]:
            arg = ARG_RE.match(part)
            if not arg:
                errors.append(f"「{match[0]}」の「{part}」は 名前=値 の形になっていません。")
                continue
            args[arg["key"]] = arg["value"]
        uses.append(Use(match[0], parts[0], args))
    if errors:
        raise ValidationError(errors)
    return uses


def _resolve_use(use, ctx):
    placeholder = _registry.get(use.name)
    if placeholder is None:
        raise ValidationError(
            f"「{use.source}」: 差し込み項目「{use.name}」はありません。使える項目: {known_names_text()}",
            code="unknown_placeholder",
        )
    kwargs = {}
    for key, value in use.args.items():
        type_name = placeholder.params.get(key)
        if type_name is None:
            allowed = "、".join(placeholder.params) or "なし"
            raise ValidationError(f"「{use.source}」: 引数「{key}」は使えません（使える引数: {allowed}）。")
        try:
            kwargs[key] = ARGUMENT_TYPES[type_name](value, ctx)
        except (ValueError, LookupError) as exc:
            raise ValidationError(f"「{use.source}」: {exc}") from exc
    if "date" in placeholder.params:
        kwargs.setdefault("date", ctx.date)
    try:
        value = placeholder.function(ctx, **kwargs)
    except (ValueError, LookupError) as exc:
        raise ValidationError(f"「{use.source}」: {exc}") from exc
    return str(value)


def resolve(text, ctx):
    """`text` with every placeholder replaced by its value.

    Raises one ValidationError listing every problem (unknown names with the known ones,
    bad arguments, things the user may not see); nothing is left blank.
    """
    uses = {use.source: use for use in find_uses(text)}
    values, errors = {}, []
    for source, use in uses.items():
        try:
            values[source] = _resolve_use(use, ctx)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return _substitute(text or "", values)


# Spaces typed around a placeholder: ASCII and the ideographic space an IME types.
_SPACES = " \t\u3000"
_UNIT = re.compile(r"%(?=[ \t\u3000]+[^ \t\u3000])")


def _wide(char):
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")


def _substitute(text, values):
    """`text` with each placeholder replaced by its value, without the spaces between a figure and Japanese text."""
    out, position = [], 0
    for match in PLACEHOLDER_RE.finditer(text):
        before = text[position : match.start()]
        stripped = before.rstrip(_SPACES)
        if stripped != before and _wide(stripped[-1:] or (out[-1][-1:] if out else "")):
            before = stripped
        out.append(before)
        out.append(values[match[0]])
        position = match.end()
        # A unit written right after the figure ({{ x }}% です) keeps it company: the space after it goes too.
        unit = _UNIT.match(text, position)
        if unit:
            out.append(unit[0])
            position = unit.end()
        rest = text[position:]
        after = rest.lstrip(_SPACES)
        if after != rest and _wide(after[:1]):
            position = len(text) - len(after)
    out.append(text[position:])
    return "".join(out)


# Formatting helpers shared by the apps' placeholder modules.
def number(value):
    """65000 → '65,000'."""
    return f"{value:,}"


def signed(value):
    """A change: +1, -3, ±0."""
    return f"{value:+,d}" if value else "±0"


def percent(value):
    """52.34 → '52.3'."""
    return f"{value:.1f}"


def check_names(text):
    """Raise ValidationError for malformed or unknown placeholders in `text` (without computing values)."""
    errors = []
    for use in find_uses(text):
        if use.name not in _registry:
            errors.append(f"「{use.source}」: 差し込み項目「{use.name}」はありません。使える項目: {known_names_text()}")
    if errors:
        raise ValidationError(errors)

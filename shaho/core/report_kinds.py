"""The report-kind registry: what kinds of document exist, what they ask for, how a request is checked.

The registry lives here, below every app; the app that owns a document's data declares its kind
in its own `reports` module and registers it from its `AppConfig.ready()` — the 集約一覧表 in
`petitions/reports.py`, the 社保協名簿 in `councils/reports.py` — as the apps to come will. The
`reports` app keeps the engine (jobs, rendering, downloads) and reads the registry.

A kind has a name, a Japanese label, its parameters, a `clean` that refuses a bad request before
any job starts (with every reason, in Japanese), and a `build` that gathers the data into a
template context (PDF) or finished bytes (xlsx)::

    register_kind(ReportKind(name="tally_table", label="集約一覧表", params=(...), clean=..., build=...))

A parameter whose value names an object (a petition drive, a meeting, a prefecture) offers its
choices through `choices(user)`: the request form shows them as a select, and `clean` looks the
value up again within what the user may see.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .japanese import parse_date


class ParamType:
    """How a parameter is asked for on the request form."""

    TEXT = "str"
    INT = "int"
    DATE = "date"  # a date picker; typed 全角 and 和暦 are accepted by `clean_date` too
    CHOICE = "choice"  # a select of `choices(user)`: drives, meetings, prefectures, formats


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    type: str = ParamType.TEXT
    required: bool = False
    help: str = ""
    # (user) -> [(value, label), ...]: what this user may choose; None for free input.
    choices: object = None
    # The label of the empty choice of an optional select ("全国" for no prefecture), and who is offered it:
    # (user) -> bool, None for everyone.
    blank_label: str = ""
    blank_allowed: object = None
    # A date parameter the request form fills in with today (Asia/Tokyo): 基準日 is nearly always today.
    default_today: bool = False

    def offers_blank(self, user):
        return not self.required and (self.blank_allowed is None or self.blank_allowed(user))

    def describe(self):
        need = "必須" if self.required else "省略可"
        return f"{self.name}（{self.label}、{need}）{' ' + self.help if self.help else ''}"


@dataclass
class Request:
    """A request that passed `clean`: canonical parameters (JSON), the council it belongs to, its title."""

    params: dict
    council: object  # councils.Council
    title: str
    format: str = "pdf"
    # The date the document's figures are counted at (基準日), shown on the job page. None: the parameter
    # `date`, else `end`, when the kind has one (see `document_date`); a kind without any prints the data as it
    # stands when the job runs.
    as_of: object = None  # datetime.date


@dataclass
class Built:
    """What `build` gives back: an HTML template and its context (PDF), or finished bytes (xlsx)."""

    template: str = ""
    context: dict = field(default_factory=dict)
    content: bytes | None = None
    warnings: list = field(default_factory=list)


@dataclass(frozen=True)
class ReportKind:
    name: str
    label: str
    params: tuple
    clean: object  # (*, params: dict[str, str], user) -> Request; raises ValidationError
    build: object  # (*, params: dict, user, progress) -> Built
    formats: tuple = ("pdf",)
    # What the document is, in one line, for the list of kinds on the request page.
    summary: str = ""
    # A document a federation keeps for decades (the policy draft, the 資料集, the assembly summary): its PDF is
    # PDF/A. Every PDF is tagged either way.
    archival: bool = False
    # What the document reads, for telling a double click from a request after a correction: app labels
    # ("petitions") or models ("petitions.TallyEntry"). None: every model that holds report data (`data_models`),
    # which is never wrong — a kind narrows it only to be deduplicated more often, never to be stale.
    reads: tuple | None = None

    def param_names(self):
        return [p.name for p in self.params]

    @property
    def format_labels(self):
        return "・".join(FORMAT_LABELS.get(f, f) for f in self.formats)


FORMAT_LABELS = {"pdf": "PDF", "xlsx": "Excel（xlsx）"}


def document_date(request):
    """The 基準日 of a cleaned request: its `as_of`, else its `date` or `end` parameter, else None."""
    if request.as_of is not None:
        return request.as_of
    for name in ("date", "end"):
        if request.params.get(name):
            return parse_date(str(request.params[name]))
    return None


# --- what a document reads: the data version -------------------------------------------------

# The apps whose rows documents print. Not counted, though in those apps: the report jobs themselves (a job
# must not make the next request look new), accounts (a login writes last_login), logs of reading and purging,
# import batches (their entries count), calendar feed tokens, and the tally summaries the database keeps from
# the ledger (the ledger counts).
DATA_APPS = ("councils", "municipalities", "petitions", "campaigns", "consultations", "reports")
NOT_REPORT_DATA = frozenset(
    {
        "reports.reportjob",
        "councils.user",
        "consultations.freetextread",
        "consultations.purgerun",
        "consultations.retentionsetting",
        "campaigns.calendarfeed",
        "petitions.importbatch",
        "petitions.tallydaily",
        "petitions.tallynationaldaily",
        "petitions.tallycounciltotal",
    }
)


def data_models(kind):
    """The models `kind` reads (its `reads`, or every model of DATA_APPS), with their many-to-many tables,
    without the history tables (those are read through their model) and NOT_REPORT_DATA."""
    from django.apps import apps

    wanted = kind.reads or DATA_APPS
    models = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        label = meta.label_lower
        if label in NOT_REPORT_DATA or getattr(model, "instance_type", None) is not None:  # history tables
            continue
        if meta.auto_created:  # a many-to-many table belongs to the model that declares it
            owner = meta.auto_created._meta
            if owner.label_lower in NOT_REPORT_DATA or not _reads(wanted, owner):
                continue
        elif not _reads(wanted, meta):
            continue
        models.append(model)
    return models


def _reads(wanted, meta):
    return meta.app_label in wanted or meta.label_lower in {w.lower() for w in wanted}


_kinds: dict[str, ReportKind] = {}


def register_kind(kind):
    """Register `kind` under its name (an app's `ready()` calls this once); a second, different kind is refused."""
    existing = _kinds.get(kind.name)
    if existing is not None and existing is not kind:
        raise ValueError(f"report kind {kind.name!r} is registered twice")
    _kinds[kind.name] = kind
    return kind


def get_kind(name):
    """The kind named `name`; ValidationError listing the known kinds (by their labels) otherwise."""
    try:
        return _kinds[name]
    except KeyError:
        known = "、".join(f"{k.label}（{k.name}）" for k in all_kinds())
        raise ValidationError(f"報告書の種類「{name}」はありません。使える種類: {known}") from None


def all_kinds():
    """Every registered kind, in the order of their Japanese labels."""
    return sorted(_kinds.values(), key=lambda k: (str(k.label), k.name))


def kind_label(name):
    """The Japanese label of the kind named `name` (the name itself for a kind no longer registered)."""
    kind = _kinds.get(name)
    return kind.label if kind else name


def kind_choices():
    """(name, label) of every kind: the choices of ReportJob.kind, so the admin shows 集約一覧表, not tally_table.

    Kinds declare their labels with gettext_lazy, as every label in the project."""
    return [(k.name, k.label) for k in all_kinds()]


def format_choices(kind):
    return [(f, FORMAT_LABELS.get(f, f)) for f in kind.formats]


# --- helpers for kinds' `clean` ---------------------------------------------------


def check_param_names(kind, params):
    """Refuse parameters `kind` does not have, and missing required ones."""
    unknown = sorted(set(params) - set(kind.param_names()))
    if unknown:
        raise ValidationError(
            f"{kind.label}にパラメータ {'、'.join(unknown)} はありません"
            f"（使えるもの: {'、'.join(kind.param_names())}）。"
        )
    missing = [p.label for p in kind.params if p.required and not str(params.get(p.name, "")).strip()]
    if missing:
        raise ValidationError(f"{kind.label}には {'、'.join(missing)} を指定してください。")


def clean_date(value, *, label="日付"):
    """A date from what was typed or picked (2020-08-31, ２０２０年８月３１日, 令和2年8月31日)."""
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ValidationError(f"{label}: {exc}") from exc


def clean_format(kind, value):
    fmt = (value or kind.formats[0]).lower()
    if fmt not in kind.formats:
        raise ValidationError(f"形式は {'・'.join(FORMAT_LABELS.get(f, f) for f in kind.formats)} のどれかです。")
    return fmt


# --- appendices: sections one app adds to another app's document ----------------

# name → fn(*, meeting, user) -> dict | None (the petitions app adds the 集約一覧表 of a meeting's drives)
_appendices: dict[str, object] = {}


def register_appendix(name, function):
    """Add an appendix to the general-meeting documents (the policy draft): `function(*, meeting, user)`."""
    _appendices[name] = function


def appendices():
    return dict(_appendices)

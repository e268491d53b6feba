"""The kinds of report: each has a name, a label, its parameters, a `clean` that refuses bad requests
before any job starts, and a `build` that gathers the data into a template context.

Apps to come add their own kind with `register_kind(ReportKind(...))` in their own module.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from councils.models import Council, CouncilKind
from councils.selectors import municipality_coverage
from municipalities.models import Prefecture
from municipalities.selectors import prefecture_from_input
from shaho.core.japanese import format_date, normalize, parse_date
from shaho.core.scoping import restrict, sees_everything

from . import charts, documents, placeholders
from .selectors import council_directory, local_council_list, meeting_for


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    type: str = "str"  # int, date, prefecture, str, petition
    required: bool = False
    help: str = ""

    def describe(self):
        need = "必須" if self.required else "省略可"
        return f"{self.name}（{self.label}、{need}）{' ' + self.help if self.help else ''}"


@dataclass
class Request:
    """A request that passed `clean`: canonical parameters (JSON), the council it belongs to, its title."""

    params: dict
    council: Council
    title: str
    format: str = "pdf"


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

    def param_names(self):
        return [p.name for p in self.params]


_kinds: dict[str, ReportKind] = {}


def register_kind(kind):
    _kinds[kind.name] = kind
    return kind


def get_kind(name):
    """The kind named `name`; ValidationError listing the known kinds otherwise."""
    try:
        return _kinds[name]
    except KeyError:
        raise ValidationError(f"報告書の種類「{name}」はありません。使える種類: {'、'.join(sorted(_kinds))}") from None


def all_kinds():
    return [_kinds[n] for n in sorted(_kinds)]


def check_param_names(kind, params):
    unknown = sorted(set(params) - set(kind.param_names()))
    if unknown:
        raise ValidationError(
            f"{kind.label}にパラメータ {'、'.join(unknown)} はありません"
            f"（使えるもの: {'、'.join(kind.param_names())}）。"
        )
    missing = [p.label for p in kind.params if p.required and not str(params.get(p.name, "")).strip()]
    if missing:
        raise ValidationError(f"{kind.label}には {'、'.join(missing)} を指定してください。")


def _system_user(user):
    return user is None or sees_everything(user)


def visible_prefecture(value, *, user):
    """A Prefecture from a code ('14', '１４') or name, that `user` may see; ValidationError otherwise."""
    prefecture = prefecture_from_input(value)
    if prefecture is None:
        raise ValidationError(f"都道府県「{value}」はありません（01〜47 のコードか都道府県名で指定してください）。")
    if not _system_user(user) and not restrict(Prefecture.objects.filter(pk=prefecture.pk), user).exists():
        raise ValidationError(f"{prefecture.name}の報告書を作成する権限がありません。")
    return prefecture


def clean_date(value, *, label="日付"):
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ValidationError(f"{label}: {exc}") from exc


def national_council():
    council = Council.objects.filter(kind=CouncilKind.NATIONAL).first()
    if council is None:
        raise ValidationError("中央社保協が登録されていません。")
    return council


def council_of_prefecture(prefecture):
    return Council.objects.filter(kind=CouncilKind.PREFECTURAL, prefecture=prefecture).first() or national_council()


def coverage_chart(rows, *, title):
    bars = [charts.Bar(r.prefecture_name, r.percent, f"{r.percent:.1f}%（{r.covered:,} / {r.total:,}）") for r in rows]
    return charts.bar_chart(bars, maximum=100, target=50, title=title)


def document_context(**context):
    context.setdefault("font_face_css", documents.font_face_css())
    context.setdefault("generated_on", format_date(timezone.localdate()))
    return context


# --- 社保協名簿 (council_directory) ------------------------------------------------


def _directory_clean(*, params, user):
    check_param_names(DIRECTORY, params)
    value = str(params.get("prefecture", "")).strip()
    if value:
        prefecture = visible_prefecture(value, user=user)
        return Request(
            params={"prefecture": prefecture.code},
            council=council_of_prefecture(prefecture),
            title=f"{prefecture.name} 社保協名簿",
        )
    if not _system_user(user):
        raise ValidationError("全国の社保協名簿は中央事務局だけが作成できます。都道府県を指定してください。")
    return Request(params={}, council=national_council(), title="全国 社保協名簿")


def _directory_build(*, params, user, progress):
    today = timezone.localdate()
    prefecture = Prefecture.objects.get(code=params["prefecture"]) if params.get("prefecture") else None
    councils = council_directory(date=today, prefecture=prefecture)
    progress(20, "名簿を集計中")
    locals_ = local_council_list(date=today, prefecture=prefecture)
    municipalities = {c.pk: c.municipalities.all() for group in locals_ for c in group.councils}
    for council in councils:
        council.covered = municipalities.get(council.pk, [])
    title = f"{prefecture.name if prefecture else '全国'} 社保協名簿"
    return Built(
        template="reports/council_directory.html",
        context=document_context(
            document_title=title, prefecture=prefecture, councils=councils, as_of=format_date(today)
        ),
    )


DIRECTORY = register_kind(
    ReportKind(
        name="council_directory",
        label="社保協名簿",
        params=(Param("prefecture", "都道府県", "prefecture", help="コード（14）か名前。省略すると全国"),),
        clean=_directory_clean,
        build=_directory_build,
    )
)


# --- 総会方針案 (policy_draft) --------------------------------------------------------

# Appendices contributed by other apps (the petitions app adds 集約一覧表): name → fn(*, meeting, user) -> dict|None
POLICY_APPENDICES = {}


def register_policy_appendix(name, function):
    POLICY_APPENDICES[name] = function


def _meeting(params, user):
    try:
        number = int(normalize(str(params.get("meeting", ""))).removeprefix("第").removesuffix("回"))
    except ValueError:
        raise ValidationError(f"総会の回次「{params.get('meeting')}」は数字で指定してください（例: 64）。") from None
    meeting = meeting_for(number=number, user=user)
    if meeting is None:
        raise ValidationError(f"第{number}回の総会はありません（または見る権限がありません）。")
    return meeting


def prepare_chapters(meeting, *, user, ctx=None):
    """Each chapter's title and HTML with its figures filled, after the checks that refuse a request.

    Raises one ValidationError listing every problem of every chapter: raw HTML, unknown or
    unresolvable placeholders, characters the font lacks.
    """
    ctx = ctx or placeholders.PlaceholderContext(date=meeting.figures_date, user=user)
    prepared, errors = [], []
    for chapter in meeting.chapters.all():
        where = f"第{chapter.order}章「{chapter.title}」"
        try:
            documents.check_markdown(chapter.body, where=where)
            text = placeholders.resolve(chapter.body, ctx)
            documents.check_glyphs(chapter.title + text, where=where)
        except ValidationError as exc:
            errors.extend(f"{where}: {m}" if not m.startswith(where) else m for m in exc.messages)
            continue
        prepared.append(
            {"anchor": f"ch{chapter.order}", "title": chapter.title, "html": documents.markdown_to_html(text)}
        )
    for text, where in ((meeting.title, "総会の名称"), (meeting.theme, "テーマ"), (meeting.venue, "会場")):
        try:
            documents.check_glyphs(text, where=where)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return prepared


def _policy_clean(*, params, user):
    check_param_names(POLICY_DRAFT, params)
    meeting = _meeting(params, user)
    if not meeting.chapters.exists():
        raise ValidationError(f"{meeting}には章がありません。")
    prepare_chapters(meeting, user=user)
    return Request(params={"meeting": meeting.number}, council=meeting.council, title=meeting.title)


def _policy_build(*, params, user, progress):
    meeting = _meeting(params, user)
    date = meeting.figures_date
    # One cache for the text's figures and the appendices: the coverage is computed once.
    ctx = placeholders.PlaceholderContext(date=date, user=user)
    chapters = prepare_chapters(meeting, user=user, ctx=ctx)
    progress(15, "本文の数字を差し込み済み")
    groups = local_council_list(date=date)
    rows, national = ctx.cached(("coverage", date), lambda: municipality_coverage(date=date))
    progress(25, "付録を集計中")
    appendices = []
    for name, function in POLICY_APPENDICES.items():
        appendix = function(meeting=meeting, user=user)
        if appendix:
            appendix.setdefault("anchor", f"appendix-{name}")
            appendices.append(appendix)
    appendices.append(
        {
            "anchor": "appendix-local-councils",
            "title": "地域社保協一覧",
            "template": "reports/appendix_local_councils.html",
            "groups": groups,
            "coverage": {r.prefecture_code: r for r in rows},
            "national": national,
            "chart": coverage_chart(rows, title="都道府県別 地域社保協のある市区町村の割合（%、点線は50%）"),
            "as_of": format_date(date),
        }
    )
    return Built(
        template="reports/policy_draft.html",
        context=document_context(
            document_title=meeting.title,
            meeting=meeting,
            meeting_date=format_date(meeting.date),
            chapters=chapters,
            appendices=appendices,
        ),
    )


POLICY_DRAFT = register_kind(
    ReportKind(
        name="policy_draft",
        label="総会方針案",
        params=(Param("meeting", "総会の回次", "int", required=True, help="例: 64"),),
        clean=_policy_clean,
        build=_policy_build,
    )
)


# --- 集約一覧表 (tally_table) -----------------------------------------------------------


def _petition(slug, user):
    from petitions.selectors import drive_for

    petition = drive_for(identifier=slug, user=None if _system_user(user) else user)
    if petition is None:
        raise ValidationError(f"署名「{slug}」はありません（または見る権限がありません）。")
    return petition


def tally_chart(table):
    rows = [r for r in table.rows if r.level in ("prefecture", "council") and r.goal]
    bars = [charts.Bar(r.label, r.percent or 0, f"{r.percent or 0:.1f}%（{r.to_date:,} / {r.goal:,}）") for r in rows]
    if not bars:
        return ""
    top = max(100.0, *(b.value for b in bars))
    return charts.bar_chart(bars, maximum=round(top + 4.9, -1), target=100, title="目標に対する達成率（%、点線は100%）")


def tally_context(table):
    return {
        "table": table,
        "chart": tally_chart(table),
        "as_of": format_date(table.as_of),
        "round_name": str(table.round) if table.round else "",
    }


def _tally_clean(*, params, user):
    from petitions.selectors import may_view_prefecture

    check_param_names(TALLY_TABLE, params)
    petition = _petition(params["petition"], user)
    date = clean_date(params["date"], label="基準日")
    if date < petition.starts_on:
        raise ValidationError(
            f"基準日 {format_date(date)} は{petition}の開始日（{format_date(petition.starts_on)}）より前です。"
        )
    if date > timezone.localdate():
        raise ValidationError(f"基準日 {format_date(date)} はまだ来ていません。")
    fmt = (params.get("format") or "pdf").lower()
    if fmt not in TALLY_TABLE.formats:
        raise ValidationError(f"形式は {'・'.join(TALLY_TABLE.formats)} のどちらかです。")
    cleaned = {"petition": petition.slug, "date": date.isoformat(), "format": fmt}
    where = ""
    council = petition.organiser
    if params.get("prefecture"):
        prefecture = visible_prefecture(params["prefecture"], user=None)
        if user is not None and not may_view_prefecture(user=user, prefecture=prefecture):
            raise ValidationError(f"{prefecture.name}の集約一覧表を見る権限がありません。")
        cleaned["prefecture"] = prefecture.code
        where = f" {prefecture.name}"
        council = council_of_prefecture(prefecture)
    title = f"{petition.short_name or petition.title} 集約一覧表{where} {format_date(date)}現在"
    return Request(params=cleaned, council=council, title=title, format=fmt)


def _tally_table(params):
    from petitions.models import PetitionDrive
    from petitions.selectors import tally_table

    petition = PetitionDrive.objects.get(slug=params["petition"])
    prefecture = Prefecture.objects.get(code=params["prefecture"]) if params.get("prefecture") else None
    return tally_table(petition=petition, as_of=parse_date(params["date"]), prefecture=prefecture)


def _tally_build(*, params, user, progress):
    table = _tally_table(params)
    progress(30, "集約一覧表を集計中")
    if params.get("format") == "xlsx":
        from petitions.resources import tally_xlsx

        return Built(content=tally_xlsx(table))
    return Built(
        template="reports/tally_table.html",
        context=document_context(document_title=table.title, t=tally_context(table)),
    )


TALLY_TABLE = register_kind(
    ReportKind(
        name="tally_table",
        label="集約一覧表",
        params=(
            Param("petition", "署名の識別名", "petition", required=True, help="例: 25jo"),
            Param("date", "基準日", "date", required=True, help="例: 2020-08-31"),
            Param("prefecture", "都道府県", "prefecture", help="コードか名前。省略すると全国（ブロック小計つき）"),
            Param("format", "形式", "str", help="pdf（既定）または xlsx"),
        ),
        clean=_tally_clean,
        build=_tally_build,
        formats=("pdf", "xlsx"),
    )
)


def _meeting_tally_appendix(*, meeting, user):
    from petitions.selectors import tally_table

    petitions = list(meeting.petitions.order_by("starts_on", "title"))
    if not petitions:
        return None
    tables = [tally_context(tally_table(petition=p, as_of=meeting.figures_date)) for p in petitions]
    return {"title": "集約一覧表", "template": "reports/appendix_tally.html", "tables": tables}


register_policy_appendix("tally", _meeting_tally_appendix)

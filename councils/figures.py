"""Figures of the federation for documents: the census of councils and the coverage of municipalities.

Imported by CouncilsConfig.ready(): the figures go into the registry in shaho.core.figures.
"""

from django.core.exceptions import ValidationError

from shaho.core.figures import number, percent, register, register_argument_type, signed

from .models import CouncilKind
from .selectors import CENSUS_KINDS, council_census, municipality_coverage, visible_prefecture


def _prefecture(value, ctx):
    # Only the prefectures the requester may name (all of them for a system run): the same lookup,
    # and the same message for "there is none" and "not yours", as a report's parameter.
    try:
        return visible_prefecture(value, user=ctx.user)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None


register_argument_type("prefecture", _prefecture)


def _census(ctx, date):
    return ctx.cached(("census", date), lambda: council_census(date=date))


def _coverage(ctx, date, prefecture):
    rows, national = ctx.cached(("coverage", date), lambda: municipality_coverage(date=date))
    if prefecture is None:
        return national
    for row in rows:
        if row.prefecture_code == prefecture.code:
            return row
    raise ValueError(f"{prefecture.name}の市区町村が登録されていません。")


@register("census.total", label="社保協の総数（都道府県・地域・準備会・友好組織）", params={"date": "date"})
def census_total(ctx, *, date):
    return number(_census(ctx, date).total)


@register("census.change", label="社保協の総数の前年比（+1 など）", params={"date": "date"})
def census_change(ctx, *, date):
    return signed(_census(ctx, date).change)


@register("census.previous_total", label="1年前の社保協の総数", params={"date": "date"})
def census_previous_total(ctx, *, date):
    return number(_census(ctx, date).previous_total)


@register(
    "census.line", label="社保協数の一文（都道府県社保協 47、…、計 466（前年 465、+1））", params={"date": "date"}
)
def census_line(ctx, *, date):
    # Set as Japanese text: no Western spaces between a name and its figure (都道府県社保協47).
    census = _census(ctx, date)
    parts = "、".join(f"{CouncilKind(k).label}{number(census.counts[k])}" for k in CENSUS_KINDS)
    return f"{parts}、計{number(census.total)}（前年{number(census.previous_total)}、{signed(census.change)}）"


def _register_kind(kind):
    @register(f"census.{kind.value}", label=f"{kind.label}の数", params={"date": "date"})
    def count(ctx, *, date):
        return number(_census(ctx, date).counts[kind])

    @register(f"census.{kind.value}_change", label=f"{kind.label}の数の前年比", params={"date": "date"})
    def change(ctx, *, date):
        return signed(_census(ctx, date).change_of(kind))


for _kind in (CouncilKind.PREFECTURAL, CouncilKind.LOCAL, CouncilKind.PREPARATORY, CouncilKind.FRIENDLY):
    _register_kind(_kind)

COVERAGE_PARAMS = {"date": "date", "prefecture": "prefecture"}


@register("coverage.covered", label="地域社保協のある市区町村の数（全国または prefecture=14）", params=COVERAGE_PARAMS)
def coverage_covered(ctx, *, date, prefecture=None):
    return number(_coverage(ctx, date, prefecture).covered)


@register("coverage.total", label="市区町村の数（全国または prefecture=14）", params=COVERAGE_PARAMS)
def coverage_total(ctx, *, date, prefecture=None):
    return number(_coverage(ctx, date, prefecture).total)


@register("coverage.percent", label="地域社保協のある市区町村の割合（%）", params=COVERAGE_PARAMS)
def coverage_percent(ctx, *, date, prefecture=None):
    return percent(_coverage(ctx, date, prefecture).percent)

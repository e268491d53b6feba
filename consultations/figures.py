"""Figures of the consultations for documents: the latest national call-in day on or before the date.

`{{ consultation.prefectures }}県で相談件数は{{ consultation.calls }}件` prints the 2020 policy draft's
「24県で相談件数は252件」 from the 2019 day. Every figure comes from `selectors.day_totals` (counts of
statistical fields), the same as the totals page and the 電話相談 集計 report.
Imported by ConsultationsConfig.ready(): the figures go into the registry in shaho.core.figures.
"""

from shaho.core.figures import number, register, signed

from .selectors import national_day_figures

PARAMS = {"date": "date"}


def _totals(ctx, date):
    totals = ctx.cached(("consultation_day", date), lambda: national_day_figures(date=date))
    if totals is None:
        raise ValueError(f"{date:%Y年%m月%d日}までに全国の電話相談日がありません。")
    return totals


@register("consultation.date", label="直近の全国電話相談日", params=PARAMS)
def day_date(ctx, *, date):
    day = _totals(ctx, date).day.date
    return f"{day.year}年{day.month}月{day.day}日"


@register("consultation.prefectures", label="電話相談に参加した都道府県の数", params=PARAMS)
def prefectures(ctx, *, date):
    return number(_totals(ctx, date).prefectures)


@register("consultation.stations", label="電話相談の会場（局）の数", params=PARAMS)
def stations(ctx, *, date):
    return number(len(_totals(ctx, date).stations))


@register("consultation.calls", label="電話相談の相談件数（全国）", params=PARAMS, example="{{ consultation.calls }}")
def calls(ctx, *, date):
    return number(_totals(ctx, date).total.count)


@register("consultation.calls_per_station", label="電話相談の1会場あたりの相談件数", params=PARAMS)
def per_station(ctx, *, date):
    totals = _totals(ctx, date)
    return f"{totals.total.count / len(totals.stations):.1f}" if totals.stations else "0"


@register("consultation.calls_change", label="電話相談の相談件数の前年比（増減）", params=PARAMS)
def calls_change(ctx, *, date):
    totals = _totals(ctx, date)
    if totals.total.last_year is None:
        raise ValueError(f"{totals.day}の前年の電話相談日が登録されていません。")
    return signed(totals.total.change)


@register("consultation.calls_last_year", label="前年の電話相談の相談件数", params=PARAMS)
def calls_last_year(ctx, *, date):
    totals = _totals(ctx, date)
    if totals.total.last_year is None:
        raise ValueError(f"{totals.day}の前年の電話相談日が登録されていません。")
    return number(totals.total.last_year)


@register("consultation.long_share", label="30分以上の相談の割合（%）", params=PARAMS)
def long_share(ctx, *, date):
    return f"{_totals(ctx, date).long_share:.1f}"

"""Figures of the caravans for documents: per prefecture and year, and any indicator's count.

`{{ caravan.visited prefecture=11 year=2019 }}` → 63; `{{ caravan.indicator_count prefecture=14 year=2023
indicator=kodomo_outpatient at_least=18 }}` → 「33市町村中29」. Imported by MunicipalitiesConfig.ready().
"""

from shaho.core.figures import number, register

from .selectors import caravan_figures, caravan_of, indicator_count

PARAMS = {"prefecture": "prefecture", "year": "int"}


def _figures(ctx, prefecture, year):
    if prefecture is None or year is None:
        raise ValueError("prefecture=都道府県コード と year=年度 を指定してください（例: prefecture=11 year=2019）。")

    def compute():
        caravan = caravan_of(prefecture=prefecture, year=year, user=ctx.user)
        if caravan is None:
            raise ValueError(f"{prefecture.name}の{year}年度のキャラバンは登録されていません。")
        return caravan_figures(caravan=caravan)

    return ctx.cached(("caravan", prefecture.code, year), compute)


def _figure(name, label, attribute):
    @register(
        f"caravan.{name}", label=label, params=PARAMS, example=f"{{{{ caravan.{name} prefecture=11 year=2019 }}}}"
    )
    def figure(ctx, *, prefecture=None, year=None):
        return number(getattr(_figures(ctx, prefecture, year), attribute))

    return figure


_figure("targets", "キャラバンの対象市町村数", "targets")
_figure("answered", "キャラバンのアンケートに回答した市町村数", "answered")
_figure("visited", "キャラバンで懇談した市町村数", "visited")
_figure("visited_wards", "キャラバンで懇談した行政区の数", "visited_wards")
_figure("courses", "キャラバンのコース数", "courses")
_figure("organisations", "キャラバンの参加団体数（延べ）", "organisations")
_figure("participants", "キャラバンの参加者数（延べ）", "participants")
_figure("officials", "キャラバンの行政側参加者数（延べ）", "officials")


@register(
    "caravan.indicator_count",
    label="指標にあてはまる市町村の数（「33市町村中29」）",
    params={"prefecture": "prefecture", "year": "int", "indicator": "str", "at_least": "int"},
    example="{{ caravan.indicator_count prefecture=14 year=2023 indicator=shikaku_all }}",
)
def indicator_count_text(ctx, *, prefecture=None, year=None, indicator=None, at_least=None):
    if year is None or not indicator:
        raise ValueError("year=年度 と indicator=指標の識別名 を指定してください。")
    return indicator_count(key=indicator, year=year, prefecture=prefecture, at_least=at_least, user=ctx.user).text()

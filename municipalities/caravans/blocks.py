"""Blocks of the caravans for chapters: a prefecture's talks of a period, item by item, and the caravans of a
year per prefecture.

    {{ caravan.talks prefecture=14 start=2023-11-01 end=2023-12-31 }}
    {{ caravan.by_prefecture year=2019 }}

Rows come from `selectors` within `ctx.user`'s scope (None: a system run, everything); a talk's internal
note never prints. Imported by MunicipalitiesConfig.ready() into shaho.core.blocks.
"""

import unicodedata

from shaho.core.blocks import Block, register, table
from shaho.core.figures import register_argument_type
from shaho.core.japanese import format_date, format_time
from shaho.core.vocabulary import Evaluation

from .selectors import caravan_totals_by_prefecture, prefecture_talks


def period(start, end, *, example):
    """Check a block's period: both ends given, in order. Raises ValueError in Japanese (the block names itself)."""
    if start is None or end is None:
        raise ValueError(f"start=開始日 と end=終了日 を指定してください（例: {example}）。")
    if end < start:
        raise ValueError(f"end（{format_date(end)}）が start（{format_date(start)}）より前です。")
    return start, end


def _fiscal_year(value, ctx):
    """A fiscal year as written in a block: 2019, ２０１９ or 2019年度."""
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("年度")
    if not (text.isdigit() and 1990 <= int(text) <= 2100):
        raise ValueError(f"年度「{value}」は 2019 のように西暦で指定してください。")
    return int(text)


register_argument_type("fiscal_year", _fiscal_year)


def _people(rows):
    """「茅ヶ崎社保協5人、神奈川県社保協1人」 from (name, count) pairs."""
    return "、".join(f"{name}{count:,}人" for name, count in rows if name)


def _official(row):
    return f"{row.department}{f'（{row.title}）' if row.title else ''}"


def talk_rows(talks):
    """Each talk as the block prints it: plain strings and its items (the template only lays them out)."""
    out = []
    for talk in talks:
        ours = _people((p.organisation_name, p.count) for p in talk.participations.all())
        officials = _people((_official(o), o.count) for o in talk.official_rows.all())
        tally = "、".join(
            f"{label}{getattr(talk, f'n_{value}')}"
            for value, label in Evaluation.choices
            if getattr(talk, f"n_{value}", 0)
        )
        out.append(
            {
                "name": talk.target.name,
                "when": f"{format_date(talk.held_at)} {format_time(talk.held_at)}",
                "place": talk.place,
                # 0 with no rows is "not recorded" (the model's default), not "nobody came": left out.
                "ours": f"{talk.our_participants:,}人" + (f"（{ours}）" if ours else "")
                if talk.our_participants or ours
                else "",
                "officials": f"{talk.officials:,}人" + (f"（{officials}）" if officials else "")
                if talk.officials or officials
                else "",
                "summary": talk.summary,
                "tally": tally,
                "items": [
                    {
                        "number": item.number,
                        "demand": item.demand,
                        "answer": item.answer,
                        "evaluation": item.get_evaluation_display(),
                        "follow_up": item.follow_up
                        + (f"（{format_date(item.follow_up_due)}まで）" if item.follow_up_due else ""),
                    }
                    for item in talk.items.all()
                ],
            }
        )
    return out


@register(
    "caravan.talks",
    label="都道府県の自治体懇談（期間・参加者・要望と回答・評価）",
    params={"prefecture": "prefecture", "start": "date", "end": "date"},
    example="{{ caravan.talks prefecture=14 start=2023-11-01 end=2023-12-31 }}",
)
def talks(ctx, *, prefecture=None, start=None, end=None):
    example = "prefecture=14 start=2023-11-01 end=2023-12-31"
    if prefecture is None:
        raise ValueError(f"prefecture=都道府県 を指定してください（例: {example}）。")
    start, end = period(start, end, example=example)
    rows = talk_rows(prefecture_talks(prefecture=prefecture, start=start, end=end, user=ctx.user))
    span = f"{format_date(start)}〜{format_date(end)}"
    return Block(
        template="municipalities/blocks/caravan_talks.html",
        context={"rows": rows, "span": span, "prefecture": prefecture},
        empty=not rows,
    )


@register(
    "caravan.by_prefecture",
    label="都道府県ごとのキャラバン（対象・回答・懇談・参加者）",
    params={"year": "fiscal_year"},
    example="{{ caravan.by_prefecture year=2019 }}",
)
def by_prefecture(ctx, *, year=None):
    if year is None:
        raise ValueError("year=年度 を指定してください（例: year=2019）。")
    rows = caravan_totals_by_prefecture(fiscal_year=year, user=ctx.user)
    columns = ["都道府県", "対象市町村", "アンケート回答", "懇談", "参加者（延べ）"]
    body = [(r.name, r.targets, r.answered, r.visited, r.participants) for r in rows]
    total = None
    if len(rows) > 1:
        total = (
            f"計（{len(rows)}都道府県）",
            sum(r.targets for r in rows),
            sum(r.answered for r in rows),
            sum(r.visited for r in rows),
            sum(r.participants for r in rows),
        )
    return table(
        columns=columns,
        rows=body,
        caption=f"{year}年度の自治体キャラバン（都道府県ごと）",
        total=total,
        empty_text=f"{year}年度の自治体キャラバンの記録はありません。",
    )

"""Exports of actions with their participation: xlsx (two sheets) and CSV, every cell formula-neutralised."""

from shaho.core import exports
from shaho.core.japanese import format_time

from . import selectors

ACTION_HEADERS = [
    "番号", "日付", "開始", "終了", "種類", "名称", "場所", "主催", "状態", "会場参加", "オンライン視聴（か所）",
    "オンライン参加", "団体数", "参加者数", "報告の団体数", "報告の参加者数", "食い違い", "参加団体", "配布物",
    "署名", "シール投票",
]  # fmt: skip
PARTICIPATION_HEADERS = ["行動番号", "日付", "行動", "団体", "人数", "備考"]


def _action_row(r):
    a = r.action
    polls = "；".join(
        f"{p.question} {p.stated_total if p.stated_total is not None else ''}（"
        + "、".join(f"{o.label}{o.count}" for o in p.options.all())
        + "）"
        for p in r.polls
    )
    return [
        a.pk, a.starts_on, format_time(a.start_time), format_time(a.end_time), a.kind.name, a.title, a.place,
        a.organiser.name, a.get_status_display(), a.onsite_count, a.online_points, a.online_count,
        r.organisations if r.participations else None, r.participants if r.participations else None,
        a.stated_organisations, a.stated_participants, r.disagreement,
        "、".join(f"{p.label}{p.count}{'（' + p.note + '）' if p.note else ''}" for p in r.participations),
        "、".join(str(o) for o in r.outputs),
        "、".join(f"{petition.short_name or petition.title}{n}" for petition, n in r.signatures),
        polls,
    ]  # fmt: skip


def _tables(actions, chunk=500):
    """(action rows, participation rows), reading the actions in chunks: a constant number of queries per chunk."""
    pks = list(actions.values_list("pk", flat=True))
    action_rows, participation_rows = [ACTION_HEADERS], [PARTICIPATION_HEADERS]
    from .models import Action

    for i in range(0, len(pks), chunk):
        queryset = Action.objects.filter(pk__in=pks[i : i + chunk]).order_by("starts_on", "start_time", "pk")
        for r in selectors.action_reports(queryset):
            action_rows.append(_action_row(r))
            participation_rows += [
                [r.action.pk, r.action.starts_on, r.action.title, p.label, p.count, p.note] for p in r.participations
            ]
    return action_rows, participation_rows


def actions_xlsx(actions):
    action_rows, participation_rows = _tables(actions)
    return exports.xlsx_bytes(
        [
            ("行動", action_rows, {"B": 12, "E": 12, "F": 36, "G": 24, "H": 24, "R": 60}),
            ("参加団体", participation_rows, {"B": 12, "C": 36, "D": 24}),
        ]
    )


def actions_csv(actions, *, encoding="utf-8"):
    action_rows, _participation = _tables(actions)
    return exports.csv_bytes(action_rows, encoding=encoding)

"""The xlsx of a day's totals: counts only, never free text (the selector reads statistical fields only).

Every cell goes through shaho.core.exports (xlsx_bytes → safe_cell).
"""

from shaho.core.exports import xlsx_bytes


def _pair(figure):
    return [figure.count, figure.last_year if figure.last_year is not None else ""]


def totals_sheets(totals):
    head = ["", "件数", "昨年"]
    day = totals.day
    stations = [["会場", "件数", "昨年", "回線", "相談員"]]
    stations += [[row.label, *_pair(row), row.line_count, row.responders] for row in totals.stations]
    stations.append(["合計", *_pair(totals.total), totals.lines, totals.responders])

    def table(title, figures):
        return [[title, "件数", "昨年"], *[[str(f.label), *_pair(f)] for f in figures]]

    summary = [
        head,
        ["相談日", str(day), ""],
        ["参加都道府県", totals.prefectures, totals.prefectures_last_year if totals.previous else ""],
        ["相談件数", *_pair(totals.total)],
        ["30分以上の相談", *_pair(totals.long_calls)],
        ["30分以上の割合（%）", totals.long_share, totals.long_share_last_year or ""],
        ["要フォロー", *_pair(totals.follow_up)],
    ]
    return [
        ("集計", summary, {"A": 24, "B": 12, "C": 12}),
        ("会場別", stations, {"A": 36}),
        ("分類別", table("分類", totals.categories), {"A": 30}),
        ("相談者別", table("相談者", totals.caller_types), {"A": 20}),
        ("要介護度別", table("要介護度", totals.care_levels), {"A": 16}),
        ("相談時間", table("相談時間", totals.durations), {"A": 16}),
    ]


def totals_xlsx(totals):
    return xlsx_bytes(totals_sheets(totals))


def totals_filename(day):
    return f"電話相談集計_{day.date:%Y%m%d}.xlsx", f"consultations_{day.date.isoformat()}.xlsx"

"""Exports of the 集約一覧表 through tablib (django-import-export's engine): xlsx and CSV.

The table's rows are computed, not model rows, so a tablib Dataset is built
from `selectors.tally_table` directly; the page, these files and the
`tally_table` command share the headers and the values. Every cell goes through
`shaho.core.exports.safe_cell`: a council name or note that looks like a formula is
written as text, numbers stay numbers.
"""

import tablib

from shaho.core.exports import encode_csv, safe_row


def tally_dataset(table):
    dataset = tablib.Dataset(headers=safe_row(table.headers), title="集約一覧表")
    for values in table.values():
        dataset.append(safe_row(values))
    return dataset


def tally_xlsx(table):
    """The table as xlsx bytes: numbers stay numbers."""
    return tally_dataset(table).export("xlsx")


def tally_csv(table, *, encoding="utf-8"):
    """The table as CSV bytes: UTF-8 with BOM by default, or CP932 for older Excel."""
    # A name with a character CP932 lacks must not break the download: it shows as "?".
    return encode_csv(tally_dataset(table).export("csv"), encoding)


def export_filename(table, extension):
    """(集約一覧表_<署名>_<都道府県>_<基準日>.<ext>, its ASCII fallback tally_<slug>_<code>_<date>.<ext>)."""
    parts = ["集約一覧表", table.petition.short_name or table.petition.slug]
    fallback = ["tally", table.petition.slug]
    if table.prefecture is not None:
        parts.append(table.prefecture.name)
        fallback.append(table.prefecture.code)
    parts.append(f"{table.as_of:%Y%m%d}")
    fallback.append(table.as_of.isoformat())
    name = "_".join(parts).replace("/", "／").replace("\\", "＼")
    return f"{name}.{extension}", "_".join(fallback) + "." + extension

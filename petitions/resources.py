"""Exports of the 集約一覧表 through tablib (django-import-export's engine): xlsx and CSV.

The table's rows are computed, not model rows, so a tablib Dataset is built
from `selectors.tally_table` directly; the page, these files and the
`tally_table` command share the headers and the values.
"""

import tablib

CSV_ENCODINGS = {"utf-8": "utf-8-sig", "cp932": "cp932"}  # UTF-8 with a BOM so Excel reads it


def tally_dataset(table):
    dataset = tablib.Dataset(headers=table.headers, title="集約一覧表")
    for values in table.values():
        dataset.append(values)
    return dataset


def tally_xlsx(table):
    """The table as xlsx bytes: numbers stay numbers."""
    return tally_dataset(table).export("xlsx")


def tally_csv(table, *, encoding="utf-8"):
    """The table as CSV bytes: UTF-8 with BOM by default, or CP932 for older Excel."""
    if encoding not in CSV_ENCODINGS:
        raise ValueError(f"encoding must be one of {sorted(CSV_ENCODINGS)}")
    text = tally_dataset(table).export("csv")
    # A name with a character CP932 lacks must not break the download: it shows as "?".
    return text.encode(CSV_ENCODINGS[encoding], errors="replace" if encoding == "cp932" else "strict")


def export_filename(table, extension):
    parts = [table.petition.slug, table.as_of.isoformat()]
    if table.prefecture is not None:
        parts.insert(1, table.prefecture.code)
    return "tally_" + "_".join(parts) + "." + extension

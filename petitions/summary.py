"""The tally summary (TallyDaily, TallyNationalDaily, TallyCouncilTotal) against the ledger: compare, and recompute.

The tables are kept by database triggers (migration 0010) in the transaction that writes the entries;
this module is for the operator (`manage.py tally_summary --check / --rebuild`) and the tests: it says
whether the summary equals the ledger's GROUP BY, row by row, and can recompute it from the ledger.
Both sides are summed by the database; a difference is one row of either side that the other lacks.
"""

from dataclasses import dataclass

from django.db import connection, transaction

LEDGER = "petitions_tallyentry"

# Each summary beside the same GROUP BY of the ledger, with the same columns in the same order.
SHAPES = {
    "petitions_tallydaily": (
        "petition_id, kind, collected_on, prefecture_key, total, entries",
        f"""SELECT t.petition_id, t.kind, t.collected_on, COALESCE(c.prefecture_id, 0), SUM(t.count), COUNT(*)
            FROM {LEDGER} t JOIN councils_council c ON c.id = t.council_id
            GROUP BY t.petition_id, t.kind, t.collected_on, COALESCE(c.prefecture_id, 0)""",
    ),
    "petitions_tallynationaldaily": (
        "petition_id, kind, collected_on, total, entries",
        f"""SELECT petition_id, kind, collected_on, SUM(count), COUNT(*) FROM {LEDGER}
            GROUP BY petition_id, kind, collected_on""",
    ),
    "petitions_tallycounciltotal": (
        "petition_id, council_id, kind, total, entries",
        f"""SELECT petition_id, council_id, kind, SUM(count), COUNT(*) FROM {LEDGER}
            GROUP BY petition_id, council_id, kind""",
    ),
}


@dataclass(frozen=True)
class Difference:
    table: str  # the summary table
    side: str  # "ledger": the ledger has this row and the summary does not (as is); "summary": the reverse
    row: tuple


def _lock_ledger(cursor):
    # Writers wait until the end of the transaction; readers go on. SQLite has one writer at a time anyway.
    if connection.vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {LEDGER} IN SHARE MODE")


def tally_summary_differences():
    """[Difference] between each summary table and the ledger's GROUP BY; [] when they are equal.

    Reads a consistent picture (the ledger locked against writers for the comparison). Two queries a table.
    """
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_ledger(cursor)
        for table, (columns, ledger) in SHAPES.items():
            summary = f"SELECT {columns} FROM {table}"
            for side, (a, b) in (("ledger", (ledger, summary)), ("summary", (summary, ledger))):
                cursor.execute(f"SELECT * FROM ({a} EXCEPT {b}) AS d ORDER BY 1, 2, 3, 4")
                found += [Difference(table, side, tuple(row)) for row in cursor.fetchall()]
    return found


def tally_summary_rebuild():
    """Recompute the summary tables from the ledger, in one transaction (writers wait meanwhile).

    Returns {table: rows written}.
    """
    written = {}
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_ledger(cursor)
        for table, (columns, ledger) in SHAPES.items():
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(f"INSERT INTO {table} ({columns}) {ledger}")
            written[table] = cursor.rowcount
    return written

# The summary tables (0009: per day and prefecture, per day for all Japan, per council) kept by the database itself: triggers on the ledger add every inserted
# entry to its day's and its council's row, and take away every deleted one, in the statement that
# writes the entries. So every writer is covered (the services, the importer's COPY, bulk_create, the
# benches' loaders, SQL by hand) and a page never reads a sum that is behind the ledger.
#
# PostgreSQL: statement-level triggers with transition tables; each statement's entries are summed
# first and upserted in key order (INSERT … ON CONFLICT … DO UPDATE SET total = total + EXCLUDED.total),
# so a COPY of 100,000 entries costs two upserts, and two writers of the same day and council both
# count (the second waits for the first's row and adds to it) and lock rows in one order (no deadlock
# between two single-statement writers). SQLite (tests, development): row-level triggers with the same
# upsert. A council moved to another prefecture takes its days along (a trigger on the councils).
# Then the existing ledger is summed into the tables (the backfill), the ledger locked meanwhile.

from django.db import migrations

DAILY = "petitions_tallydaily"
NATIONAL = "petitions_tallynationaldaily"
COUNCIL = "petitions_tallycounciltotal"
LEDGER = "petitions_tallyentry"

UPSERT_DAILY = f"""ON CONFLICT (petition_id, kind, collected_on, prefecture_key) DO UPDATE
  SET total = {DAILY}.total + EXCLUDED.total, entries = {DAILY}.entries + EXCLUDED.entries"""
UPSERT_NATIONAL = f"""ON CONFLICT (petition_id, kind, collected_on) DO UPDATE
  SET total = {NATIONAL}.total + EXCLUDED.total, entries = {NATIONAL}.entries + EXCLUDED.entries"""
UPSERT_COUNCIL = f"""ON CONFLICT (petition_id, council_id, kind) DO UPDATE
  SET total = {COUNCIL}.total + EXCLUDED.total, entries = {COUNCIL}.entries + EXCLUDED.entries"""

BACKFILL = [
    f"DELETE FROM {DAILY}",
    f"DELETE FROM {COUNCIL}",
    f"DELETE FROM {NATIONAL}",
    f"""INSERT INTO {NATIONAL} (petition_id, kind, collected_on, total, entries)
        SELECT petition_id, kind, collected_on, SUM(count), COUNT(*) FROM {LEDGER}
        GROUP BY petition_id, kind, collected_on""",
    f"""INSERT INTO {DAILY} (petition_id, kind, collected_on, prefecture_key, total, entries)
        SELECT t.petition_id, t.kind, t.collected_on, COALESCE(c.prefecture_id, 0), SUM(t.count), COUNT(*)
        FROM {LEDGER} t JOIN councils_council c ON c.id = t.council_id
        GROUP BY t.petition_id, t.kind, t.collected_on, COALESCE(c.prefecture_id, 0)""",
    f"""INSERT INTO {COUNCIL} (petition_id, council_id, kind, total, entries)
        SELECT petition_id, council_id, kind, SUM(count), COUNT(*) FROM {LEDGER}
        GROUP BY petition_id, council_id, kind""",
]


def _pg_apply(source, *, removes):
    """The body of a PostgreSQL trigger function: `source` yields (petition_id, council_id, kind,
    collected_on, n, e) with n the signed count and e ±1; rows left with no entry are deleted (and so is
    a row that a removal would leave below zero: an entry deleted after its summary row, as a flush of
    every table in any order does)."""
    body = f"""
    INSERT INTO {DAILY} (petition_id, kind, collected_on, prefecture_key, total, entries)
      SELECT s.petition_id, s.kind, s.collected_on, COALESCE(c.prefecture_id, 0), SUM(s.n), SUM(s.e)
      FROM ({source}) s JOIN councils_council c ON c.id = s.council_id
      GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
      {UPSERT_DAILY};
    INSERT INTO {NATIONAL} (petition_id, kind, collected_on, total, entries)
      SELECT s.petition_id, s.kind, s.collected_on, SUM(s.n), SUM(s.e) FROM ({source}) s
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      {UPSERT_NATIONAL};
    INSERT INTO {COUNCIL} (petition_id, council_id, kind, total, entries)
      SELECT s.petition_id, s.council_id, s.kind, SUM(s.n), SUM(s.e) FROM ({source}) s
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      {UPSERT_COUNCIL};"""
    if removes:
        body += f"""
    DELETE FROM {DAILY} WHERE entries <= 0 AND petition_id IN (SELECT petition_id FROM old_rows);
    DELETE FROM {NATIONAL} WHERE entries <= 0 AND petition_id IN (SELECT petition_id FROM old_rows);
    DELETE FROM {COUNCIL} WHERE entries <= 0 AND petition_id IN (SELECT petition_id FROM old_rows);"""
    return body


_ADDED = "SELECT petition_id, council_id, kind, collected_on, count AS n, 1 AS e FROM new_rows"
_TAKEN = "SELECT petition_id, council_id, kind, collected_on, -count AS n, -1 AS e FROM old_rows"

PG_FUNCTIONS = {
    "insert": (_pg_apply(_ADDED, removes=False), "NEW TABLE AS new_rows"),
    "delete": (_pg_apply(_TAKEN, removes=True), "OLD TABLE AS old_rows"),
    "update": (_pg_apply(f"{_ADDED} UNION ALL {_TAKEN}", removes=True), "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
}

PG_FORWARD = []
for op, (body, referencing) in PG_FUNCTIONS.items():
    PG_FORWARD += [
        f"""CREATE OR REPLACE FUNCTION petitions_tally_summary_{op}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {body}
          RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER petitions_tally_summary_{op} AFTER {op.upper()} ON {LEDGER}
        REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION petitions_tally_summary_{op}()""",
    ]
PG_FORWARD += [
    f"""CREATE OR REPLACE FUNCTION petitions_tally_summary_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM {DAILY};
      DELETE FROM {NATIONAL};
      DELETE FROM {COUNCIL};
      RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER petitions_tally_summary_truncate AFTER TRUNCATE ON {LEDGER}
    FOR EACH STATEMENT EXECUTE FUNCTION petitions_tally_summary_truncate()""",
    # A council moved to another prefecture: its days move with it. The ledger is locked against
    # writers first, so an entry being written for the council is either summed here or after.
    f"""CREATE OR REPLACE FUNCTION petitions_tally_council_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      LOCK TABLE {LEDGER} IN SHARE MODE;
      INSERT INTO {DAILY} (petition_id, kind, collected_on, prefecture_key, total, entries)
        SELECT t.petition_id, t.kind, t.collected_on, v.key, v.sign * SUM(t.count), v.sign * COUNT(*)
        FROM {LEDGER} t
        CROSS JOIN (VALUES (COALESCE(OLD.prefecture_id, 0), -1), (COALESCE(NEW.prefecture_id, 0), 1)) AS v(key, sign)
        WHERE t.council_id = NEW.id
        GROUP BY t.petition_id, t.kind, t.collected_on, v.key, v.sign ORDER BY 1, 2, 3, 4
        {UPSERT_DAILY};
      DELETE FROM {DAILY} WHERE entries <= 0 AND prefecture_key = COALESCE(OLD.prefecture_id, 0);
      RETURN NULL;
    END $$""",
    f"""CREATE TRIGGER petitions_tally_council_moved AFTER UPDATE OF prefecture_id ON councils_council
    FOR EACH ROW WHEN (OLD.prefecture_id IS DISTINCT FROM NEW.prefecture_id)
    EXECUTE FUNCTION petitions_tally_council_moved()""",
    f"LOCK TABLE {LEDGER} IN SHARE MODE",
    *BACKFILL,
    # The planner's statistics of the new tables now, not at autovacuum's next visit.
    f"ANALYZE {DAILY}",
    f"ANALYZE {NATIONAL}",
    f"ANALYZE {COUNCIL}",
]
PG_REVERSE = [
    "DROP TRIGGER IF EXISTS petitions_tally_council_moved ON councils_council",
    "DROP FUNCTION IF EXISTS petitions_tally_council_moved()",
    *(f"DROP TRIGGER IF EXISTS petitions_tally_summary_{op} ON {LEDGER}" for op in [*PG_FUNCTIONS, "truncate"]),
    *(f"DROP FUNCTION IF EXISTS petitions_tally_summary_{op}()" for op in [*PG_FUNCTIONS, "truncate"]),
]


def _sqlite_apply(row, sign):
    """Statements adding (sign 1) or taking away (sign -1) the entry `row` (NEW or OLD) in SQLite."""
    prefecture = f"COALESCE((SELECT prefecture_id FROM councils_council WHERE id = {row}.council_id), 0)"
    statements = [
        f"""INSERT INTO {DAILY} (petition_id, kind, collected_on, prefecture_key, total, entries)
          VALUES ({row}.petition_id, {row}.kind, {row}.collected_on, {prefecture}, {sign} * {row}.count, {sign})
          {UPSERT_DAILY};""",
        f"""INSERT INTO {NATIONAL} (petition_id, kind, collected_on, total, entries)
          VALUES ({row}.petition_id, {row}.kind, {row}.collected_on, {sign} * {row}.count, {sign})
          {UPSERT_NATIONAL};""",
        f"""INSERT INTO {COUNCIL} (petition_id, council_id, kind, total, entries)
          VALUES ({row}.petition_id, {row}.council_id, {row}.kind, {sign} * {row}.count, {sign})
          {UPSERT_COUNCIL};""",
    ]
    if sign < 0:
        statements += [
            f"""DELETE FROM {DAILY} WHERE entries <= 0 AND petition_id = {row}.petition_id AND kind = {row}.kind
              AND collected_on = {row}.collected_on AND prefecture_key = {prefecture};""",
            f"""DELETE FROM {NATIONAL} WHERE entries <= 0 AND petition_id = {row}.petition_id AND kind = {row}.kind
              AND collected_on = {row}.collected_on;""",
            f"""DELETE FROM {COUNCIL} WHERE entries <= 0 AND petition_id = {row}.petition_id
              AND council_id = {row}.council_id AND kind = {row}.kind;""",
        ]
    return "\n".join(statements)


SQLITE_FORWARD = [
    f"""CREATE TRIGGER petitions_tally_summary_insert AFTER INSERT ON {LEDGER} BEGIN
    {_sqlite_apply("NEW", 1)}
    END""",
    f"""CREATE TRIGGER petitions_tally_summary_delete AFTER DELETE ON {LEDGER} BEGIN
    {_sqlite_apply("OLD", -1)}
    END""",
    f"""CREATE TRIGGER petitions_tally_summary_update AFTER UPDATE ON {LEDGER} BEGIN
    {_sqlite_apply("OLD", -1)}
    {_sqlite_apply("NEW", 1)}
    END""",
    f"""CREATE TRIGGER petitions_tally_council_moved AFTER UPDATE OF prefecture_id ON councils_council
    WHEN OLD.prefecture_id IS NOT NEW.prefecture_id BEGIN
      INSERT INTO {DAILY} (petition_id, kind, collected_on, prefecture_key, total, entries)
        SELECT t.petition_id, t.kind, t.collected_on, v.key, v.sign * SUM(t.count), v.sign * COUNT(*)
        FROM {LEDGER} t
        CROSS JOIN (SELECT COALESCE(OLD.prefecture_id, 0) AS key, -1 AS sign
                    UNION ALL SELECT COALESCE(NEW.prefecture_id, 0), 1) AS v
        WHERE t.council_id = NEW.id
        GROUP BY t.petition_id, t.kind, t.collected_on, v.key, v.sign
        {UPSERT_DAILY};
      DELETE FROM {DAILY} WHERE entries <= 0 AND prefecture_key = COALESCE(OLD.prefecture_id, 0);
    END""",
    *BACKFILL,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS petitions_tally_council_moved",
    *(f"DROP TRIGGER IF EXISTS petitions_tally_summary_{op}" for op in ("insert", "delete", "update")),
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"The tally summary's triggers are written for PostgreSQL and SQLite, not {vendor}.")
        for sql in statements[vendor]:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0009_tally_summary"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE}),
            elidable=False,
        ),
    ]

# The ledger's search box (admin) matched every entry's typed text with LIKE '%…%': a scan of the
# whole ledger for its count, its rows and its date bar. On PostgreSQL, trigram (pg_trgm) GIN indexes
# on the searched text, on the expression Django's `icontains` compares (UPPER(col::text)), let a word of
# three or more characters find its entries through the index. SQLite (tests, development) has no
# pg_trgm and keeps scanning its small tables; the indexes are not in the models' state for that reason.

from django.db import migrations

INDEXES = {
    "tally_source_trgm": "source",
    "tally_note_trgm": "note",
    "tally_reason_trgm": "correction_reason",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON petitions_tallyentry USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0007_tally_entered_at_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]

"""The ETag's fingerprint of the ledger's endpoints in one cheap query (shaho.core.api.conditional).

`shaho.core.versions.rows_version` counts every row of a table it fingerprints: over the tally ledger's
1,000,000 entries that COUNT took longer than the 集約一覧表 itself (235 ms on the bench's machine). The ledger
is append-only and its summary `TallyCouncilTotal` (entries and total per drive, council and kind) is kept by
triggers in the same transaction as every insert, update or delete of an entry (migration 0010), so:

The 集約一覧表 (`ledger_fingerprint`):

- an entry added anywhere: the ledger's highest id (its primary key index: one lookup);
- an entry deleted, or its count, council, drive or kind changed (by hand: the application never does): the
  summary's entries and total summed over the drive (集約一覧表) or the token's councils (the ledger);
- the other, small tables the answer reads (councils, goals, rounds, organisations, actions…): as
  rows_version reads them whole, their row count, highest id and highest history id.

The ledger's pages (`list_fingerprint`): the listed rows' count, which is the page's own COUNT (the paginator
reuses it), the ledger's highest id, and the small tables as above.

The 集約一覧表's fingerprint may move for a change the reader cannot see (an entry in another prefecture): a full answer
where a 304 would do, never a 304 where the answer changed.
"""

import hashlib

from django.core.exceptions import EmptyResultSet
from django.db import connection

from petitions.models import TallyCouncilTotal, TallyEntry
from shaho.core.scoping import scope_for, sees_everything
from shaho.core.versions import history_meta_of


def _table_part(index, model):
    quote = connection.ops.quote_name
    meta = model._meta
    history_meta = history_meta_of(model)
    edited = "NULL"
    if history_meta is not None:
        edited = f"(SELECT MAX({quote(history_meta.pk.column)}) FROM {quote(history_meta.db_table)})"
    return (
        f"SELECT {index}, CAST(COUNT(*) AS TEXT), CAST(MAX({quote(meta.pk.column)}) AS TEXT),"
        f" CAST({edited} AS TEXT) FROM {quote(meta.db_table)}",
        [],
    )


def _ledger_part(index, *, petition_id=None, user=None):
    quote = connection.ops.quote_name
    summary, ledger = TallyCouncilTotal._meta, TallyEntry._meta
    where, params = [], []
    if petition_id is not None:
        where.append(f"{quote(summary.get_field('petition').column)} = %s")
        params.append(petition_id)
    if user is not None and not sees_everything(user):
        try:
            sql, scope_params = scope_for(user).values("pk").query.sql_with_params()
        except EmptyResultSet:
            sql, scope_params = "SELECT NULL WHERE 1 = 0", []
        where.append(f"{quote(summary.get_field('council').column)} IN ({sql})")
        params += list(scope_params)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return (
        f"SELECT {index}, CAST((SELECT MAX({quote(ledger.pk.column)}) FROM {quote(ledger.db_table)}) AS TEXT),"
        f" CAST(SUM(entries) AS TEXT), CAST(SUM(total) AS TEXT) FROM {quote(summary.db_table)}{condition}",
        params,
    )


def list_fingerprint(queryset, *, models):
    """One query for a page of the ledger: (fingerprint, the number of rows of `queryset`).

    The listed rows counted (the page's COUNT, which the paginator then reuses: a page costs this query and its
    rows, as the selector's page costs its count and its rows) with the ledger's highest id, and `models` whole.
    The count reads the council index alone; the listed rows' own highest id would read the table (a scan of a
    million rows), so the ledger's highest id stands in for it: any new entry moves the fingerprint.
    """
    quote = connection.ops.quote_name
    ledger = queryset.model._meta
    newest = f"(SELECT MAX({quote(ledger.pk.column)}) FROM {quote(ledger.db_table)})"
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        rows = f"SELECT 0, CAST(COUNT(*) AS TEXT), CAST({newest} AS TEXT), NULL FROM ({sql}) x"
    except EmptyResultSet:
        rows, params = f"SELECT 0, '0', CAST({newest} AS TEXT), NULL", []
    parts = [(rows, list(params))] + [_table_part(i, model) for i, model in enumerate(models, start=1)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql for sql, _ in parts), [p for _, ps in parts for p in ps])
        found = sorted(cursor.fetchall())
    return hashlib.sha256(repr(found).encode()).hexdigest()[:32], int(found[0][1])


def ledger_fingerprint(*, models, petition_id=None, user=None):
    """One query: the ledger (one drive's, or what `user` may see) by its summary, and `models` whole."""
    parts = [_ledger_part(0, petition_id=petition_id, user=user)]
    parts += [_table_part(i, model) for i, model in enumerate(models, start=1)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql for sql, _ in parts), [p for _, params in parts for p in params])
        rows = sorted(cursor.fetchall())
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]

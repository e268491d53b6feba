"""Fingerprints of what a reader can see: one query over several tables, the same for a report's 「データの版」
(`reports.selectors.data_version`) and the API's ETags (`shaho.core.api.conditional`)."""

import functools
import hashlib

from django.core.exceptions import EmptyResultSet
from django.db import connection

from .public import printed_nationwide
from .scoping import restrict, sees_everything


@functools.cache
def history_meta_of(model):
    """The _meta of `model`'s history table (django-simple-history), or None. Cached: the manager's descriptor
    builds a new manager class on every access."""
    history = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, history).model._meta if history else None


def rows_version(models, *, user=None):
    """A fingerprint of the rows of `models` as `user` may see them, in one query.

    Per table: its row count and highest id (an insert or a delete, by any writer: save, bulk_create, the
    importer's COPY, SQL by hand), the highest id of its history table (an edit or a delete through save() or
    delete(), as the forms, the admin and the services make them; an admin inline edit saves its parent too), and
    its latest `updated_at` where it has one (call records). Two requests with the same fingerprint read the
    same data: the second is a double click. The tally ledger is append-only: a correction is a new entry.

    Only the rows `user` may see count (None, national staff: every row), so a fingerprint never moves because a
    neighbour's data changed: a Kanagawa request after a Tokyo edit is still a double click. What any council's
    document may print beyond its scope (`shaho.core.public.printed_nationwide`: the registry, councils' public
    fields, the tally's totals, the public assembly outcomes) and vocabularies without councils count whole.
    """
    quote = connection.ops.quote_name
    whole = user is None or sees_everything(user)
    parts, params = [], []
    for model in models:
        meta = model._meta
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        visible = None if whole else _visible_pks(model, user)
        stamp = "NULL"
        if any(f.name == "updated_at" for f in meta.concrete_fields):
            stamp = f"MAX(t.{quote(meta.get_field('updated_at').column)})"
        history_meta = history_meta_of(model)
        if visible is None:
            parts.append(
                f"SELECT {len(parts)}, COUNT(*), CAST(MAX(t.{pk}) AS TEXT), CAST({stamp} AS TEXT) FROM {table} t"
            )
            if history_meta is not None:
                parts.append(
                    f"SELECT {len(parts)}, 0, CAST(MAX({quote(history_meta.pk.column)}) AS TEXT), CAST(NULL AS TEXT)"
                    f" FROM {quote(history_meta.db_table)}"
                )
            continue
        try:
            sql, where_params = visible.query.sql_with_params()
            where = f" WHERE t.{pk} IN ({sql})"
        except EmptyResultSet:  # the user sees none of its rows
            where, where_params = " WHERE 1 = 0", []
        if history_meta is None:
            parts.append(
                f"SELECT {len(parts)}, COUNT(*), CAST(MAX(t.{pk}) AS TEXT), CAST({stamp} AS TEXT) FROM {table} t{where}"
            )
        else:
            # The visible rows once, each with its history rows (which keep the row's id in the same column): an
            # edit of one of them is a new highest history id, a delete a lower count.
            edited = f"CAST(MAX(h.{quote(history_meta.pk.column)}) AS TEXT)"
            if stamp != "NULL":
                edited = f"{edited} || '|' || CAST({stamp} AS TEXT)"
            parts.append(
                f"SELECT {len(parts)}, COUNT(DISTINCT t.{pk}), CAST(MAX(t.{pk}) AS TEXT), {edited}"
                f" FROM {table} t LEFT JOIN {quote(history_meta.db_table)} h ON h.{pk} = t.{pk}{where}"
            )
        params += where_params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = sorted(cursor.fetchall())  # UNION ALL promises no order (a parallel plan interleaves)
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:32]


def _visible_pks(model, user):
    """A values queryset of the pks of `model` that `user` may see, or None when the whole table counts.

    A many-to-many table follows the row that declares it (an action's co-organisers are the action's).
    """
    meta = model._meta
    owner = meta.auto_created
    if owner:
        if printed_nationwide(owner) or not hasattr(owner, "scope_filter"):
            return None
        link = next(f for f in meta.fields if f.is_relation and f.related_model is owner)
        rows = model.objects.filter(**{f"{link.name}__in": restrict(owner.objects.all(), user).values("pk")})
        return rows.order_by().values("pk")
    if printed_nationwide(model) or not hasattr(model, "scope_filter"):
        return None
    return restrict(model.objects.all(), user).order_by().values("pk")

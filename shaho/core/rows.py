"""Whose row is it: the council a row of the work belongs to, read through its parents, for the services' checks.

An app's services name, per model they write from the staff pages, the field a refusal is put on and
the path from the row to its council: `{Talk: ("target", "target__caravan__council")}`. A change is
judged twice — the row as stored must be in the user's scope (nobody takes over a neighbour's row by
re-pointing it) and the row as it will be (nobody moves their own row to a neighbour).
"""

from django.core.exceptions import PermissionDenied, ValidationError

from .scoping import in_scope


def row_council_id(row, paths):
    """The id of the council `row` will belong to: its parent as chosen, read from the database (None when unset).

    Only the row's own parent link is taken from memory; above it the stored rows count (a parent
    changed in memory but not saved moves nothing). A parent not saved yet (an inline row on the add
    page, a council's stage on the council's add page) is judged by its own parent in turn, when `paths`
    names the parent's model; else the row has no council yet (None).
    """
    _field, path = paths[type(row)]
    name, _, rest = path.partition("__")
    link = row._meta.get_field(name)
    parent_id = getattr(row, link.attname)
    if parent_id is not None:
        if not rest:
            return parent_id
        return link.related_model.objects.filter(pk=parent_id).values_list(rest, flat=True).first()
    parent = link.get_cached_value(row) if link.is_cached(row) else None
    if parent is None or type(parent) not in paths:
        return None
    return row_council_id(parent, paths)


def stored_council_id(row, paths):
    """The id of the council `row` belongs to as stored (None for a new row)."""
    if row.pk is None:
        return None
    return type(row).objects.filter(pk=row.pk).values_list(paths[type(row)][1], flat=True).first()


def row_scope_check(*, user, row, paths, message):
    """Refuse (ValidationError on the parent field) a row whose council, stored or chosen, is outside the scope."""
    field, _path = paths[type(row)]
    stored = stored_council_id(row, paths)
    if stored is not None and not in_scope(user, stored):
        raise ValidationError({field: message})
    if not in_scope(user, row_council_id(row, paths)):
        raise ValidationError({field: message})


def row_full_clean(row, paths, exclude=None):
    """The model's own rules; an inline row whose parent is not saved yet is cleaned without the parent link."""
    if exclude is None:
        field, _path = paths[type(row)]
        link = row._meta.get_field(field)
        unsaved_parent = getattr(row, link.attname) is None and link.is_cached(row) and link.get_cached_value(row)
        exclude = [field] if unsaved_parent else []
    row.full_clean(exclude=exclude or None)


def row_delete_check(*, user, row, paths, message):
    """PermissionDenied unless the row's stored council is in the user's scope."""
    if not in_scope(user, stored_council_id(row, paths)):
        raise PermissionDenied(message)

"""Admin base classes: every staff page goes through the one scoping function.

Rows (`get_queryset`), form choices (`formfield_for_*`), list filters (`get_list_filter`),
the date hierarchy (Django builds it from the changelist's queryset, so from `get_queryset`)
and autocompletes (Django's AutocompleteJsonView asks the *target* model's admin for
`get_queryset` and `get_search_results`, so a ScopedAdmin there restricts it) all pass
through `restrict()`. Every relation to a searchable scoped admin is an autocomplete
(`autocomplete_relations`): a full select would print every council, organisation and
municipality of the country into the page, once per inline row. `check_admin_scoping`
(a system check, and a test) refuses an admin that is not scoped or declares a list filter
whose choices could come from outside the scope.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin import filters as admin_filters
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.core import checks
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.forms import ModelChoiceField
from django.forms.models import construct_instance
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property
from simple_history.admin import SimpleHistoryAdmin

from .forms import add_service_errors
from .roles import is_staff_user
from .scoping import restrict, sees_everything


def scoped_choices(db_field, request, kwargs):
    """Form-field kwargs whose choices are limited to the related rows the user may see."""
    related = db_field.remote_field.model
    if "queryset" not in kwargs and hasattr(related, "scope_filter"):
        kwargs["queryset"] = restrict(related._default_manager.all(), request.user)
    return kwargs


def scoped_related_queryset(related_model, request, *, reachable=None):
    """The rows of `related_model` a list filter or choice may name for this user.

    A model with `scope_filter` is restricted by it; a model without one offers only the
    rows that `reachable` (a values queryset of pks from the user's own, scoped rows) points at.
    """
    queryset = related_model._default_manager.all()
    if hasattr(related_model, "scope_filter"):
        queryset = restrict(queryset, request.user)
        if reachable is not None:
            queryset = queryset.filter(pk__in=reachable)
        return queryset
    if reachable is None:
        return queryset.none()
    return queryset.filter(pk__in=reachable)


class ScopedRelatedFieldListFilter(admin_filters.RelatedFieldListFilter):
    """A related-field filter whose choices are the related rows the user may see."""

    related_only = False

    def field_choices(self, field, request, model_admin):
        reachable = None
        if self.related_only or not hasattr(field.related_model, "scope_filter"):
            reachable = model_admin.get_queryset(request).values(f"{self.field_path}__pk")
        queryset = scoped_related_queryset(field.related_model, request, reachable=reachable)
        limit = field.get_limit_choices_to() if hasattr(field, "get_limit_choices_to") else None
        if limit:
            queryset = queryset.complex_filter(limit)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


class ScopedRelatedOnlyFieldListFilter(ScopedRelatedFieldListFilter):
    """Like Django's RelatedOnlyFieldListFilter: the related rows the user's rows point at, within the scope."""

    related_only = True


class ScopedAllValuesFieldListFilter(admin_filters.AllValuesFieldListFilter):
    """Every value of a field across a relation, read from the user's rows rather than the whole table.

    Django's AllValuesFieldListFilter reads `parent_model._default_manager` for a path through a
    relation (`council__name`), which would list every council's value.
    """

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        queryset = model_admin.get_queryset(request).distinct()
        self.lookup_choices = (
            queryset.order_by(field_path).values_list(field_path, flat=True).distinct().exclude(**{field_path: None})
        )


# Filters that print nothing taken from rows: fixed choices, booleans, date ranges, empty/not empty.
SAFE_FIELD_FILTERS = (
    admin_filters.ChoicesFieldListFilter,
    admin_filters.BooleanFieldListFilter,
    admin_filters.DateFieldListFilter,
    admin_filters.EmptyFieldListFilter,
    ScopedRelatedFieldListFilter,
    ScopedRelatedOnlyFieldListFilter,
    ScopedAllValuesFieldListFilter,
)
# Django's own filters that read related rows, and the scoped class that replaces each.
SCOPED_REPLACEMENTS = {
    admin_filters.RelatedFieldListFilter: ScopedRelatedFieldListFilter,
    admin_filters.RelatedOnlyFieldListFilter: ScopedRelatedOnlyFieldListFilter,
    admin_filters.AllValuesFieldListFilter: ScopedAllValuesFieldListFilter,
}


class ScopedSimpleListFilter(admin.SimpleListFilter):
    """Base for a hand-written filter: its `lookups` must come from `restrict()` (the check accepts only these)."""


def scoped_list_filter(model, item):
    """One `list_filter` entry rewritten so that its choices come from the user's scope.

    A plain field name on a relation becomes a ScopedRelatedFieldListFilter; Django's related and
    all-values filters are swapped for their scoped versions; anything else is returned unchanged
    (and judged by `check_admin_scoping`).
    """
    if isinstance(item, str):
        field = get_fields_from_path(model, item)[-1]
        if field.is_relation:
            return (item, ScopedRelatedFieldListFilter)
        if "__" in item and not field.choices and not isinstance(field, models.BooleanField | models.DateField):
            return (item, ScopedAllValuesFieldListFilter)
        return item
    if isinstance(item, list | tuple):
        path, filter_class = item
        return (path, SCOPED_REPLACEMENTS.get(filter_class, filter_class))
    return item


def _bypasses_scope(model, item):
    """Why a list filter entry could name rows outside the scope, or "" when it cannot."""
    entry = scoped_list_filter(model, item)
    if isinstance(entry, str):
        return ""  # a field of the model itself: fixed choices, or values read from the scoped changelist rows
    if isinstance(entry, tuple):
        path, filter_class = entry
        if filter_class in SAFE_FIELD_FILTERS:
            return ""
        return f"{path}: {filter_class.__name__} is not one of the scoped list filters"
    if isinstance(entry, type) and issubclass(entry, ScopedSimpleListFilter):
        return ""
    return f"{getattr(entry, '__name__', entry)} is not a ScopedSimpleListFilter"


_PERMISSION_METHODS = (
    "has_module_permission",
    "has_view_permission",
    "has_add_permission",
    "has_change_permission",
    "has_delete_permission",
    "get_queryset",
)


def _grants_by_django_permissions(model, model_admin):
    """A third-party model without councils (login records, devices) under Django's own permission checks.

    Nobody but a superuser holds Django model permissions here (access follows the role, groups are
    not used), so such an admin is closed to council staff. A model with `scope_filter` always needs
    ScopedAdmin, and an admin that grants access by its own rule needs NationalOnlyAdmin.
    """
    if hasattr(model, "scope_filter"):
        return False
    return all(getattr(type(model_admin), name) is getattr(admin.ModelAdmin, name) for name in _PERMISSION_METHODS)


def check_admin_scoping(site=None):
    """Errors for every registered admin that is not scoped, or whose list filters bypass the scope."""
    site = site or admin.site
    errors = []
    for model, model_admin in site._registry.items():
        label = model._meta.label
        if not isinstance(model_admin, ScopedAdmin | NationalOnlyAdmin) and not _grants_by_django_permissions(
            model, model_admin
        ):
            errors.append(
                checks.Error(
                    f"{label}: {type(model_admin).__name__} is neither a ScopedAdmin nor a NationalOnlyAdmin",
                    hint="Inherit shaho.core.admin.ScopedAdmin (rows with scope_filter) or NationalOnlyAdmin.",
                    obj=type(model_admin),
                    id="shaho.E002",
                )
            )
            continue
        for item in model_admin.list_filter:
            reason = _bypasses_scope(model, item)
            if reason:
                errors.append(
                    checks.Error(
                        f"{label} list_filter {reason}",
                        hint="Use a field name, a Scoped*ListFilter or a ScopedSimpleListFilter whose lookups "
                        "come from shaho.core.scoping.restrict().",
                        obj=type(model_admin),
                        id="shaho.E001",
                    )
                )
    return errors


@checks.register(checks.Tags.admin)
def _admin_scoping_check(app_configs=None, **kwargs):
    return check_admin_scoping()


class ShownFieldErrorsMixin:
    """A model's `clean()` may name a field this form does not show (an inline's read-only column, a field
    left out of `fields`): Django then raises ValueError ("has no field named …"), a 500. Such an error
    becomes the form's own, prefixed with the field's label, so staff read it on the page."""

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            kept = {}
            for name, messages in errors.error_dict.items():
                if name == NON_FIELD_ERRORS or name in self.fields:
                    kept.setdefault(name, []).extend(messages)
                    continue
                try:
                    label = self._meta.model._meta.get_field(name).verbose_name
                except FieldDoesNotExist:
                    label = name
                for message in ValidationError(messages).messages:
                    kept.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(f"{label}: {message}"))
            errors = ValidationError(kept)
        super()._update_errors(errors)


class UnshownRowErrorsMixin:
    """An inline formset: the errors of posted rows the page will not show (a row of a read-only inline that
    is not one of the object's own, e.g. sent with an add form) are shown above the inline instead of
    leaving staff with "please correct the errors below" and nothing below."""

    def clean(self):
        super().clean()
        shown = len(self.get_queryset()) if self.instance.pk else 0
        hidden = [form for form in self.initial_forms[shown:] if form.errors]
        messages = [
            f"{index + 1}行目: {message}"
            for index, form in enumerate(hidden, start=shown)
            for field_errors in form.errors.values()
            for message in field_errors
        ]
        if messages:
            raise ValidationError(messages)


def with_shown_field_errors(form_class):
    """`form_class` with ShownFieldErrorsMixin in front (once)."""
    if issubclass(form_class, ShownFieldErrorsMixin):
        return form_class
    return type(form_class.__name__, (ShownFieldErrorsMixin, form_class), {"__module__": form_class.__module__})


def autocomplete_relations(model_admin, declared=()):
    """The relations of `model_admin`'s form that are chosen by autocomplete: `declared`, then every other one.

    Every foreign key and many-to-many field whose target is registered with a ScopedAdmin that has
    `search_fields` is an autocomplete (its answers come from that admin's scoped `get_queryset`);
    relations to national-only vocabularies (themes, kinds of action) stay short selects, and
    `raw_id_fields` and `radio_fields` keep their own widgets.
    """
    names = list(declared)
    kept = set(names) | set(model_admin.raw_id_fields) | set(model_admin.radio_fields)
    registry = model_admin.admin_site._registry
    for field in model_admin.model._meta.get_fields():
        if not (field.is_relation and (field.many_to_one or field.many_to_many)) or field.auto_created:
            continue
        if not field.editable or field.name in kept or field.related_model is None:
            continue
        target = registry.get(field.related_model)
        if isinstance(target, ScopedAdmin) and target.search_fields:
            names.append(field.name)
    return names


def every_autocomplete(site=None):
    """(source model, field name) of every autocomplete the admin offers, its inlines' included.

    What the isolation walk and the scoping tests ask `admin:autocomplete` for.
    """
    site = site or admin.site
    found = set()
    for model, model_admin in site._registry.items():
        for name in model_admin.get_autocomplete_fields(None):
            found.add((model, name))
        for inline_class in model_admin.inlines:
            inline = inline_class(model, site)
            for name in inline.get_autocomplete_fields(None):
                found.add((inline.model, name))
    return sorted(found, key=lambda item: (item[0]._meta.label, item[1]))


@functools.cache  # one object per column: Django finds sortable columns by identity in get_list_display
def grouped_number_column(model, name):
    """A list column showing an integer field with thousands separators (74,366), sorted by the field.

    Django's lists print 74366 (USE_THOUSAND_SEPARATOR would also turn years and ids in templates into
    2,023). The column keeps the field's name, label, sorting and CSS class (`field-<name>`).
    """
    field = model._meta.get_field(name)

    def column(obj):
        value = getattr(obj, name)
        return None if value is None else f"{value:,}"

    column.__name__ = name
    column.short_description = field.verbose_name
    column.admin_order_field = name
    return column


def is_count_field(model, name):
    """A list_display name that is an integer field holding a count or an amount (not a year)."""
    if not isinstance(name, str) or "year" in name:
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.IntegerField) and not field.choices and not field.primary_key


class _YearsFromRange:
    """A changelist queryset whose date bar lists the years between its first and last date.

    Django's date bar asks `dates(field, "year")`, a DISTINCT over every row in the list (the whole
    ledger, a million rows); the first and last date are two index lookups, and a year without rows
    in between costs a click that shows an empty list.
    """

    def aggregate(self, *args, **kwargs):
        # The date bar asks for the first and last date, then for the years: one query, not two.
        key = repr((args, sorted(kwargs.items())))
        cache = self.__dict__.setdefault("_aggregates", {})
        if key not in cache:
            cache[key] = super().aggregate(*args, **kwargs)
        return cache[key]

    def dates(self, field_name, kind, order="ASC"):
        if kind != "year":
            return super().dates(field_name, kind, order)
        bounds = self.aggregate(first=models.Min(field_name), last=models.Max(field_name))  # the date bar's own
        if bounds["first"] is None:
            return []
        years = [datetime.date(year, 1, 1) for year in range(bounds["first"].year, bounds["last"].year + 1)]
        return years if order == "ASC" else years[::-1]


class RangeYearsChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if not isinstance(queryset, _YearsFromRange):
            queryset.__class__ = type(f"YearsFromRange{type(queryset).__name__}", (_YearsFromRange, type(queryset)), {})
        return queryset


_TEXTAREA = re.compile(rb"(<textarea\b.*?</textarea>)", re.S | re.I)
_INDENTATION = re.compile(rb"\n\s+")


def collapse_whitespace(response):
    """The page without the indentation of Django's admin templates (a third of a change form).

    A run of whitespace that starts a line becomes one newline, so nothing renders differently
    (HTML collapses it anyway); what a textarea holds is left as typed, and a page with a `<pre>`
    is left as it is.
    """
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return response
    if b"<pre" not in response.content:
        parts = _TEXTAREA.split(response.content)  # odd items are the textareas, kept whole
        response.content = b"".join(
            part if index % 2 else _INDENTATION.sub(b"\n", part) for index, part in enumerate(parts)
        )
    return response


class ScopedAdmin(SimpleHistoryAdmin):
    """Rows, choices, autocomplete results and history limited to the user's councils.

    `national_only = True` keeps a model (reference data, blocks) editable by
    national staff only; council staff may still view it where `scope_filter` allows.
    """

    national_only = False
    # False where rows never change (the append-only ledger): the list is the history, the page answers 404.
    history_page = True
    list_per_page = 50
    show_full_result_count = False
    # True on a table too large for Django's date bar (a DISTINCT over every row): years from its range.
    date_hierarchy_from_range = False

    # --- rows -------------------------------------------------------------
    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **scoped_choices(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **scoped_choices(db_field, request, kwargs))

    def get_form(self, request, obj=None, **kwargs):
        return with_shown_field_errors(super().get_form(request, obj, **kwargs))

    def get_autocomplete_fields(self, request):
        return autocomplete_relations(self, super().get_autocomplete_fields(request))

    def get_changelist(self, request, **kwargs):
        return RangeYearsChangeList if self.date_hierarchy_from_range else super().get_changelist(request, **kwargs)

    def get_list_display(self, request):
        editable = set(self.list_editable)
        return [
            grouped_number_column(self.model, name)
            if is_count_field(self.model, name) and name not in editable
            else name
            for name in super().get_list_display(request)
        ]

    def render_change_form(self, request, context, *args, **kwargs):
        response = super().render_change_form(request, context, *args, **kwargs)
        response.add_post_render_callback(collapse_whitespace)
        return response

    # --- choice lists: filters read related rows through restrict() ------
    def get_list_filter(self, request):
        return [scoped_list_filter(self.model, item) for item in super().get_list_filter(request)]

    # --- permissions: by role, not by hand-assigned model permissions ------
    def has_module_permission(self, request):
        return is_staff_user(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_user(request.user)

    def _may_write(self, request):
        if not is_staff_user(request.user):
            return False
        return sees_everything(request.user) or not self.national_only

    def has_add_permission(self, request):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request)

    # --- history: never fall back to rows outside the scope ---------------
    def _require_in_scope(self, request, object_id):
        pk_name = self.model._meta.pk.attname
        if not self.get_queryset(request).filter(**{pk_name: unquote(object_id)}).exists():
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Out of scope and missing look the same: 404, not Django's redirect with a message.
        self._require_in_scope(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def _has_history_table(self):
        # django-simple-history marks the models it records (HistoricalRecords); others (report jobs) have none.
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    @property
    def object_history_template(self):
        # simple_history's page lists recorded versions; without a history table Django's own lists the admin log.
        return SimpleHistoryAdmin.object_history_template if self._has_history_table() else None

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        if not self.history_page:
            raise Http404
        if not self._has_history_table():
            # No recorded versions: Django's own history page, the admin log of who changed what here.
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        if not self._has_history_table():
            raise Http404  # no versions to show
        return super().history_form_view(request, object_id, version_id, extra_context)


class KeysFirstPaginator(Paginator):
    """Pages of a very large table: the page's keys first, from the filtered and ordered table alone, then its rows.

    With the list's joins (select_related) in the same query, PostgreSQL joined every matching row before
    keeping 50: Tokyo's 29,000 ledger entries at 1,000,000 took 370 ms. The keys' query reads the table
    and its order index only; the 50 rows are then read by key with their joins.
    """

    def _get_page(self, object_list, number, paginator):
        if isinstance(object_list, models.QuerySet):
            keys = list(object_list.values_list("pk", flat=True))
            rows = {row.pk: row for row in self.object_list.filter(pk__in=keys).order_by()}
            object_list = [rows[key] for key in keys if key in rows]
        return super()._get_page(object_list, number, paginator)


SUMMARY_ROWS = 100  # a longer list is a link to its own changelist, never a page of thousands of rows


@dataclass
class RowsSummary:
    """A change page's long related list as a compact read-only table, with links to its own list.

    An inline prints every row as a form (hidden ids, widgets, a change link): a caravan's 74
    targets weighed 300 KB, the national council's 66 local councils 40 KB. Shown as a table of
    text, a row is a few hundred bytes; the rows are changed and added on their own admin pages.
    """

    title: str
    headers: list
    rows: list  # [(url or "", [cell, …])]: the first cell links to the row's own page
    count: int
    list_url: str
    add_url: str = ""
    numeric: tuple = ()  # the indexes of the columns of figures, right-aligned

    @property
    def count_label(self):
        return f"{self.count:,}件"

    @property
    def more(self):
        """「ほか1,234件も」 when the table shows only the first SUMMARY_ROWS."""
        left = self.count - len(self.rows)
        return f"ほか{left:,}件も" if left > 0 else ""


def rows_summary(request, obj, related_name, *, title, headers, cells, order=(), related=(), addable=True):
    """A RowsSummary of `obj`'s related rows (`related_name`), scoped to the user, the first SUMMARY_ROWS of them.

    Each row is `cells(row)` (loaded with `related`, in `order`); the list link is the rows' changelist
    filtered on `obj`, the add link (with `addable`, where the user may add) the add page with `obj` chosen.
    """
    relation = obj._meta.get_field(related_name)
    model, parent = relation.related_model, relation.field.name
    queryset = model._default_manager.filter(**{parent: obj}).select_related(*related)
    queryset = queryset.order_by(*order) if order else queryset
    queryset = restrict(queryset, request.user) if hasattr(model, "scope_filter") else queryset
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    model_admin = admin.site._registry.get(model)
    rows = [
        (reverse(f"{info}_change", args=[row.pk]) if model_admin else "", cells(row)) for row in queryset[:SUMMARY_ROWS]
    ]
    count = len(rows) if len(rows) < SUMMARY_ROWS else queryset.count()
    list_url = add_url = ""
    if model_admin:
        list_url = reverse(f"{info}_changelist") + "?" + urlencode({f"{parent}__id__exact": obj.pk})
        if addable and model_admin.has_add_permission(request):
            add_url = reverse(f"{info}_add") + "?" + urlencode({parent: obj.pk})
    return RowsSummary(title, headers, rows, count, list_url, add_url)


class RowsSummaryMixin:
    """A ModelAdmin whose change page shows `row_summaries(request, obj)` after its inlines."""

    change_form_template = "admin/change_form_with_summaries.html"
    summary_relations = ()  # the related names row_summaries shows (the page-weight test opens the longest)

    def row_summaries(self, request, obj):
        return []

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["row_summaries"] = self.row_summaries(request, obj) if obj is not None and obj.pk else []
        return super().render_change_form(request, context, add, change, form_url, obj)


class RowAutocompleteSelect(AutocompleteSelect):
    """An inline row's autocomplete that prints its chosen row from labels the formset loaded for all its rows.

    Django's widget asks the database for the chosen row's label on every inline row (a query a row);
    `AutocompleteLabelsFormSet` loads them in one query per field, through the same scoped queryset.
    """

    preloaded = None  # {str(value): (value, label)} for every row of the formset

    def _to_field(self):
        opts = self.field.remote_field.model._meta
        return opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.attname)).attname

    def labels_for(self, values):
        to_field = self._to_field()
        queryset = self.choices.queryset.using(self.db).filter(**{f"{to_field}__in": values})
        # A label often names what the row points at (a municipality's prefecture): loaded with it.
        rows = queryset.select_related(*(f.name for f in queryset.model._meta.concrete_fields if f.many_to_one))
        return {
            str(getattr(o, to_field)): (getattr(o, to_field), self.choices.field.label_from_instance(o)) for o in rows
        }

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if self.preloaded is None or not selected <= self.preloaded.keys():
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for key in sorted(selected):
            option_value, label = self.preloaded[key]
            default[1].append(self.create_option(name, option_value, label, selected, len(default[1])))
        return [default]


class AutocompleteLabelsFormSet:
    """Mixed into an inline's formset: the chosen rows' labels of every autocomplete, one query per field."""

    @cached_property
    def forms(self):
        forms = super().forms
        widgets, selects = {}, {}
        for form in forms:
            for name, field in form.fields.items():
                widget = getattr(field.widget, "widget", field.widget)
                if isinstance(widget, RowAutocompleteSelect):
                    widgets.setdefault(name, []).append((form[name].value(), widget))
                elif isinstance(field, ModelChoiceField) and not (
                    widget.is_hidden or isinstance(widget, AutocompleteSelect)
                ):
                    selects.setdefault(name, []).append(widget)
        # A short select (a caravan's courses) is the same in every row: its options read once, not per row.
        for rows in selects.values():
            choices = list(rows[0].choices)
            for widget in rows:
                widget.choices = choices
        for rows in widgets.values():
            values = {str(v) for v, _ in rows if v not in (None, "")}
            labels = rows[0][1].labels_for(values) if values else {}
            for _, widget in rows:
                widget.preloaded = labels
        return forms


class ScopedInline(admin.TabularInline):
    """Inline whose foreign-key choices are scoped like the parent admin's."""

    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = RowAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **scoped_choices(db_field, request, kwargs))

    def get_autocomplete_fields(self, request):
        return autocomplete_relations(self, super().get_autocomplete_fields(request))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = with_shown_field_errors(formset.form)
        return type(formset.__name__, (UnshownRowErrorsMixin, AutocompleteLabelsFormSet, formset), {})

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # No add / change / delete / view icons on every inline row (1.7 KB a row): the chosen row's
        # own page is a click away in its list, and the parent form keeps them.
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return formfield

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        # A row's own label (the inline's first column) names what it points at: loaded with the rows.
        qs = qs.select_related(*(f.name for f in qs.model._meta.concrete_fields if f.many_to_one))
        return restrict(qs, request.user) if hasattr(qs.model, "scope_filter") else qs

    def has_view_permission(self, request, obj=None):
        return is_staff_user(request.user)

    def has_add_permission(self, request, obj=None):
        return is_staff_user(request.user)

    def has_change_permission(self, request, obj=None):
        return is_staff_user(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_staff_user(request.user)


class ReadOnlyAdminMixin:
    """Records nobody adds, changes or deletes from the admin (the ledger, login records): put it first."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NationalOnlyAdmin(admin.ModelAdmin):
    """For rows that hang off no council (third-party models: login records, devices): national staff only."""

    def has_module_permission(self, request):
        return is_staff_user(request.user) and sees_everything(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


# --- writes through the app's services: one convention for every admin that writes domain rows ---------


class RowServices:
    """An app's three write services for one kind of row: `<noun>_check`, `<noun>_save`, `<noun>_delete`.

    Each takes `user=` (the acting account: its scope is checked, the history records it) and the row
    under `<argument>=` (the noun, unless the services name it otherwise). `_check` raises ValidationError
    keyed by field and writes nothing; `_save` checks again and saves in a transaction; `_delete` refuses
    with PermissionDenied.
    """

    def __init__(self, module, noun, argument=None):
        self.module, self.noun, self.argument = module, noun, argument or noun

    def _call(self, verb, user, row):
        return getattr(self.module, f"{self.noun}_{verb}")(user=user, **{self.argument: row})

    def check(self, user, row):
        return self._call("check", user, row)

    def save(self, user, row):
        return self._call("save", user, row)

    def delete(self, user, row):
        return self._call("delete", user, row)


def service_checked_form(form_class, user, services):
    """A ModelForm class that also runs the service's check on its row, so a refusal is a form error, not a 500.

    The check runs once the fields are read (in `clean`, on the row as typed) and before the model's own
    validation, so the service's message — naming the field, in Japanese — is the one shown; when the service
    refuses, the model's validation (which the service's check ran itself) is not repeated.
    """

    class ServiceCheckedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            self._service_refused = False
            if not self.errors:
                row = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
                try:
                    services.check(user, row)
                except ValidationError as exc:
                    add_service_errors(self, exc)
                    self._service_refused = True
            return cleaned

        def _post_clean(self):
            if getattr(self, "_service_refused", False):
                return
            super()._post_clean()

    return ServiceCheckedForm


def save_formset_through_services(user, formset):
    """Save an inline formset's rows through its ServiceInline's services (deleted, then new and changed ones).

    A formset of a plain inline (read-only rows, nothing of the domain) is saved as Django would.
    """
    services = getattr(formset, "row_services", None)
    if services is None:
        formset.save()
        return
    instances = formset.save(commit=False)  # fills new, changed and deleted objects; writes nothing
    for obj in formset.deleted_objects:
        services.delete(user, obj)
    for obj in instances:
        services.save(user, obj)
    formset.save_m2m()


class ServiceWritesMixin:
    """Declare `services` (the app's services module) and `service_noun` (and `service_argument` when the services
    name the row otherwise): see RowServices."""

    services = None
    service_noun = ""
    service_argument = None

    def row_services(self):
        return RowServices(self.services, self.service_noun, self.service_argument)


class ServiceAdminMixin(ServiceWritesMixin):
    """An admin whose every write goes through the app's services (`<noun>_check` / `_save` / `_delete`).

    The form runs the check (a service's refusal shows on the form, nothing written); the row, the
    list's bulk delete and the rows of every ServiceInline are saved and deleted by the services with the
    acting user, which the history records. Many-to-many fields are set by the form after the row is saved.
    """

    def get_form(self, request, obj=None, **kwargs):
        return service_checked_form(super().get_form(request, obj, **kwargs), request.user, self.row_services())

    def save_model(self, request, obj, form, change):
        saved = self.row_services().save(request.user, obj)
        if saved is not None and saved is not obj and saved.pk is not None:
            obj.pk = saved.pk  # a service that saved another instance (an update of an existing row)

    def delete_model(self, request, obj):
        self.row_services().delete(request.user, obj)

    def delete_queryset(self, request, queryset):
        services = self.row_services()
        with transaction.atomic():
            for obj in queryset:
                services.delete(request.user, obj)

    def save_formset(self, request, form, formset, change):
        save_formset_through_services(request.user, formset)


class ServiceAdmin(ServiceAdminMixin, ScopedAdmin):
    """The base of every admin of council rows that writes domain rows: scoped, and writing through the services."""


class ServiceInline(ServiceWritesMixin, ScopedInline):
    """An inline whose rows are checked, saved and deleted by the services, against their parent (saved or not)."""

    def get_formset(self, request, obj=None, **kwargs):
        base = super().get_formset(request, obj, **kwargs)
        services = self.row_services()

        class ServiceFormSet(base):
            form = service_checked_form(base.form, request.user, services)
            row_services = services

            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                # The parent itself (Django sets only its id, None on the add page), so the check reads its council.
                setattr(form.instance, self.fk.name, self.instance)
                return form

        return ServiceFormSet


def check_admin_services(site=None):
    """Errors for every ServiceAdmin or ServiceInline whose services lack `<noun>_check`, `_save` or `_delete`."""
    site = site or admin.site
    errors = []
    for model, model_admin in site._registry.items():
        holders = [model_admin, *(inline(model, site) for inline in getattr(model_admin, "inlines", ()))]
        for holder in holders:
            if not isinstance(holder, ServiceWritesMixin):
                continue
            missing = [
                f"{holder.service_noun}_{verb}"
                for verb in ("check", "save", "delete")
                if not callable(getattr(holder.services, f"{holder.service_noun}_{verb}", None))
            ]
            if missing:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}: {type(holder).__name__} names services that do not exist: "
                        + ", ".join(missing),
                        hint="Declare `services` (the app's services module) and `service_noun`.",
                        obj=type(holder),
                        id="shaho.E003",
                    )
                )
    return errors


@checks.register(checks.Tags.admin)
def _admin_services_check(app_configs=None, **kwargs):
    return check_admin_services()

"""Every admin add page and the heaviest change page of each model: what the page-weight test and bench open.

The heaviest change page of a model is its row with the most inline rows and chosen many-to-many
rows (a caravan with 74 targets, the national council with its 47 prefectural councils): the one a
choice list printed into every row, or a long inline, would make heaviest.
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import NoReverseMatch, reverse


def _heaviest(model_admin):
    model = model_admin.model
    counted = []
    for inline in model_admin.inlines:
        fk = next(
            (f for f in inline.model._meta.get_fields() if f.many_to_one and f.related_model is model and f.concrete),
            None,
        )
        if getattr(inline, "fk_name", None):
            fk = inline.model._meta.get_field(inline.fk_name)
        if fk is not None:
            counted.append(fk.related_query_name())
    counted += [model._meta.get_field(name).name for name in getattr(model_admin, "summary_relations", ())]
    counted += [f.name for f in model._meta.many_to_many if f.editable]
    queryset = model._default_manager.order_by("pk")
    if counted:
        weight = sum((Count(name, distinct=True) for name in counted[1:]), start=Count(counted[0], distinct=True))
        queryset = queryset.annotate(weight=weight).order_by("-weight", "pk")
    return queryset.values_list("pk", flat=True).first()


def admin_pages(site=None):
    """(label, url) of every model's add page and its heaviest row's change page."""
    site = site or admin.site
    pages = []
    for model in sorted(site._registry, key=lambda m: m._meta.label):
        model_admin = site._registry[model]
        name = f"{model._meta.app_label}_{model._meta.model_name}"
        try:
            pages.append((f"{model._meta.model_name} 追加", reverse(f"admin:{name}_add")))
        except NoReverseMatch:
            pass
        pk = _heaviest(model_admin)
        if pk is not None:
            try:
                pages.append((f"{model._meta.model_name} 変更", reverse(f"admin:{name}_change", args=[pk])))
            except NoReverseMatch:
                pass
    return pages

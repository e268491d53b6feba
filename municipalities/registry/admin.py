from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shaho.core.admin import ScopedAdmin

from .models import Block, Municipality, MunicipalityChange, Prefecture


@admin.register(Block)
class BlockAdmin(ScopedAdmin):
    national_only = True
    list_display = ["name", "order", "prefecture_list"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prefectures")

    @admin.display(description=_("都道府県"))
    def prefecture_list(self, obj):
        return "・".join(p.name for p in obj.prefectures.all())


@admin.register(Prefecture)
class PrefectureAdmin(ScopedAdmin):
    national_only = True
    list_display = ["code", "name", "kana", "block"]
    list_select_related = ["block"]
    list_filter = ["block"]
    search_fields = ["code", "name", "kana"]


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdmin):
    national_only = True
    list_display = ["code", "name", "kana", "kind", "county", "prefecture", "parent", "valid_from", "valid_until"]
    list_select_related = ["prefecture", "parent"]
    list_filter = ["prefecture__block", "prefecture", "kind", ("valid_until", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "kana", "county"]
    autocomplete_fields = ["parent", "prefecture"]
    readonly_fields = []


@admin.register(MunicipalityChange)
class MunicipalityChangeAdmin(ScopedAdmin):
    national_only = True
    list_display = ["effective_on", "kind", "description", "source"]
    list_filter = ["kind"]
    search_fields = ["description"]
    autocomplete_fields = ["abolished", "created"]

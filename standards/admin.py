"""The standards in the admin: versions and criteria are written here; a product's answers only on
its scorecard page (``services.record_answers``, with the history), so they are read-only here.
A new version is rolled out by ``services.roll_out_version`` (it creates every product's items)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ProductStandard, Standard, StandardsVersion


class StandardInline(admin.TabularInline):
    model = Standard
    extra = 0
    fields = ["order", "key", "label", "help"]


@admin.register(StandardsVersion)
class StandardsVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "published_on", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["name"]
    inlines = [StandardInline]


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ["label", "key", "version", "order"]
    list_filter = ["version"]
    list_select_related = ["version"]
    search_fields = ["label", "key"]


@admin.register(ProductStandard)
class ProductStandardAdmin(SimpleHistoryAdmin):
    list_display = ["startup", "standard", "status", "review_due", "updated_at"]
    list_filter = ["status", "standard__version", "standard"]
    list_select_related = ["startup", "standard", "standard__version"]
    search_fields = ["startup__name", "standard__label"]
    readonly_fields = [
        "startup",
        "standard",
        "status",
        "evidence_url",
        "done_on",
        "review_due",
        "updated_by",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

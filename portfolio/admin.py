from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incubator.admin_paginator import LargeTableAdmin

from .models import Indicator, Measurement, PhasePeriod, ProductEvent, Startup, TeamMembership


class PhasePeriodInline(admin.TabularInline):
    """Periods are read-only here: phases change through the phase service (product page)."""

    model = PhasePeriod
    extra = 0
    can_delete = False
    fields = ["phase", "start", "end", "is_override", "comment", "decided_by"]
    readonly_fields = fields
    ordering = ["start"]

    def has_add_permission(self, request, obj=None):
        return False


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "name", "email", "role", "start", "end"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["kind", "name", "unit", "target", "allows_negative"]


@admin.register(Startup)
class StartupAdmin(LargeTableAdmin, SimpleHistoryAdmin):
    list_display = ["name", "incubator", "phase", "accessibility_status", "is_published", "updated_at"]
    list_filter = ["phase", "incubator", "accessibility_status", "dsfr_status", "is_published"]
    list_select_related = ["incubator"]
    # Trigram indexes on PostgreSQL (migration 0005_trigram_search).
    search_fields = ["name", "slug", "pitch"]
    ordering = ["slug"]  # the unique index: no sort of the table (the names' order, near enough)
    autocomplete_fields = ["incubator", "other_incubators", "sponsors"]
    readonly_fields = ["phase", "next_committee_due", "created_at", "updated_at"]  # their services write them
    inlines = [PhasePeriodInline, TeamMembershipInline, IndicatorInline]
    date_hierarchy = "updated_at"


@admin.register(TeamMembership)
class TeamMembershipAdmin(LargeTableAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "startup", "role", "start", "end"]
    list_filter = ["role", "startup__incubator"]
    list_select_related = ["startup", "user"]
    search_fields = ["name", "email", "user__email", "user__last_name", "startup__name"]
    autocomplete_fields = ["startup", "user"]
    ordering = ["-pk"]  # the latest first (the model's order sorts by the product's name)


@admin.register(Measurement)
class MeasurementAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["indicator", "date", "value", "recorded_by"]
    list_filter = ["indicator__kind"]
    list_select_related = ["indicator", "indicator__startup", "recorded_by"]
    search_fields = ["indicator__name", "indicator__startup__name"]
    autocomplete_fields = ["indicator"]
    ordering = ["indicator_id", "date"]  # the unique index (indicator, date)


@admin.register(Indicator)
class IndicatorAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["name", "startup", "kind", "unit", "target"]
    list_filter = ["kind"]
    list_select_related = ["startup"]
    search_fields = ["name", "startup__name"]
    autocomplete_fields = ["startup"]
    ordering = ["startup_id", "name"]  # the unique index (startup, name)


@admin.register(ProductEvent)
class ProductEventAdmin(LargeTableAdmin, SimpleHistoryAdmin):
    list_display = ["startup", "kind", "date", "fast_promotion", "label_year", "is_public"]
    list_filter = ["kind", "is_public"]
    list_select_related = ["startup"]
    search_fields = ["startup__name", "note"]
    autocomplete_fields = ["startup"]
    ordering = ["-pk"]  # the latest first
    readonly_fields = ["created_at"]

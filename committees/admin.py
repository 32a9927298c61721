from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incubator.admin_paginator import LargeTableAdmin

from .models import Attendee, CalendarFeed, Committee, CommitteeDocument, Decision


class AttendeeInline(admin.TabularInline):
    model = Attendee
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["name", "email", "user", "role", "mandatory"]


class CommitteeDocumentInline(admin.TabularInline):
    """Documents are added on the committee page (their type is checked there); here they are listed."""

    model = CommitteeDocument
    extra = 0
    fields = ["original_name", "kind", "contents", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DecisionInline(admin.StackedInline):
    """A decision moves the product's phase: it is recorded on the committee page, only its follow-up here."""

    model = Decision
    extra = 0
    fields = [
        "outcome",
        "next_phase",
        "decided_on",
        "granted_amount",
        "granted_months",
        "minutes",
        "purchasing_told",
        "deck_published",
        "sheet_updated",
        "recorded_by",
    ]
    readonly_fields = ["outcome", "next_phase", "decided_on", "granted_amount", "granted_months", "recorded_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Committee)
class CommitteeAdmin(LargeTableAdmin, SimpleHistoryAdmin):
    list_display = ["startup", "kind", "scheduled_at", "status"]
    list_filter = ["status", "kind", "startup__incubator"]
    list_select_related = ["startup"]
    search_fields = ["startup__name", "startup__slug", "place", "attendees__email"]
    autocomplete_fields = ["startup"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    date_hierarchy = "scheduled_at"
    inlines = [AttendeeInline, CommitteeDocumentInline, DecisionInline]


@admin.register(Decision)
class DecisionAdmin(LargeTableAdmin, SimpleHistoryAdmin):
    list_display = ["committee", "outcome", "decided_on", "purchasing_told", "deck_published", "sheet_updated"]
    list_filter = ["outcome", "purchasing_told", "deck_published", "sheet_updated"]
    list_select_related = ["committee", "committee__startup"]
    search_fields = ["committee__startup__name", "minutes"]
    readonly_fields = ["committee", "outcome", "next_phase", "decided_on", "recorded_by", "recorded_at"]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """The token is a secret: never listed, never shown; deleting the row revokes the feed."""

    list_display = ["user", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from incubator.admin_paginator import LargeTableAdmin
from portfolio.models import Startup

from .cadence import check_rule, refresh_due_date
from .models import Attendee, CalendarFeed, Committee, CommitteeDocument, Decision, DueDateChange

# A decision as the committee page recorded it (the period it granted checked by the 6-month
# rule), and its follow-up, which the admin may still write.
DECISION_RECORD = [
    "outcome",
    "next_phase",
    "decided_on",
    "granted_amount",
    "granted_months",
    "beyond_rule",
    "beyond_rule_reason",
]
DECISION_FOLLOW_UP = [
    "minutes",
    "next_objectives",
    "team_size",
    "hypotheses",
    "purchasing_told",
    "deck_published",
    "sheet_updated",
]


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
    fields = [*DECISION_RECORD, *DECISION_FOLLOW_UP, "recorded_by"]
    readonly_fields = [*DECISION_RECORD, "recorded_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RefreshDueDateOnDelete:
    """Deleting committees or decisions here recomputes their products' due dates
    (``committees/cadence.py``): the record changed."""

    startup_field = "startup_id"

    def delete_model(self, request, obj):
        self.delete_queryset(request, self.model.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        ids = set(queryset.values_list(self.startup_field, flat=True))
        super().delete_queryset(request, queryset)
        for startup in Startup.objects.filter(pk__in=ids):
            refresh_due_date(startup=startup, actor=request.user, reason=str(_("Committee deleted")))


@admin.register(Committee)
class CommitteeAdmin(RefreshDueDateOnDelete, LargeTableAdmin, SimpleHistoryAdmin):
    """The status moves on the committee page only (``services.transition_committee``)."""

    list_display = ["startup", "kind", "scheduled_at", "status"]
    list_filter = ["status", "kind", "startup__incubator"]
    list_select_related = ["startup"]
    search_fields = ["startup__name", "startup__slug", "place", "attendees__email"]
    autocomplete_fields = ["startup"]
    readonly_fields = ["status", "created_by", "created_at", "updated_at"]
    date_hierarchy = "scheduled_at"
    inlines = [AttendeeInline, CommitteeDocumentInline, DecisionInline]


class DecisionAdminForm(forms.ModelForm):
    """The 6-month rule holds here too (``cadence.check_rule``, in the product's phase): a period
    beyond it needs its reason and is marked; past 24 months is refused."""

    class Meta:
        model = Decision
        fields = ["granted_amount", "granted_months", "beyond_rule_reason", *DECISION_FOLLOW_UP]

    def clean(self):
        cleaned = super().clean()
        months = cleaned.get("granted_months")
        if months is not None and self.instance.pk:
            try:
                beyond = check_rule(
                    phase=self.instance.committee.startup.phase,
                    months=months,
                    reason=cleaned.get("beyond_rule_reason", ""),
                )
            except ValidationError as error:
                self.add_error("granted_months" if error.code == "too_long" else "beyond_rule_reason", error)
            else:
                self.instance.beyond_rule = beyond
        return cleaned


@admin.register(Decision)
class DecisionAdmin(RefreshDueDateOnDelete, LargeTableAdmin, SimpleHistoryAdmin):
    list_display = ["committee", "outcome", "decided_on", "purchasing_told", "deck_published", "sheet_updated"]
    list_filter = ["outcome", "purchasing_told", "deck_published", "sheet_updated"]
    list_select_related = ["committee", "committee__startup"]
    search_fields = ["committee__startup__name", "minutes"]
    readonly_fields = ["committee", "outcome", "next_phase", "decided_on", "beyond_rule", "recorded_by", "recorded_at"]
    form = DecisionAdminForm
    startup_field = "committee__startup_id"

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "granted_months" in form.changed_data:  # the cadence reads it
            refresh_due_date(startup=obj.committee.startup, actor=request.user, reason=str(_("Committee decision")))


@admin.register(DueDateChange)
class DueDateChangeAdmin(LargeTableAdmin, admin.ModelAdmin):
    """The due dates set by hand on the product page (``cadence.set_due_date``) with their reasons:
    the 6-month rule's record (``beyond_rule`` raises the product's flag), read-only. Only a
    superuser deletes a row (a product deleted takes its rows with it); nobody adds or changes one."""

    list_display = ["startup", "due", "reason", "beyond_rule", "changed_by", "changed_at"]
    list_filter = ["beyond_rule", "startup__incubator", "changed_at"]
    list_select_related = ["startup", "changed_by"]
    search_fields = ["startup__name", "startup__slug", "reason", "beyond_rule_reason"]
    ordering = ["-pk"]  # the latest first
    fields = ["startup", "due", "reason", "beyond_rule", "beyond_rule_reason", "changed_by", "changed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """The token is a secret: never listed, never shown; deleting the row revokes the feed."""

    list_display = ["user", "renewed_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "renewed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

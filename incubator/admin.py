from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import outbox
from .admin_paginator import LargeTableAdmin
from .models import (
    AuditEvent,
    Incubator,
    Membership,
    Organisation,
    OutboxMessage,
    ReminderDelivery,
    ReminderRule,
    User,
)

# The admin bears the portal's name, not Django's.
admin.site.site_header = _("Incubator portal administration")
admin.site.site_title = _("Incubator portal")
admin.site.index_title = _("The portal's data")


@login_not_required
def admin_login(request, extra_context=None):
    """The admin has no login form of its own: it signs in through the accounts' login, with its
    rate limits (and MFA when it comes). Signed in without the right: the 403 page, not a loop."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url, reverse("account_login"))
    if not admin.site.has_permission(request):
        raise PermissionDenied
    return redirect(next_url)


def admin_password_change(request, extra_context=None):
    """One password change form, the accounts' one (rate-limited, asks the current password)."""
    return redirect("account_change_password")


admin.site.login = admin_login
admin.site.password_change = admin_password_change


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "incubator"]


@admin.register(User)
class UserAdmin(LargeTableAdmin, BaseUserAdmin):
    ordering = ["email"]  # the unique index; searches use the trigram indexes (migration trigram_search)
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_network_coordinator", "is_superuser", "is_active", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identity"), {"fields": ["first_name", "last_name"]}),
        (
            _("Rights"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_network_coordinator",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "password1", "password2"]})
    ]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["acronym", "name", "type", "ministerial_area", "contact_email"]
    list_filter = ["type", "ministerial_area"]
    search_fields = ["acronym", "name", "contact_name", "contact_email"]


@admin.register(Incubator)
class IncubatorAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "owner", "contact_email", "is_active"]
    list_filter = ["is_active", "owner__type", "owner"]
    list_select_related = ["owner"]
    search_fields = ["title", "slug", "owner__acronym", "owner__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["owner"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "incubator", "role", "created_at"]
    list_filter = ["role", "incubator"]
    list_select_related = ["user", "incubator"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "incubator__title"]
    autocomplete_fields = ["user", "incubator"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["subject", "recipients", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["subject", "to", "idempotency_key"]
    # The latest first by the primary key; no date hierarchy, whose years would be read from every
    # row of a table that only grows (the creation date filter stays).
    ordering = ["-pk"]
    actions = ["resend"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # The rows are the record of what was sent, and their idempotency keys are what stops
        # the same event from mailing twice: deleting one would let it be sent again.
        return False

    @admin.display(description=_("recipients"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    @admin.action(description=_("Resend the selected failed messages"), permissions=["view"])
    def resend(self, request, queryset):
        count = sum(outbox.resend(row) for row in queryset.filter(status=OutboxMessage.Status.FAILED))
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(ReminderRule)
class ReminderRuleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "offset_days", "send_at", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["name", "kind", "subject_template"]
    list_editable = ["is_active"]


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["rule", "object_key", "recipient", "occurrence", "status", "created_at"]
    list_filter = ["rule", "message__status", "created_at"]
    list_select_related = ["rule", "message"]
    search_fields = ["recipient", "object_key"]
    ordering = ["-pk"]  # as the outbox: the latest first, no date hierarchy
    readonly_fields = ["rule", "object_key", "recipient", "occurrence", "message", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"), ordering="message__status")
    def status(self, obj):
        return obj.message.get_status_display() if obj.message else "—"


@admin.register(AuditEvent)
class AuditEventAdmin(LargeTableAdmin, admin.ModelAdmin):
    """The audit log, read-only for staff: nobody adds, changes or deletes a row here (the purge
    of the rows past retention is the only way out, ``incubator.audit``)."""

    list_display = ["created_at", "action", "actor_id", "object_type", "object_id"]
    list_filter = ["action", "created_at"]
    search_fields = ["=actor_id", "object_type", "=object_id"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "actor_id", "action", "object_type", "object_id"]
    show_full_result_count = False  # the log grows: no second COUNT(*) per page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

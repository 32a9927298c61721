"""The community in the admin: the offer and the events are written here; statuses are not.

A request's status moves only on its page (``services.transition_request``), a registration's only
through registering and cancelling (``services``): both are read-only here. A dismissed suggestion
is a person's choice on a product's page: the admin reads it and may delete it (the suggestion shows
again), never writes one.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    DismissedSuggestion,
    Event,
    Registration,
    RequestComment,
    Resource,
    ResourceCategory,
    ResourceRequest,
)


@admin.register(ResourceCategory)
class ResourceCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "provider", "access_mode", "priority_policy_only", "is_published"]
    list_filter = ["category", "access_mode", "priority_policy_only", "is_published"]
    list_select_related = ["category"]
    search_fields = ["title", "slug", "provider", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["handlers"]
    readonly_fields = ["created_at", "updated_at"]


class RequestCommentInline(admin.TabularInline):
    model = RequestComment
    extra = 0
    fields = ["created_at", "author", "status", "body"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ResourceRequest)
class ResourceRequestAdmin(SimpleHistoryAdmin):
    list_display = ["resource", "startup", "incubator", "requester", "status", "submitted_at"]
    list_filter = ["status", "resource__category", "resource"]
    list_select_related = ["resource", "startup", "incubator", "requester"]
    search_fields = ["resource__title", "startup__name", "incubator__title", "requester__email", "message"]
    readonly_fields = [
        "resource",
        "incubator",
        "startup",
        "requester",
        "status",
        "status_changed_at",
        "submitted_at",
        "updated_at",
    ]
    date_hierarchy = "submitted_at"
    inlines = [RequestCommentInline]

    def has_add_permission(self, request):
        return False


@admin.register(RequestComment)
class RequestCommentAdmin(admin.ModelAdmin):
    list_display = ["request", "author", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["request", "request__resource", "request__startup", "request__incubator", "author"]
    search_fields = ["body", "author__email", "request__resource__title"]
    readonly_fields = ["request", "author", "status", "created_at"]

    def has_add_permission(self, request):
        return False


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["user", "status", "position", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "audience", "is_public"]
    list_filter = ["kind", "audience", "is_public"]
    list_select_related = ["audience_incubator"]
    search_fields = ["title", "slug", "place"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["organiser", "audience_incubator"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    list_display = ["event", "user", "status", "position", "created_at"]
    list_filter = ["status"]
    list_select_related = ["event", "user"]
    search_fields = ["event__title", "user__email", "user__last_name"]
    readonly_fields = ["event", "user", "status", "position", "created_at", "status_changed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(DismissedSuggestion)
class DismissedSuggestionAdmin(admin.ModelAdmin):
    list_display = ["resource", "startup", "user", "created_at"]
    list_filter = ["resource__category", "resource"]
    list_select_related = ["resource", "startup", "user"]
    search_fields = ["resource__title", "startup__name", "user__email", "user__last_name"]
    readonly_fields = ["user", "startup", "resource", "created_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

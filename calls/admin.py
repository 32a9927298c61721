from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incubator.admin_paginator import LargeTableAdmin
from incubator.admin_search import IndexedSearchAdmin

from .models import Application, Call, ConflictOfInterest, JuryScore, Pitch, PreselectionVote, Question


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "label", "help_text", "kind", "choices", "required"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "incubator", "status", "opens_at", "closes_at", "selection_on"]
    list_filter = ["status", "incubator"]
    list_select_related = ["incubator"]  # nullable: not followed by the admin's own select_related()
    search_fields = ["title", "slug", "description"]
    date_hierarchy = "opens_at"
    autocomplete_fields = ["jurors"]
    # The status moves through the call's state machine (the manager's pages); here it is read.
    readonly_fields = ["status", "draw_seed", "drawn_at", "created_by", "created_at", "updated_at"]
    inlines = [QuestionInline]


class PitchInline(admin.TabularInline):
    model = Pitch
    extra = 0
    readonly_fields = ["order", "starts_at"]


@admin.register(Application)
class ApplicationAdmin(LargeTableAdmin, IndexedSearchAdmin, SimpleHistoryAdmin):
    """Statuses move through the application's state machine (the manager's pages); here they are read."""

    list_display = ["applicant", "call", "status", "administration", "submitted_at"]
    list_filter = ["status", "call", "call__incubator", "manager_agreement", "callback_requested"]
    # Searched field by field (IndexedSearchAdmin) through the trigram indexes of the migrations
    # trigram_search of calls and of the core (the users) on PostgreSQL.
    search_fields = ["applicant__email", "applicant__first_name", "applicant__last_name", "administration", "problem"]
    list_select_related = ["applicant", "call"]
    ordering = ["-pk"]  # the latest first, by the primary key (the model's order sorts the whole table)
    autocomplete_fields = ["applicant", "startup"]
    readonly_fields = ["status", "status_changed_at", "submitted_at", "draft_saved_at", "created_at", "updated_at"]
    inlines = [PitchInline]


@admin.register(PreselectionVote)
class PreselectionVoteAdmin(LargeTableAdmin, admin.ModelAdmin):
    """A vote added or deleted here keeps its application's tick count (``PreselectionVote``);
    a vote is never moved to another application or juror: delete it and add another."""

    list_display = ["application", "juror", "created_at"]
    list_filter = ["application__call"]
    search_fields = ["juror__email", "application__applicant__email"]
    list_select_related = ["application__call", "application__applicant", "juror"]
    autocomplete_fields = ["application", "juror"]

    def get_readonly_fields(self, request, obj=None):
        return ["application", "juror"] if obj is not None else []


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["application", "juror", "comment", "declared_at"]
    list_filter = ["application__call"]
    search_fields = ["juror__email", "application__applicant__email", "comment"]
    list_select_related = ["application__call", "application__applicant", "juror"]
    autocomplete_fields = ["application", "juror"]


@admin.register(Pitch)
class PitchAdmin(admin.ModelAdmin):
    list_display = ["order", "application", "starts_at"]
    list_filter = ["application__call"]
    list_select_related = ["application__call", "application__applicant"]
    readonly_fields = ["application", "order", "starts_at"]


@admin.register(JuryScore)
class JuryScoreAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["application", "juror", "criterion", "score"]
    list_filter = ["criterion", "application__call"]
    search_fields = ["juror__email", "application__applicant__email"]
    list_select_related = ["application__call", "application__applicant", "juror"]
    autocomplete_fields = ["application", "juror"]

"""Filters of the portfolio list and of the public directory (django-filter)."""

import django_filters
from django import forms
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from incubator.models import Incubator, Organisation

from .models import AccessibilityStatus, Phase, Startup, Theme

SORT_LABELS = {
    "name": _("Name"),
    "updated_at": _("Last update"),
    "phase": _("Phase"),
    "incubator__title": _("Incubator"),
    "next_committee": _("Next committee"),
}

DUE_SOON_DAYS = 45


class Schedule(models.TextChoices):
    """The committee filter of the portfolio list (on ``Startup.objects.with_committee_schedule()``)."""

    OVERDUE = "en-retard", _("Overdue")
    PLANNED_LATE = "planifie-apres-echeance", _("Planned after the due date")
    DUE_SOON = "echeance-45-jours", _("Due within 45 days")
    UNPLANNED = "sans-comite", _("No committee planned (active products)")


class PortfolioOrdering(django_filters.OrderingFilter):
    """Sorts with the name as tie-breaker (stable pages); "next committee" sorts on the date the
    list shows (the planned committee, else the due date), products without one last."""

    def get_ordering_value(self, param):
        if param.lstrip("-") != "next_committee":
            return super().get_ordering_value(param)
        when = Coalesce("next_committee_on", "next_committee_due")
        return when.desc(nulls_last=True) if param.startswith("-") else when.asc(nulls_last=True)

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "name", "pk") if value else qs


class DirectoryFilter(django_filters.FilterSet):
    """The public directory: phase, incubator, theme, and a search."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    phase = django_filters.ChoiceFilter(label=_("Phase"), choices=Phase.choices, empty_label=_("All phases"))
    incubator = django_filters.ModelChoiceFilter(
        label=_("Incubator"),
        queryset=Incubator.objects.active(),
        to_field_name="slug",
        method="in_incubator",
        empty_label=_("All incubators"),
    )
    theme = django_filters.ChoiceFilter(
        label=_("Theme"), choices=Theme.choices, method="with_theme", empty_label=_("All themes")
    )

    class Meta:
        model = Startup
        fields = ["q", "phase", "incubator", "theme"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(pitch__icontains=value))

    def in_incubator(self, queryset, name, value):
        return queryset.filter(Q(incubator=value) | Q(other_incubators=value)).distinct()

    def with_theme(self, queryset, name, value):
        return queryset.with_theme(value)


class PortfolioFilter(DirectoryFilter):
    """The managers' list: the directory's filters plus sponsor, accessibility, staleness, sort."""

    sponsor = django_filters.ModelChoiceFilter(
        label=_("Sponsor"),
        queryset=Organisation.objects.all(),
        to_field_name="acronym",
        field_name="sponsors",
        empty_label=_("All sponsors"),
    )
    accessibility = django_filters.ChoiceFilter(
        label=_("Accessibility"),
        choices=AccessibilityStatus.choices,
        field_name="accessibility_status",
        empty_label=_("All statuses"),
    )
    stale = django_filters.BooleanFilter(
        label=_("Only products without an update for 3 months"),
        method="no_recent_update",
        widget=forms.CheckboxInput,
    )
    committee = django_filters.ChoiceFilter(
        label=_("Next committee"), choices=Schedule.choices, method="by_schedule", empty_label=_("All products")
    )
    sort = PortfolioOrdering(
        label=_("Sort by"),
        fields=[
            ("name", "name"),
            ("updated_at", "updated_at"),
            ("phase", "phase"),
            ("incubator__title", "incubator__title"),
            ("next_committee", "next_committee"),
        ],
        field_labels=SORT_LABELS,
        empty_label=_("Default order (name)"),
    )

    class Meta(DirectoryFilter.Meta):
        fields = [*DirectoryFilter.Meta.fields, "sponsor", "accessibility", "stale", "committee", "sort"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["incubator"].queryset = Incubator.objects.visible_to(user)

    def no_recent_update(self, queryset, name, value):
        return queryset.stale(days=90) if value else queryset

    def by_schedule(self, queryset, name, value):
        return {
            Schedule.OVERDUE: queryset.overdue,
            Schedule.PLANNED_LATE: queryset.planned_late,
            Schedule.DUE_SOON: lambda: queryset.due_within(DUE_SOON_DAYS),
            Schedule.UNPLANNED: queryset.without_planned_committee,
        }[value]()

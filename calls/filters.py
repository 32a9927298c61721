"""Filters of the manager's pre-selection ranking (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Application

# What a manager ranks: the submitted applications and what became of them (no drafts, no withdrawals).
RANKED_STATUSES = [Application.Status.INELIGIBLE, *Application.JURY_STATUSES]


class RankingFilter(django_filters.FilterSet):
    """Status, minimum ticks and a search; the bulk actions apply to everything it keeps."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(status.value, status.label) for status in RANKED_STATUSES],
        empty_label=_("All statuses"),
    )
    min_ticks = django_filters.NumberFilter(label=_("At least this many ticks"), method="with_min_ticks", min_value=0)

    class Meta:
        model = Application
        fields = ["q", "status", "min_ticks"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(applicant__first_name__icontains=value)
            | Q(applicant__last_name__icontains=value)
            | Q(applicant__email__icontains=value)
            | Q(administration__icontains=value)
            | Q(service__icontains=value)
            | Q(problem__icontains=value)
        )

    def with_min_ticks(self, queryset, name, value):
        return queryset.filter(ticks__gte=value)

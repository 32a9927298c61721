"""Filters of the committee calendar (django-filter)."""

import django_filters
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from incubator.dates import DateInput
from incubator.models import Incubator
from portfolio.models import Startup

from .models import Committee

SECTIONS = [
    ("upcoming", _("Upcoming")),
    ("to_hold", _("To hold (decision pending)")),
    ("held", pgettext_lazy("committee section", "Held")),
    ("cancelled", pgettext_lazy("committee section", "Cancelled")),
    ("all", _("All committees")),
]
DEFAULT_SECTION = "upcoming"


def in_section(queryset, section, now=None):
    """Committees of a section of the calendar, in the order that section reads best."""
    now = now or timezone.now()
    planned = queryset.filter(status=Committee.Status.PLANNED)
    sections = {
        "upcoming": planned.filter(scheduled_at__gte=now).order_by("scheduled_at"),
        "to_hold": planned.filter(scheduled_at__lt=now).order_by("scheduled_at"),
        "held": queryset.filter(status=Committee.Status.HELD).order_by("-scheduled_at"),
        "cancelled": queryset.filter(status=Committee.Status.CANCELLED).order_by("-scheduled_at"),
    }
    return sections.get(section, queryset.order_by("-scheduled_at"))


def section_counts(queryset, now=None):
    """section -> number of committees, in one query."""
    now = now or timezone.now()
    planned = Q(status=Committee.Status.PLANNED)
    return queryset.aggregate(
        upcoming=Count("pk", filter=planned & Q(scheduled_at__gte=now)),
        to_hold=Count("pk", filter=planned & Q(scheduled_at__lt=now)),
        held=Count("pk", filter=Q(status=Committee.Status.HELD)),
        cancelled=Count("pk", filter=Q(status=Committee.Status.CANCELLED)),
        all=Count("pk"),
    )


class CommitteeFilter(django_filters.FilterSet):
    section = django_filters.ChoiceFilter(label=_("Show"), choices=SECTIONS, method="filter_section", empty_label=None)
    incubator = django_filters.ModelChoiceFilter(
        label=_("Incubator"),
        queryset=Incubator.objects.none(),
        to_field_name="slug",
        method="in_incubator",
        empty_label=_("All my incubators"),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Committee.Kind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Committee.Status.choices, empty_label=_("All statuses")
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="scheduled_at", lookup_expr="date__gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="scheduled_at", lookup_expr="date__lte", widget=DateInput()
    )

    class Meta:
        model = Committee
        fields = ["section", "incubator", "kind", "status", "date_from", "date_to"]

    def __init__(self, data=None, *args, user, **kwargs):
        if data is not None and not data.get("section"):
            data = data.copy()
            data["section"] = DEFAULT_SECTION
        super().__init__(data, *args, **kwargs)
        self.filters["incubator"].queryset = Incubator.objects.visible_to(user)

    def filter_section(self, queryset, name, value):
        return in_section(queryset, value)

    def in_incubator(self, queryset, name, value):
        startups = Startup.objects.filter(Q(incubator=value) | Q(other_incubators=value)).values("pk")
        return queryset.filter(startup__in=startups)

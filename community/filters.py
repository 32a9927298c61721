"""Filters of the catalogue, the handler's queue, "Mes demandes" and the events (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator.lists import each_word_in
from incubator.models import Organisation
from portfolio.models import Phase

from .models import Event, Resource, ResourceCategory, ResourceRequest, lists_code


class ResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=ResourceCategory.objects.all(),
        to_field_name="slug",
        empty_label=_("All categories"),
    )
    phase = django_filters.ChoiceFilter(
        label=_("Phase"), choices=Phase.choices, method="for_phase", empty_label=_("All phases")
    )
    organisation_type = django_filters.ChoiceFilter(
        label=_("Sponsor's organisation type"),
        choices=Organisation.Type.choices,
        method="for_organisation_type",
        empty_label=_("All types"),
    )
    access_mode = django_filters.ChoiceFilter(
        label=_("Access mode"), choices=Resource.AccessMode.choices, empty_label=_("All access modes")
    )

    class Meta:
        model = Resource
        fields = ["q", "category", "phase", "organisation_type", "access_mode"]

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(provider__icontains=word)
                | Q(description__icontains=word)
            )
        return queryset

    def for_phase(self, queryset, name, value):
        return queryset.filter(Q(phases=[]) | lists_code("phases", value))

    def for_organisation_type(self, queryset, name, value):
        return queryset.filter(Q(organisation_types=[]) | lists_code("organisation_types", value))


OPEN = "open"


class RequestFilter(django_filters.FilterSet):
    """The queue and "Mes demandes": open requests by default."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN, _("Open (submitted or in progress)")), *ResourceRequest.Status.choices],
        method="in_status",
        empty_label=_("All statuses"),
    )
    resource = django_filters.ModelChoiceFilter(
        label=_("Resource"), queryset=Resource.objects.none(), to_field_name="slug", empty_label=_("All resources")
    )
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)

    class Meta:
        model = ResourceRequest
        fields = ["status", "resource", "q"]

    def __init__(self, data=None, *args, resources, **kwargs):
        if data is None or "status" not in data:
            data = data.copy() if data is not None else {}
            data["status"] = OPEN
        super().__init__(data, *args, **kwargs)
        self.filters["resource"].queryset = resources

    def in_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.open()
        return queryset.filter(status=value)

    def search(self, queryset, name, value):
        return each_word_in(
            queryset,
            value,
            ["startup__name", "incubator__title", "requester__last_name", "requester__email", "message"],
        )


WHEN = [("upcoming", _("Upcoming")), ("past", _("Past"))]


class EventFilter(django_filters.FilterSet):
    when = django_filters.ChoiceFilter(label=_("When"), choices=WHEN, method="in_time", empty_label=None)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Event.Kind.choices, empty_label=_("All kinds"))

    class Meta:
        model = Event
        fields = ["when", "kind"]

    def __init__(self, data=None, *args, **kwargs):
        if data is None or not data.get("when"):
            data = data.copy() if data is not None else {}
            data["when"] = "upcoming"
        super().__init__(data, *args, **kwargs)

    def in_time(self, queryset, name, value):
        now = timezone.now()
        if value == "past":
            return queryset.past(now).order_by("-starts_at")
        return queryset.upcoming(now).order_by("starts_at")

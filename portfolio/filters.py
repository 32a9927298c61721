"""Filters of the portfolio list and of the public directory (django-filter). The list also takes
the filters and sorts other apps register for it (``incubator.registry``, page ``PORTFOLIO_LIST``)."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import DateField, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator import registry
from incubator.models import Incubator, Organisation

from . import flags
from .contributions import PORTFOLIO_LIST
from .models import ACTIVE_PHASES, TYPICAL_MAX_DAYS, AccessibilityStatus, Phase, PhasePeriod, Startup, Theme

# The phase filter's value for "any active phase" (the dashboards' "active products").
ACTIVE = "actif"


def phase_lasted_too_long(phase, today):
    """A period of ``phase`` begun by ``today`` lasted (ended) or lasts (current, counted to
    ``today``) longer than the phase's typical maximum: the periods ``tiles.phase_durations`` counts."""
    end = Coalesce(F("end"), Value(today, output_field=DateField()))
    length = ExpressionWrapper(end - F("start"), output_field=DurationField())
    periods = PhasePeriod.objects.filter(startup=OuterRef("pk"), phase=phase, start__lte=today).alias(length=length)
    return Q(Exists(periods.filter(length__gt=timedelta(days=TYPICAL_MAX_DAYS[phase]))))


SORTS = [
    ("name", _("Name")),
    ("updated_at", _("Last update")),
    ("phase", _("Phase")),
    ("incubator__title", _("Incubator")),
]


class PortfolioOrdering(django_filters.OrderingFilter):
    """Sorts with the name as tie-breaker (stable pages). The sorts other apps register
    (``registry.Sort``) sort on their expression, products without a value last."""

    def __init__(self, *args, expressions=None, **kwargs):
        self.expressions = expressions or {}
        super().__init__(*args, **kwargs)

    def get_ordering_value(self, param):
        expression = self.expressions.get(param.lstrip("-"))
        if expression is None:
            return super().get_ordering_value(param)
        when = expression()
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
        return queryset.in_incubators([value])

    def with_theme(self, queryset, name, value):
        return queryset.with_theme(value)


class PortfolioFilter(DirectoryFilter):
    """The managers' list: the directory's filters plus sponsor, accessibility, staleness, sort.
    Its phase filter also takes ``ACTIVE`` (every active phase); ``too_long`` lists the products
    with a period of a phase (ended, or current counted to today) longer than its typical maximum,
    what the dashboards' phase durations count."""

    phase = django_filters.ChoiceFilter(
        label=_("Phase"),
        choices=[(ACTIVE, _("Active phases")), *Phase.choices],
        method="in_phase",
        empty_label=_("All phases"),
    )
    too_long = django_filters.ChoiceFilter(
        label=_("Phase that lasted longer than usual"),
        choices=[(phase.value, phase.label) for phase in TYPICAL_MAX_DAYS],
        method="with_phase_too_long",
        empty_label=_("All products"),
    )

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

    class Meta(DirectoryFilter.Meta):
        fields = [*DirectoryFilter.Meta.fields, "sponsor", "accessibility", "stale", "too_long"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["incubator"].queryset = Incubator.objects.visible_to(user)
        # The consistency flags: the portfolio's and those other apps register (portfolio/flags.py).
        self.add_filter(
            "flag",
            django_filters.ChoiceFilter(
                label=_("Flag"),
                choices=flags.choices(PORTFOLIO_LIST),
                method=self.with_flag,
                empty_label=_("All products"),
            ),
        )
        # The filters other apps register for the list (the committees' schedule), then the sort.
        for extra in registry.list_filters(PORTFOLIO_LIST):
            self.add_filter(extra.key, extra.build())
        self.add_filter("sort", self.ordering(registry.sorts(PORTFOLIO_LIST)))

    def add_filter(self, name, filter_):
        filter_.field_name, filter_.model, filter_.parent = name, self.queryset.model, self
        self.filters[name] = filter_

    @staticmethod
    def ordering(extra_sorts):
        sorts = [*SORTS, *((sort.key, sort.label) for sort in extra_sorts)]
        return PortfolioOrdering(
            label=_("Sort by"),
            fields=[(key, key) for key, _label in sorts],
            field_labels=dict(sorts),
            empty_label=_("Default order (name)"),
            expressions={sort.key: sort.expression for sort in extra_sorts},
        )

    def in_phase(self, queryset, name, value):
        return queryset.filter(phase__in=ACTIVE_PHASES) if value == ACTIVE else queryset.filter(phase=value)

    def with_phase_too_long(self, queryset, name, value):
        return queryset.filter(phase_lasted_too_long(Phase(value), timezone.localdate()))

    def with_flag(self, queryset, name, value):
        return flags.having(queryset, PORTFOLIO_LIST, value)

    def no_recent_update(self, queryset, name, value):
        return queryset.stale(days=90) if value else queryset

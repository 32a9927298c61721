"""Filters of the managers' lists (django-filter): the pre-selection ranking of a call, and the
applications across the calls a user manages, by incubator, call and funnel stage.

The funnel's stages are defined here, once: the call's own funnel (``views.manage.with_funnel``),
the dashboards' ``call_funnel`` tile (``tiles.STAGES``) and the applications' list's ``stage``
filter all count the same statuses, so a stage's link lists exactly what its figure counts.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incubator.lists import each_word_in
from incubator.models import Incubator

from .models import Application, Call

# What a manager ranks: the submitted applications and what became of them (no drafts, no withdrawals).
RANKED_STATUSES = [Application.Status.INELIGIBLE, *Application.JURY_STATUSES]

# The funnel of a call: each count includes what the applications became later.
FUNNEL = {
    "drafts": [Application.Status.DRAFT],
    "submitted": RANKED_STATUSES,
    "shortlisted": [
        Application.Status.SHORTLISTED,
        Application.Status.PITCHED,
        Application.Status.LAUREATE,
        Application.Status.NOT_SELECTED,
        Application.Status.COMMITMENT_SIGNED,
        Application.Status.ONBOARDED,
    ],
    "laureates": [Application.Status.LAUREATE, Application.Status.COMMITMENT_SIGNED, Application.Status.ONBOARDED],
}
# The dashboards' funnel: the call's, then the applications onboarded in the portfolio.
STAGES = {**FUNNEL, "onboarded": [Application.Status.ONBOARDED]}
# The funnel's own labels: plural, of applications (not the statuses' singular labels).
STAGE_LABELS = {
    "drafts": _("Draft applications"),
    "submitted": _("Submitted applications"),
    "shortlisted": _("Shortlisted applications"),
    "laureates": _("Laureate applications"),
    "onboarded": _("Applications onboarded in the portfolio"),
}


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


class ApplicationListFilter(django_filters.FilterSet):
    """The applications across the calls ``user`` manages: a search, the incubator and the call
    (among those the user manages: another's slug is an invalid choice, a 400), the funnel's stage
    (exactly the statuses its figure counts, ``STAGES``)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    incubator = django_filters.ModelChoiceFilter(
        label=_("Incubator"),
        queryset=Incubator.objects.none(),
        to_field_name="slug",
        field_name="call__incubator",
        empty_label=_("All incubators"),
    )
    call = django_filters.ModelChoiceFilter(
        label=_("Call"), queryset=Call.objects.none(), to_field_name="slug", empty_label=_("All calls")
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage of the funnel"),
        choices=list(STAGE_LABELS.items()),
        method="at_stage",
        empty_label=_("All stages"),
    )

    class Meta:
        model = Application
        fields = ["q", "incubator", "call", "stage"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["incubator"].queryset = Incubator.objects.managed_by(user).order_by("title")
        self.filters["call"].queryset = Call.objects.managed_by(user).order_by("-opens_at", "pk")

    def search(self, queryset, name, value):
        """Each word in the applicant's name or email, their administration or the problem they
        describe ("marie dupont" finds Marie Dupont)."""
        return each_word_in(
            queryset,
            value,
            ["applicant__first_name", "applicant__last_name", "applicant__email", "administration", "problem"],
        )

    def at_stage(self, queryset, name, value):
        return queryset.filter(status__in=STAGES[value])

"""The steering pages (issue 13): an incubator's dashboard and the network cockpit, with the CSV
of every chart. Their figures come from ``portfolio.dashboards`` (the tiles of every app).

Who sees what: an incubator's dashboard is for the people of the incubator who read its portfolio
(``dashboards.dashboard_incubators``: another incubator's is a 404), the network admins and the
network coordinators; the cockpit, the portfolio as of a day and the data-quality list are for the
network admins and coordinators (``portfolio.view_cockpit``: a 403 for anyone else). Only GET:
nothing here changes state.
"""

import functools

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import ListView, TemplateView

from incubator import charts, registry
from incubator.exports import csv_response
from incubator.models import Incubator

from . import dashboards, tiles
from .forms import AsOfForm

COCKPIT_PERMISSION = "portfolio.view_cockpit"


def get_incubator(request, slug):
    return get_object_or_404(dashboards.dashboard_incubators(request.user), slug=slug)


def check_cockpit(user):
    if not user.has_perm(COCKPIT_PERMISSION):
        raise PermissionDenied


class CockpitMixin:
    """A page of the network cockpit (``portfolio.view_cockpit``: network admins and coordinators),
    under the cockpit in the breadcrumb."""

    def dispatch(self, request, *args, **kwargs):
        check_cockpit(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        links = [(_("Network cockpit"), reverse("portfolio:cockpit"))]
        return super().get_context_data(breadcrumb_links=links, **kwargs)


def get_tile(key):
    try:
        tile = registry.get_tile(key)
    except KeyError:
        raise Http404 from None
    if tile.chart is None:
        raise Http404
    return tile


@method_decorator(require_safe, name="dispatch")
class DashboardView(TemplateView):
    """An incubator's dashboard: every tile's figure on the incubator, one query a tile."""

    template_name = "portfolio/dashboard.html"

    def get_context_data(self, **kwargs):
        incubator = get_incubator(self.request, self.kwargs["slug"])
        # Up to the cockpit for whoever may open it; the rule alone (no query of Django's permission tables).
        may_open_cockpit = rules.has_perm(COCKPIT_PERMISSION, self.request.user)
        breadcrumb = [(_("Network cockpit"), reverse("portfolio:cockpit"))] if may_open_cockpit else []

        def figures():  # read when the figures are drawn (they are kept for the person: {% kept %})
            with tiles.one_page():
                return dashboards.figures(self.request.user, registry.Scope(incubator))

        return super().get_context_data(
            incubator=incubator, breadcrumb=breadcrumb, **charted_and_numbers(figures), **kwargs
        )


def charted_and_numbers(figures):
    """The figures with a chart and those without, for ``_figures.html``, computed at first use."""
    computed = SimpleLazyObject(figures)
    return {
        "charted": SimpleLazyObject(lambda: [figure for figure in computed if figure.chart is not None]),
        "numbers": SimpleLazyObject(lambda: [figure for figure in computed if figure.chart is None]),
    }


@require_safe
def dashboard_csv(request, slug, key):
    incubator = get_incubator(request, slug)
    found = dashboards.figure(get_tile(key), request.user, registry.Scope(incubator))
    return charts.csv_response(found.chart, f"{incubator.slug}-{found.chart.key}.csv", request=request)


@method_decorator(require_safe, name="dispatch")
class CockpitView(CockpitMixin, TemplateView):
    """The network: one row per incubator to compare (drill-down to its dashboard), the products
    by phase of each, and every tile's figure on the network."""

    template_name = "portfolio/cockpit.html"

    def get_context_data(self, **kwargs):
        # Read when drawn: the content is kept for the person ({% kept %}).
        scope = registry.Scope()

        @functools.cache
        def page():
            with tiles.one_page():  # the comparison and the network's figures share their queries
                compared = dashboards.comparison(self.request.user, scope, Incubator.objects.all())
                figures = dashboards.figures(self.request.user, scope)
            by_incubator = dashboards.phases_chart(compared.rows, scope)
            by_incubator.csv_url = reverse("portfolio:cockpit_csv", args=[dashboards.PHASES_BY_INCUBATOR])
            return compared, by_incubator, figures

        return super().get_context_data(
            comparison=SimpleLazyObject(lambda: page()[0]),
            by_incubator=SimpleLazyObject(lambda: page()[1]),
            **charted_and_numbers(lambda: page()[2]),
            **kwargs,
        )


COMPARISON_CSV = "comparaison"


@require_safe
def cockpit_csv(request, key):
    """A chart of the cockpit as CSV: the comparison, the products by incubator, or a tile's."""
    check_cockpit(request.user)
    scope = registry.Scope()
    today = timezone.localdate()
    if key in (COMPARISON_CSV, dashboards.PHASES_BY_INCUBATOR):
        compared = dashboards.comparison(request.user, scope, Incubator.objects.all())
        if key == COMPARISON_CSV:
            return csv_response(
                f"comparaison-{today:%Y-%m-%d}.csv", compared.header, compared.csv_rows(), request=request
            )
        chart = dashboards.phases_chart(compared.rows, scope)
    else:
        chart = dashboards.figure(get_tile(key), request.user, scope).chart
    return charts.csv_response(chart, f"reseau-{chart.key}-{today:%Y-%m-%d}.csv", request=request)


@method_decorator(require_safe, name="dispatch")
class AsOfView(CockpitMixin, ListView):
    """The network's portfolio on a day: products by phase in each incubator and the list of the
    periods in force then (the annual report). A bad day: 400, the form with its error and the
    typed value."""

    template_name = "portfolio/as_of.html"
    context_object_name = "periods"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        check_cockpit(request.user)  # before reading the form
        self.form = AsOfForm(request.GET or None)
        self.day = self.form.cleaned_data["date"] if self.form.is_valid() else None
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return dashboards.periods_in_force(self.day) if self.day else dashboards.PhasePeriod.objects.none()

    def get_context_data(self, **kwargs):
        context = {"form": self.form, "day": self.day}
        if self.day:
            scope = registry.Scope(as_of=self.day)
            compared = dashboards.comparison(
                self.request.user, scope, Incubator.objects.all(), keys={"products_by_phase"}
            )
            chart = dashboards.phases_chart(compared.rows, scope, title=_("Products by phase in each incubator"))
            chart.csv_url = reverse("portfolio:as_of") + f"?date={self.day.isoformat()}&format=csv"
            context["chart"] = chart
        return super().get_context_data(**context, **kwargs)

    def render_to_response(self, context, **kwargs):
        if self.form.is_bound and not self.form.is_valid():
            kwargs["status"] = 400
        elif self.day and self.request.GET.get("format") == "csv":
            return charts.csv_response(
                context["chart"], f"portefeuille-au-{self.day.isoformat()}.csv", request=self.request
            )
        return super().render_to_response(context, **kwargs)


@method_decorator(require_safe, name="dispatch")
class DataQualityView(CockpitMixin, ListView):
    """What to fix in the network's records: flags of active products, overrides in the phase
    history, stale sheets of active products. One query a page."""

    template_name = "portfolio/data_quality.html"
    context_object_name = "startups"
    paginate_by = 25

    def get_queryset(self):
        return dashboards.quality_issues()

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        return paginator, page, dashboards.with_issues(rows), is_paginated

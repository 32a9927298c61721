"""Portfolio pages: the managers' list and product pages, the public directory, the open data."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import CreateView, DetailView, FormView, ListView, TemplateView, UpdateView

from incubator import charts, registry, versions
from incubator.exports import csv_response
from incubator.lists import FilteredListMixin
from incubator.models import Incubator

from . import flags, opendata, rules, services, statistics
from .contributions import PORTFOLIO_LIST, PRODUCT_PAGE
from .filters import DirectoryFilter, PortfolioFilter
from .forms import (
    IndicatorForm,
    MeasurementForm,
    PhaseChangeForm,
    ProductEventForm,
    StartupCreateForm,
    StartupForm,
    TeamMembershipForm,
)
from .models import Indicator, ProductEvent, Startup, TeamMembership
from .presenters import build_history, build_timeline, indicator_charts
from .timeline import product_timeline, public_timeline

# Who records a product's events: its managers (the rule of a phase change, portfolio/rules.py).
EVENTS_PERMISSION = "portfolio.change_phase"


class PortfolioListView(FilteredListMixin, ListView):
    template_name = "portfolio/startup_list.html"
    filterset_class = PortfolioFilter
    context_object_name = "startups"

    def get_base_queryset(self):
        # With what the filters and the sorts read (the other apps' annotations) when any filter or
        # sort is asked: building them costs more than the page's query, and the list as it opens
        # needs none. The flags are computed for the page's rows only (``get_page_rows``), the flag
        # filter testing its conditions.
        startups = Startup.objects.visible_to(self.request.user).for_list()
        filtered = any(value for key, value in self.request.GET.items() if key not in ("page", "format"))
        return registry.annotate(PORTFOLIO_LIST, startups) if filtered else startups

    def get_page_rows(self, ids):
        """The page's products with the columns' annotations and their raised flags (no query a row)."""
        startups = registry.annotate(PORTFOLIO_LIST, Startup.objects.filter(pk__in=ids).for_list())
        rows = list(flags.with_flags(startups, PORTFOLIO_LIST))
        for startup in rows:
            startup.raised_flags = flags.raised(startup, PORTFOLIO_LIST)
        return rows

    def get_context_data(self, **kwargs):
        # The columns other apps add to the table (the committees' "Next committee").
        return super().get_context_data(columns=registry.columns(PORTFOLIO_LIST), **kwargs)

    def get_filterset(self, queryset):
        return self.filterset_class(self.request.GET or None, queryset=queryset, user=self.request.user)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.export_csv()
        return super().get(request, *args, **kwargs)

    def export_csv(self):
        header = [
            _("Name"),
            _("Incubator"),
            _("Phase"),
            _("In this phase since"),
            _("Sponsors"),
            _("Accessibility"),
            _("Last update"),
            _("Page"),
        ]
        rows = (
            [
                startup.name,
                startup.incubator.title,
                startup.get_phase_display(),
                startup.phase_since.isoformat() if startup.phase_since else "",
                ", ".join(sponsor.acronym for sponsor in startup.sponsors.all()),
                startup.get_accessibility_status_display(),
                timezone.localtime(startup.updated_at).date().isoformat(),
                self.request.build_absolute_uri(startup.get_absolute_url()),
            ]
            for startup in self.get_queryset()
        )
        return csv_response(f"portefeuille-{timezone.localdate():%Y-%m-%d}.csv", header, rows, request=self.request)


class StartupMixin:
    """Fetch the product from the user's visible ones (another incubator's is a 404) and check a rule."""

    permission = None

    def get_startup_queryset(self):
        return Startup.objects.visible_to(self.request.user)

    def get_startup(self):
        if not hasattr(self, "startup"):
            self.startup = get_object_or_404(self.get_startup_queryset(), slug=self.kwargs["slug"])
            if self.permission and not self.request.user.has_perm(self.permission, self.startup):
                raise PermissionDenied
        return self.startup

    def get_context_data(self, **kwargs):
        kwargs.setdefault("startup", self.get_startup())
        return super().get_context_data(**kwargs)


class StartupDetailView(StartupMixin, DetailView):
    """A product's page. Its content is kept in the cache for the person (``{% kept %}``, any write
    draws it again): the product is read plainly at each request (whether the person sees it), and
    what the content draws (the other apps' annotations, the flags, the panels, the rules) is read
    only when it is drawn."""

    template_name = "portfolio/startup_detail.html"
    context_object_name = "startup"

    def get_startup_queryset(self):
        return super().get_startup_queryset().select_related("incubator")

    def get_object(self, queryset=None):
        return self.get_startup()

    @cached_property
    def drawn(self):
        """The product with the page's annotations (other apps'), then the flags, which may read
        them; its incubator (the sheet, the rules and the panels read it) and the manager rule
        (``portfolio.rules``) in the same query."""
        startups = Startup.objects.filter(pk=self.object.pk).select_related("incubator")
        startups = flags.with_flags(registry.annotate(PRODUCT_PAGE, startups), PRODUCT_PAGE)
        return rules.get_with_manager_rule(startups, self.request.user)

    @cached_property
    def periods(self):
        return list(self.object.periods.select_related("decided_by"))

    @cached_property
    def events(self):
        return list(self.object.product_events.all())

    @cached_property
    def can_change_phase(self):
        return self.request.user.has_perm("portfolio.change_phase", self.drawn)

    def get_context_data(self, **kwargs):
        user = self.request.user

        def lazy(compute):
            return SimpleLazyObject(compute)

        return super().get_context_data(
            startup=lazy(lambda: self.drawn),
            timeline=lazy(lambda: build_timeline(self.periods)),
            flags=lazy(lambda: flags.raised(self.drawn, PRODUCT_PAGE, periods=self.periods, events=self.events)),
            events=lazy(lambda: product_timeline(self.drawn, user, self.events)),
            can_record_events=lazy(lambda: self.can_change_phase),  # EVENTS_PERMISSION: the same rule
            team=self.object.team.select_related("user"),
            sponsors=self.object.sponsors.all(),
            other_incubators=self.object.other_incubators.all(),
            charts=lazy(lambda: indicator_charts(list(self.object.indicators.prefetch_related("measurements")))),
            history=lazy(lambda: build_history(self.drawn)),
            # What other apps show about the product, by slot (portfolio/contributions.py).
            panels=lazy(lambda: registry.panels_for(PRODUCT_PAGE, self.drawn, user)),
            can_edit=lazy(lambda: user.has_perm("portfolio.change_startup", self.drawn)),
            can_change_phase=lazy(lambda: self.can_change_phase),
            breadcrumb=[(_("Portfolio"), reverse("portfolio:startup_list"))],
            **kwargs,
        )


class StartupCreateView(CreateView):
    template_name = "portfolio/startup_form.html"
    form_class = StartupCreateForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("portfolio.add_startup"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "incubators": Incubator.objects.managed_by(self.request.user)}

    def form_valid(self, form):
        with transaction.atomic():
            self.object = services.create_startup(
                startup=form.save(commit=False),
                phase=form.cleaned_data["phase"],
                start=form.cleaned_data["phase_start"],
                actor=self.request.user,
            )
            form.save_m2m()
        messages.success(self.request, _("The product %(name)s was created.") % {"name": self.object.name})
        return redirect(self.object)


class StartupUpdateView(StartupMixin, UpdateView):
    template_name = "portfolio/startup_form.html"
    form_class = StartupForm
    permission = "portfolio.change_startup"

    def get_object(self, queryset=None):
        return self.get_startup()

    def form_valid(self, form):
        self.object = form.save(commit=False)
        self.object.updated_at = timezone.now()
        self.object.save()
        form.save_m2m()
        messages.success(self.request, _("The product sheet was saved."))
        return redirect(self.object)


class PhaseChangeView(StartupMixin, FormView):
    """Change the phase. A move outside the usual path is shown on a confirmation page first; only a
    second POST whose ``confirm`` names the phase the manager saw (the product's current one) makes it."""

    template_name = "portfolio/phase_form.html"
    form_class = PhaseChangeForm
    permission = "portfolio.change_phase"
    error_fields = {"reason": "reason", "start": "start", "future": "start", "same": "phase"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "startup": self.get_startup()}

    def form_valid(self, form):
        startup = self.get_startup()
        if "edit" in self.request.POST:  # "Change my choice" on the confirmation page
            return self.render_to_response(self.get_context_data(form=form))
        move = {"startup": startup, "may_override": True, **form.cleaned_data}
        try:
            regular = services.check_phase_change(**move)
            if not regular and self.request.POST.get("confirm") != startup.phase:
                context = self.get_context_data(form=form, from_label=startup.get_phase_display())
                return TemplateResponse(self.request, "portfolio/phase_confirm.html", context)
            services.change_phase(actor=self.request.user, **move)
        except ValidationError as error:
            form.add_error(self.error_fields.get(error.code), error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The product is now in phase %(phase)s.") % {"phase": startup.get_phase_display()}
        )
        return redirect(startup)


class TeamMemberFormView(StartupMixin, FormView):
    """Add a team member, or edit one (``pk`` in the URL)."""

    template_name = "portfolio/team_form.html"
    form_class = TeamMembershipForm
    permission = "portfolio.change_startup"

    def get_form_kwargs(self):
        startup = self.get_startup()
        instance = TeamMembership(startup=startup)
        if "pk" in self.kwargs:
            instance = get_object_or_404(startup.team.select_related("user"), pk=self.kwargs["pk"])
        return {**super().get_form_kwargs(), "instance": instance}

    def form_valid(self, form):
        member = form.save()
        self.get_startup().touch()
        messages.success(self.request, _("%(name)s is in the team.") % {"name": member.display_name})
        return redirect(self.get_startup())


@require_POST
def team_member_remove(request, slug, pk):
    startup = get_object_or_404(Startup.objects.visible_to(request.user), slug=slug)
    if not request.user.has_perm("portfolio.change_startup", startup):
        raise PermissionDenied
    member = get_object_or_404(startup.team, pk=pk)
    member.delete()
    startup.touch()
    messages.success(request, _("%(name)s was removed from the team.") % {"name": member.display_name})
    return redirect(startup)


class EventFormView(StartupMixin, FormView):
    """Record an event of the product, or edit one (``pk`` in the URL): its managers only."""

    template_name = "portfolio/event_form.html"
    form_class = ProductEventForm
    permission = EVENTS_PERMISSION

    def get_form_kwargs(self):
        startup = self.get_startup()
        instance = ProductEvent(startup=startup)
        if "pk" in self.kwargs:
            instance = get_object_or_404(startup.product_events, pk=self.kwargs["pk"])
        return {**super().get_form_kwargs(), "instance": instance}

    def form_valid(self, form):
        event = form.save()
        self.get_startup().touch()
        messages.success(self.request, _("The event %(kind)s was saved.") % {"kind": event.get_kind_display()})
        return redirect(self.get_startup().get_absolute_url() + "#events")


@require_POST
def event_delete(request, slug, pk):
    """Delete an event (the page asks to confirm first): its product's managers only."""
    startup = get_object_or_404(Startup.objects.visible_to(request.user), slug=slug)
    if not request.user.has_perm(EVENTS_PERMISSION, startup):
        raise PermissionDenied
    event = get_object_or_404(startup.product_events, pk=pk)
    event.delete()
    startup.touch()
    messages.success(request, _("The event %(kind)s was deleted.") % {"kind": event.get_kind_display()})
    return redirect(startup.get_absolute_url() + "#events")


class IndicatorCreateView(StartupMixin, CreateView):
    template_name = "portfolio/indicator_form.html"
    form_class = IndicatorForm
    permission = "portfolio.change_startup"

    def form_valid(self, form):
        form.instance.startup = self.get_startup()
        form.save()
        self.get_startup().touch()
        messages.success(self.request, _("The indicator was added."))
        return redirect(self.get_startup())


class MeasurementCreateView(StartupMixin, CreateView):
    template_name = "portfolio/measurement_form.html"
    form_class = MeasurementForm
    permission = "portfolio.change_startup"

    def get_indicator(self):
        return get_object_or_404(Indicator, startup=self.get_startup(), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "indicator": self.get_indicator()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(indicator=self.get_indicator(), **kwargs)

    def form_valid(self, form):
        form.instance.recorded_by = self.request.user
        form.save()
        self.get_startup().touch()
        messages.success(self.request, _("The measurement was recorded."))
        return redirect(self.get_startup())


@method_decorator(login_not_required, name="dispatch")
class DirectoryView(FilteredListMixin, ListView):
    """The public directory. Its results (the count, the table, the pagination) show public facts
    only, the same for everyone: they are rendered once per version of the open data (which every
    save of what they show replaces, ``portfolio.opendata``), language and query, and kept in the
    cache; a request then costs the filter form and the page around them."""

    template_name = "portfolio/directory.html"
    results_template = "portfolio/includes/_directory_results.html"
    filterset_class = DirectoryFilter
    context_object_name = "startups"

    def get_base_queryset(self):
        return Startup.objects.published().for_list()

    def results_key(self):
        query = urlencode(sorted(self.request.GET.lists()), doseq=True)
        digest = hashlib.sha256(query.encode()).hexdigest()[:32]
        return f"directory:{opendata.current_version()}:{get_language()}:{digest}"

    def get_context_data(self, **kwargs):
        if self.filterset.is_bound and not self.filterset.is_valid():
            return super().get_context_data(**kwargs)  # a 400 with the form's errors: nothing kept
        context = {}

        def render():
            context.update(super(DirectoryView, self).get_context_data(**kwargs))
            return render_to_string(self.results_template, context, request=self.request)

        results = mark_safe(versions.kept(self.results_key(), render, opendata.CACHE_TIMEOUT))  # noqa: S308 (our template's output)
        return {"view": self, "filter": self.filterset, **kwargs, **context, "results": results}


@method_decorator(login_not_required, name="dispatch")
class PublicStartupView(DetailView):
    template_name = "portfolio/public_detail.html"
    context_object_name = "startup"

    def get_queryset(self):
        return Startup.objects.published().for_list()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            timeline=build_timeline(list(self.object.periods.all())),
            events=public_timeline(self.object.product_events.public()),
            other_incubators=self.object.other_incubators.all(),
            breadcrumb=[(_("Products of the network"), reverse("portfolio:directory"))],
            **kwargs,
        )


@method_decorator(login_not_required, name="dispatch")
class StatisticsView(TemplateView):
    """Public: the network's statistics (``portfolio.statistics``, two queries), each figure with its
    data table and its CSV file."""

    template_name = "portfolio/statistics.html"

    def get_context_data(self, **kwargs):
        figures = statistics.network_statistics()
        return super().get_context_data(statistics=figures, charts=figures.charts() if figures.years else [], **kwargs)


@login_not_required
@require_safe
def statistics_csv(request, table):
    """One chart of the statistics page as CSV (its data table). Public aggregates: no audit row (a GET
    changes nothing)."""
    chart = statistics.network_statistics().chart(table)
    if chart is None:
        raise Http404
    return charts.csv_response(chart, f"statistiques-{chart.key}.csv")

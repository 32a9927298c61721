"""The portfolio's panel on an incubator's public page (``incubator.contributions.INCUBATOR_PAGE``):
its published products, principal or co-incubated, by phase, in one query. Registered by
``contributions.register_contributions``."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incubator import charts, registry
from incubator.contributions import INCUBATOR_PAGE

from .models import Phase, Startup


def published_products(incubator):
    """The published products the incubator follows, as principal or co-incubator (a queryset)."""
    co_incubated = Startup.other_incubators.through.objects.filter(incubator=incubator).values("startup")
    return Startup.objects.published().filter(Q(incubator=incubator) | Q(pk__in=co_incubated))


def products_by_phase(incubator, user):
    """{"phase_groups": [(phase, [product])] of the phases that have some, in the phases' order;
    "phase_chart": the count of every phase (each bar a link to the directory's products of the
    incubator in that phase); "product_count"}: one query, public facts only (the same for every
    visitor)."""
    rows = published_products(incubator).order_by("name", "pk").values_list("slug", "name", "pitch", "phase")
    groups = {phase: [] for phase in Phase}
    for slug, name, pitch, phase in rows:
        startup = Startup(slug=slug, name=name, pitch=pitch, phase=phase)
        groups[Phase(phase)].append(startup)
    directory = reverse("portfolio:directory")
    key = "produits-par-phase"
    chart = charts.bars(
        key,
        _("Published products by phase"),
        [
            charts.Row(phase.label, len(startups), f"{directory}?incubator={incubator.slug}&phase={phase.value}")
            for phase, startups in groups.items()
        ],
        csv_url=reverse("incubator:incubator_chart_csv", kwargs={"slug": incubator.slug, "key": key}),
        label_header=_("Phase"),
        value_label=_("Products"),
    )
    return {
        "phase_groups": [(phase, startups) for phase, startups in groups.items() if startups],
        "phase_chart": chart,
        "product_count": sum(len(startups) for startups in groups.values()),
    }


def register():
    registry.register_panel(
        registry.Panel(
            INCUBATOR_PAGE,
            "results",
            "products_by_phase",
            "portfolio/includes/_public_results.html",
            context=products_by_phase,
            order=10,
        )
    )

"""The standards' dashboard tile ``standards_coverage`` (registered in ``contributions``),
completed with its chart and its figures per incubator for the network cockpit
(``incubator.registry.Tile``; registered by ``StandardsConfig.ready`` after the contributions)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from incubator import charts, registry, versions
from portfolio.models import Startup
from portfolio.tiles import by_incubator, summed

from .models import ProductStandard, Standard, StandardsVersion, Status

CURRENT = Q(standards__standard__version__is_current=True)


def coverage_figures(products, criteria, done, not_applicable):
    """The tile's value from its counts (the rule of ``contributions.coverage``)."""
    applicable = products * criteria - not_applicable
    percent = round(100 * done / applicable) if applicable > 0 else 0
    return {"done": done, "applicable": applicable, "percent": percent}


def coverage_per_incubator(user, scope, incubators):
    """Each incubator's coverage: its active products' answers grouped (two queries), times the
    number of current criteria (one query)."""
    criteria = Standard.objects.current().count()
    aggregates = {
        "products": Count("pk", distinct=True),
        "done": Count("standards", filter=CURRENT & Q(standards__status=Status.DONE)),
        "not_applicable": Count("standards", filter=CURRENT & Q(standards__status=Status.NOT_APPLICABLE)),
    }
    grouped = by_incubator(Startup.objects.active(), incubators, **aggregates)
    return {
        incubator.pk: coverage_figures(
            criteria=criteria, **summed(grouped[incubator.pk], "products", "done", "not_applicable")
        )
        for incubator in incubators
    }


def coverage_chart(value, scope):
    # No list shows criteria (each product's scorecard is on its page): no link rather than a list
    # of products that says nothing of them.
    rows = [charts.Row(_("Criteria done"), value["done"]), charts.Row(_("Criteria applicable"), value["applicable"])]
    title = _("Standards done: %(percent)s%% of the applicable criteria") % {"percent": value["percent"]}
    return charts.bars("standards-coverage", title, rows, label_header=_("Criteria"), value_label=_("Number"))


def register_tiles():
    # The figures are kept between requests (portfolio.tiles.kept) until one of these rows changes.
    versions.STEERING.watch(ProductStandard, Standard, StandardsVersion)
    registry.extend_tile(
        "standards_coverage",
        chart=coverage_chart,
        per_incubator=coverage_per_incubator,
        summary=lambda value: value["percent"],
        summary_label=_("Standards done (percent)"),
    )

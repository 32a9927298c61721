"""The portfolio's pages open to other apps, and its dashboard tile (registered by ``PortfolioConfig.ready``).

``PRODUCT_PAGE``, the managers' product page, has these slots for panels (``incubator.registry``);
a panel's template sees the page's ``startup`` (with the page's annotations), ``can_edit`` and
``can_change_phase``:

- ``heading``: under the product's phase badges;
- ``facts_after_incubators``: in the sheet's facts (``<dt>``/``<dd>``), after the incubators;
- ``facts_before_update``: in the sheet's facts, before the last update;
- ``aside_after_phases``: in the side column, after the phases.

``PORTFOLIO_LIST``, the managers' list of products, takes annotations, columns (shown after the
sponsors), filters (after the portfolio's own) and sorts. Both pages' querysets go through
``registry.annotate()`` of their page, then ``flags.with_flags()``: both pages take flags
(``registry.Flag``), the portfolio's own (``portfolio/flags.py``) and those other apps register;
the product page shows the raised ones, the list filters on them (``flag``).

Tiles: ``products_by_phase``; ``products_with_flags``, the active products with at least one flag
and the number of active products raising each one.
"""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incubator import registry

from . import flags, public_results, todo
from .models import ACTIVE_PHASES, Phase, Startup

PRODUCT_PAGE = "portfolio.startup_detail"
PORTFOLIO_LIST = "portfolio.startup_list"
PRODUCT_SLOTS = ("heading", "facts_after_incubators", "facts_before_update", "aside_after_phases")


def in_scope(scope):
    """The products of a dashboard's scope: an incubator's (principal or co-incubator), or all.
    One ``IN`` over the union of both (an ``OR`` of the two made PostgreSQL expect five times the
    rows, and JIT-compile the flags' query for longer than it runs)."""
    startups = Startup.objects.all()
    if scope.is_network:
        return startups
    principal = Startup.objects.filter(incubator=scope.incubator).order_by().values("pk")
    co_incubated = Startup.other_incubators.through.objects.filter(incubator=scope.incubator).values("startup")
    return startups.filter(pk__in=principal.union(co_incubated.order_by()))


def products_by_phase(user, scope):
    """Phase -> number of products today, every phase present (one query)."""
    counts = dict(in_scope(scope).order_by().values_list("phase").annotate(count=Count("pk")))
    return {phase.value: counts.get(phase.value, 0) for phase in Phase}


def products_with_flags(user, scope):
    """{"products": active products of the scope with at least one flag, then each flag's key: the
    products of the scope raising it}: one query, the products grouped by phase and by the flags
    they raise (each flag's subquery evaluated once a product), summed here over those few groups."""
    startups = flags.with_flags(registry.annotate(PORTFOLIO_LIST, in_scope(scope)), PORTFOLIO_LIST)
    return flag_totals(startups.order_by().values("phase", *flags_raised()).annotate(count=Count("pk")))


def flags_raised():
    """The annotations of the list's flags (``flags.with_flags``), to group the products by."""
    return [flags.attribute(flag) for flag in registry.flags(PORTFOLIO_LIST)]


def flag_totals(rows):
    """The tile's value from rows of (phase, each flag raised or not, count): the active products
    only, in the total and in each flag's count (an ended product's history is no longer something
    to act on), as the list's ``flag`` filter with ``phase=actif`` lists them."""
    listed = registry.flags(PORTFOLIO_LIST)
    totals = {"products": 0, **{flag.key: 0 for flag in listed}}
    for row in rows:
        if row["phase"] not in ACTIVE_PHASES:
            continue
        raised = [flag for flag in listed if row[flags.attribute(flag)]]
        if raised:
            totals["products"] += row["count"]
        for flag in raised:
            totals[flag.key] += row["count"]
    return totals


def flagged_link(scope):
    query = f"?flag={flags.ANY}" + ("" if scope.is_network else f"&incubator={scope.incubator.slug}")
    return reverse("portfolio:startup_list") + query


def register_contributions():
    public_results.register()  # the products by phase on an incubator's public page
    registry.declare_page(PRODUCT_PAGE, slots=PRODUCT_SLOTS)
    registry.declare_page(PORTFOLIO_LIST)
    for page in (PRODUCT_PAGE, PORTFOLIO_LIST):
        for flag in flags.portfolio_flags(page):
            registry.register_flag(flag)
    registry.register_tile(
        registry.Tile(
            "products_by_phase",
            _("Products by phase"),
            compute=products_by_phase,
            order=10,
            link=lambda scope: (
                reverse("portfolio:startup_list") + ("" if scope.is_network else f"?incubator={scope.incubator.slug}")
            ),
        )
    )
    registry.register_tile(
        registry.Tile(
            "products_with_flags", _("Flagged products"), compute=products_with_flags, order=15, link=flagged_link
        )
    )
    registry.register_todo_source(registry.TodoSource("portfolio", todo.portfolio_todo, order=30))

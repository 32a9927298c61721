"""The steering pages' figures: an incubator's dashboard and the network cockpit.

The portfolio owns the pages; every figure comes from the tiles the apps register in the core
(``incubator.registry.Tile``: the portfolio's own, the committees', the calls', the standards'),
so the portfolio names no upper app. Each tile computes its figure in one query; the cockpit's
comparison asks each tile's ``per_incubator`` once for all the incubators. Nothing here loops
over products: the Python work is over the tiles, the incubators and the phases.

- ``figures(user, scope)``: every tile of a scope, with its link and its chart (CSV link set);
- ``comparison(user, scope, incubators)``: one row per incubator, one cell per comparable tile;
- ``phases_chart``: the products by phase of each incubator, stacked (the cockpit, the as-of view);
- ``quality_issues()``: the data-quality list (flags, overrides, stale sheets), one query a page.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import rules
from django.db.models import BooleanField, Case, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator import charts, registry
from incubator.models import Incubator, Membership

from . import flags
from .contributions import PORTFOLIO_LIST
from .models import ACTIVE_PHASES, Phase, PhasePeriod, Startup
from .navigation import PORTFOLIO_ROLES
from .tiles import PHASE_COLOURS, in_force, kept, scope_key, shared

STALE_DAYS = 90
PHASES_BY_INCUBATOR = "products-by-incubator"


def dashboard_incubators(user):
    """The incubators whose dashboard ``user`` may open: those where they hold a portfolio role
    (manager, portfolio manager, coach, viewer); network admins and coordinators
    (``reads_network``): all. Others: none (a 404)."""
    if not user.is_authenticated:
        return Incubator.objects.none()
    if user.reads_network:
        return Incubator.objects.all()
    mine = Membership.objects.filter(user=user, role__in=PORTFOLIO_ROLES).values("incubator")
    return Incubator.objects.filter(pk__in=mine)


def my_dashboards(user):
    """The "Mon espace" section: the dashboards the user may open (one query) and, for whoever may
    open the cockpit (a network admin or coordinator), the cockpit alone (no query: every incubator
    is reached from it). None: no section."""
    if not user.is_authenticated:
        return None
    if rules.has_perm("portfolio.view_cockpit", user):  # the rule alone: no query of Django's permission tables
        return {"cockpit": True, "dashboards": []}
    dashboards = list(dashboard_incubators(user).order_by("title").values_list("title", "slug"))
    return {"cockpit": False, "dashboards": dashboards} if dashboards else None


def register_section():
    registry.register_section(
        registry.Section("steering", "portfolio/includes/_my_dashboards.html", context=my_dashboards, order=15)
    )


@dataclass
class Figure:
    tile: registry.Tile
    value: Any
    link: str = ""
    chart: Any = None


def csv_url(scope, key):
    if scope.is_network:
        return reverse("portfolio:cockpit_csv", args=[key])
    return reverse("portfolio:dashboard_csv", args=[scope.incubator.slug, key])


def may_open_list(tile, user):
    """Whether ``user`` may open the lists behind ``tile`` (``Tile.link_permission``): asked once a
    page (``tiles.one_page``), whatever the number of incubators compared (a coordinator's
    ``calls.manage_calls`` is a query)."""
    return shared(f"may_open_list:{tile.key}:{user.pk}", lambda: tile.may_open_list(user))


def figure(tile, user, scope):
    """One tile's figure on ``scope``: its value (its one query, or kept from an earlier page:
    ``tiles.kept``), link and chart."""
    value = kept(f"compute:{tile.key}", lambda: tile.compute(user, scope), scope_key(scope))
    chart = tile.chart(value, scope) if tile.chart else None
    linked = may_open_list(tile, user)  # no link to a list that would refuse the user
    if chart is not None:
        chart.csv_url = csv_url(scope, tile.key)
        chart.links = chart.links if linked else []
    return Figure(tile, value, tile.link(scope) if tile.link and linked else "", chart)


def figures(user, scope):
    """Every registered tile's figure on ``scope``, in order: one query a tile."""
    return [figure(tile, user, scope) for tile in registry.tiles()]


@dataclass
class Cell:
    value: Any
    link: str = ""


@dataclass
class ComparisonRow:
    incubator: Incubator
    cells: list = field(default_factory=list)
    values: dict = field(default_factory=dict)  # tile key -> the tile's value for the incubator


@dataclass
class Comparison:
    tiles: list
    rows: list

    @property
    def header(self):
        return [_("Incubator"), *(tile.summary_label or tile.label for tile in self.tiles)]

    def csv_rows(self):
        return [[row.incubator.title, *(cell.value for cell in row.cells)] for row in self.rows]


def comparison(user, scope, incubators, *, keys=None):
    """One row per incubator of ``incubators`` (a queryset), one cell per tile that compares
    (``per_incubator``; only those of ``keys`` if given): each tile's few queries once for all."""
    incubators = list(incubators.order_by("title"))
    tiles = [tile for tile in registry.tiles() if tile.per_incubator and (keys is None or tile.key in keys)]
    ids = hashlib.sha256(",".join(str(incubator.pk) for incubator in incubators).encode()).hexdigest()[:16]
    values = {
        tile.key: kept(
            f"per_incubator:{tile.key}",
            partial(tile.per_incubator, user, scope, incubators),
            scope_key(scope),
            ids,
        )
        for tile in tiles
    }
    opens = {tile.key: may_open_list(tile, user) for tile in tiles}  # once a tile, not once a row
    rows = []
    for incubator in incubators:
        row = ComparisonRow(incubator)
        for tile in tiles:
            value = values[tile.key].get(incubator.pk)
            row.values[tile.key] = value
            linked = tile.summary_link or tile.link
            link = linked(registry.Scope(incubator)) if linked and opens[tile.key] else ""
            row.cells.append(Cell("—" if value is None else tile.summarise(value), link))
        rows.append(row)
    return Comparison(tiles, rows)


def phases_chart(rows, scope, *, title=None):
    """The products by phase of each incubator of a comparison, stacked, each linked to its dashboard."""
    counts = [row.values.get("products_by_phase") or dict.fromkeys(Phase.values, 0) for row in rows]
    shown = [phase for phase in Phase if any(count[phase.value] for count in counts)] or list(ACTIVE_PHASES)
    chart = charts.stacked(
        PHASES_BY_INCUBATOR,
        title or _("Products by phase in each incubator"),
        [row.incubator.title for row in rows],
        [
            charts.Series(phase.label, tuple(count[phase.value] for count in counts), PHASE_COLOURS[phase])
            for phase in shown
        ],
        links=[reverse("portfolio:dashboard", args=[row.incubator.slug]) for row in rows],
        label_header=_("Incubator"),
    )
    return chart


# The portfolio as of a day ---------------------------------------------------------------------


def periods_in_force(day):
    """The periods in force on ``day``, with their product and its incubator, for a list."""
    return (
        PhasePeriod.objects.filter(in_force(day))
        .select_related("startup", "startup__incubator")
        .order_by("startup__incubator__title", "startup__name", "pk")
    )


# Data quality ---------------------------------------------------------------------------------


def stale_condition(now=None):
    """An active product whose sheet was not updated for ``STALE_DAYS`` days."""
    return Q(phase__in=ACTIVE_PHASES, updated_at__lt=(now or timezone.now()) - timedelta(days=STALE_DAYS))


def quality_issues():
    """The products with something to fix: an active product with a flag, an override in the
    phase history (whatever the phase), or an active product's stale sheet. One query (the flags
    and the staleness are annotations of it), to paginate."""
    startups = flags.with_flags(registry.annotate(PORTFOLIO_LIST, Startup.objects.for_list()), PORTFOLIO_LIST)
    stale = stale_condition()
    return (
        startups.annotate(is_stale=Case(When(stale, then=True), default=False, output_field=BooleanField()))
        .filter(flags.any_flag(PORTFOLIO_LIST) | flags.override_in_history() | stale)
        .order_by("incubator__title", "name", "pk")
    )


def with_issues(startups):
    """Each product of a page with its raised flags (from its annotations: no query): an ended
    product (listed for an override in its history) shows that override only, as the page says."""
    for startup in startups:
        raised = flags.raised(startup, PORTFOLIO_LIST)
        if startup.phase not in ACTIVE_PHASES:
            raised = [flag for flag in raised if flag.key == flags.OVERRIDE]
        startup.raised_flags = raised
    return startups

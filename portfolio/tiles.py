"""The portfolio's dashboard tiles, their charts and their comparison across incubators
(``incubator.registry.Tile``; registered by ``PortfolioConfig.ready`` after the contributions).

- ``products_by_phase`` (registered in ``contributions``): completed here with its chart (each
  phase linked to the filtered portfolio list), a look back (``Scope.as_of``: the phases in force
  on that day, from the ``PhasePeriod`` rows) and its count per incubator;
- ``products_over_time``: the products in each phase on the 1st of January of the last years and
  today (one query: a conditional count per day and phase);
- ``phase_durations``: how long the phases last (ended and current periods) against the network's
  typical maximum (``TYPICAL_MAX_DAYS``), each phase linked to its products that are late;
- ``products_with_flags`` (registered in ``contributions``): its chart and count per incubator.

``by_incubator`` groups a queryset's aggregates per incubator, a product counting in its principal
incubator and in each co-incubator (two queries whatever the number of rows): the wings' tiles use
it for their ``per_incubator``. A page computes its tiles inside ``one_page()``: with ``shared_as``,
the principal rows are read once a page, and a tile's network figure is their sum
(``network_rows``), so the cockpit runs no query for it beside the comparison's.
"""

import datetime
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain

from django.db.models import Avg, Count, DateField, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from incubator import charts, registry, versions
from incubator.models import Incubator

from . import flags
from .contributions import PORTFOLIO_LIST, flag_totals, flags_raised, in_scope
from .contributions import products_by_phase as products_by_phase_today
from .contributions import products_with_flags as products_with_flags_of
from .filters import ACTIVE
from .models import ACTIVE_PHASES, TYPICAL_MAX_DAYS, Phase, PhasePeriod, ProductEvent, Startup

YEARS_BACK = 5
PRODUCTS_BY_PHASE = "products_by_phase"
FLAGGED = "products_with_flags"
# One colour per phase in every stacked chart, whichever phases a chart shows.
PHASE_COLOURS = {phase.value: charts.PALETTE[i % len(charts.PALETTE)] for i, phase in enumerate(Phase)}
DAYS_PER_MONTH = 30.44


def list_url(scope, **params):
    """The portfolio list filtered on ``params`` and, for an incubator's scope, on the incubator."""
    if not scope.is_network:
        params = {"incubator": scope.incubator.slug, **params}
    return reverse("portfolio:startup_list") + (f"?{urlencode(params)}" if params else "")


def in_force(day, prefix=""):
    """The condition "the period is in force on ``day``": started on or before it, ending after it."""
    return Q(**{f"{prefix}start__lte": day}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": day}))


def by_incubator(queryset, incubators, *fields, path="", shared_as=None, **aggregates):
    """``{incubator pk: [row, ...]}`` (no rows: ``[]``): ``queryset``'s ``aggregates`` grouped by
    ``fields`` in each of ``incubators`` (a list of rows), a product counting in its principal
    incubator and in each co-incubator (``path`` leads from the queryset's model to the product:
    ``"startup__"`` for periods). Two queries.

    ``shared_as``: the principal part is ``principal_rows`` under that key, every incubator's,
    shared on a page with the tile's network figure (``network_rows``)."""
    if shared_as:
        principal = principal_rows(shared_as, queryset, *fields, path=path, **aggregates)
    else:
        principal = (
            queryset.filter(**{f"{path}incubator__in": incubators})
            .order_by()
            .values(f"{path}incubator", *fields)
            .annotate(**aggregates)
        )
    co_incubated = (
        queryset.filter(**{f"{path}other_incubators__in": incubators})
        .order_by()
        .values(f"{path}other_incubators", *fields)
        .annotate(**aggregates)
    )
    grouped = defaultdict(list)
    for row in chain(principal, co_incubated):
        row = dict(row)  # shared rows stay whole
        incubator = row.pop(f"{path}incubator", None) or row.pop(f"{path}other_incubators")
        grouped[incubator].append(row)
    return grouped


def principal_rows(key, queryset, *fields, path="", **aggregates):
    """``queryset``'s ``aggregates`` grouped by the product's principal incubator and ``fields``,
    every incubator's: one query, once a page (``shared`` under ``key``)."""
    rows = queryset.order_by().values(f"{path}incubator", *fields).annotate(**aggregates)
    return shared(key, lambda: list(rows))


def network_rows(grouped):
    """The network's rows from ``by_incubator(queryset, [], ..., shared_as=key)``: every product
    counts once, in its principal incubator (never null), and no incubator asks for co-incubated
    rows (an empty ``IN``: no query). On the cockpit, the comparison's query: no query of its own."""
    return list(chain.from_iterable(grouped.values()))


def summed(rows, *names):
    """The sum of each aggregate ``names`` over ``rows`` (an incubator's rows of ``by_incubator``)."""
    return {name: sum(row[name] or 0 for row in rows) for name in names}


# One page's shared figures ---------------------------------------------------------------------

_page = ContextVar("steering_page", default=None)


@contextmanager
def one_page():
    """While one page computes its tiles: a query several tiles (or a tile's ``compute`` and its
    ``per_incubator``) read runs once (``shared``). Outside: every call runs its query."""
    token = _page.set({})
    try:
        yield
    finally:
        _page.reset(token)


def shared(key, compute):
    """``compute()``, once per page (``one_page``) under ``key``; every call outside a page."""
    memo = _page.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


# Figures kept between requests -----------------------------------------------------------------

# How long a figure is kept at most; it is also recomputed when the hour turns (its key holds the
# hour: what the clock alone changes, a committee whose time has come, shows within the hour) and
# at the next request after a row it reads changed (``versions.STEERING``).
KEPT_TIMEOUT = 60 * 60


def scope_key(scope):
    return f"{'network' if scope.is_network else scope.incubator.pk}:{scope.as_of.isoformat() if scope.as_of else ''}"


def kept(name, compute, *parts):
    """``compute()``, kept in the cache for the next pages that ask for it under ``name`` and
    ``parts``: a figure depends on its scope and the data, not on who reads it (``registry.Tile``).
    The version is read once a page (``one_page``)."""
    prefix = shared("kept:prefix", lambda: f"steering:{versions.STEERING.current()}:{timezone.localtime():%Y%m%d%H}")
    return versions.kept(":".join(str(part) for part in (prefix, name, *parts)), compute, KEPT_TIMEOUT)


def watch_figures():
    """The rows the portfolio's figures read (the other apps watch theirs in their tiles module)."""
    versions.STEERING.watch(Startup, PhasePeriod, ProductEvent, Incubator)
    versions.STEERING.watch_links(Startup.other_incubators.through)


# Products by phase ----------------------------------------------------------------------------


def products_by_phase(user, scope):
    """Phase -> number of products on the scope's day: today's phase, or the periods in force on
    ``scope.as_of`` (one query)."""
    if scope.as_of is None and scope.is_network:
        return phase_counts(network_rows(phase_rows([])))
    if scope.as_of is None:
        return products_by_phase_today(user, scope)
    periods = PhasePeriod.objects.filter(in_force(scope.as_of), startup__in=in_scope(scope))
    counts = dict(periods.order_by().values_list("phase").annotate(count=Count("pk")))
    return {phase.value: counts.get(phase.value, 0) for phase in Phase}


def phase_rows(incubators):
    """``by_incubator`` of today's products by phase, its principal part shared on a page."""
    return by_incubator(Startup.objects.all(), incubators, "phase", shared_as=PRODUCTS_BY_PHASE, count=Count("pk"))


def products_by_phase_per_incubator(user, scope, incubators):
    if scope.as_of is None:
        grouped = phase_rows(incubators)
    else:
        periods = PhasePeriod.objects.filter(in_force(scope.as_of))
        grouped = by_incubator(periods, incubators, "phase", path="startup__", count=Count("pk"))
    return {incubator.pk: phase_counts(grouped[incubator.pk]) for incubator in incubators}


def phase_counts(rows):
    """Phase -> the sum of the rows' ``count`` (rows of ``phase`` and ``count``), every phase present."""
    counts = dict.fromkeys(Phase.values, 0)
    for row in rows:
        counts[row["phase"]] += row["count"]
    return counts


def products_by_phase_chart(value, scope):
    rows = [charts.Row(phase.label, value[phase.value], list_url(scope, phase=phase.value)) for phase in Phase]
    return charts.bars(
        "products-by-phase", _("Products by phase"), rows, label_header=_("Phase"), value_label=_("Products")
    )


def active_products(value):
    return sum(value[phase.value] for phase in ACTIVE_PHASES)


# Products over time ---------------------------------------------------------------------------


def days_shown(today):
    """The 1st of January of the last ``YEARS_BACK`` years, then ``today``."""
    firsts = [datetime.date(year, 1, 1) for year in range(today.year - YEARS_BACK + 1, today.year + 1)]
    return [day for day in firsts if day < today] + [today]


def products_over_time(user, scope):
    """{"days": [ISO days], "counts": {ISO day: {phase: products}}}: the periods in force on each
    day of ``days_shown`` (one query)."""
    days = [day.isoformat() for day in days_shown(scope.today)]
    periods = PhasePeriod.objects.filter(startup__in=in_scope(scope)).order_by().values("phase")
    # Grouped by phase, one count a day: a handful of expressions for Django to build, not one a
    # day and phase.
    rows = periods.annotate(**{f"on_{n}": Count("pk", filter=in_force(day)) for n, day in enumerate(days)})
    counts = {row["phase"]: row for row in rows}
    by_day = {
        day: {phase.value: counts.get(phase.value, {}).get(f"on_{n}", 0) for phase in Phase}
        for n, day in enumerate(days)
    }
    return {"days": days, "counts": by_day}


def products_over_time_chart(value, scope):
    days = value["days"]
    shown = [phase for phase in Phase if any(value["counts"][day][phase.value] for day in days)] or list(ACTIVE_PHASES)
    return charts.stacked(
        "products-over-time",
        _("Products by phase over time"),
        [date_format(datetime.date.fromisoformat(day), "SHORT_DATE_FORMAT") for day in days],
        [
            charts.Series(phase.label, tuple(value["counts"][day][phase.value] for day in days), PHASE_COLOURS[phase])
            for phase in shown
        ],
        label_header=_("Day"),
    )


# Phase durations ------------------------------------------------------------------------------


def phase_durations(user, scope):
    """Phase -> {"average_days", "typical_days", "periods", "longer"}: the periods of the phases that
    have a typical maximum, ended or current (counted to the scope's day), one query."""
    today = scope.today
    end = Coalesce(F("end"), Value(today, output_field=DateField()))
    length = ExpressionWrapper(end - F("start"), output_field=DurationField())
    longer = Q()
    for phase, days in TYPICAL_MAX_DAYS.items():
        longer |= Q(phase=phase.value, length__gt=datetime.timedelta(days=days))
    periods = PhasePeriod.objects.filter(
        startup__in=in_scope(scope), start__lte=today, phase__in=[phase.value for phase in TYPICAL_MAX_DAYS]
    ).alias(length=length)
    # Grouped by phase: three aggregates for Django to build, not three a phase.
    rows = (
        periods.order_by()
        .values("phase")
        .annotate(average=Avg("length"), periods=Count("pk"), longer=Count("pk", filter=longer))
    )
    found = {row["phase"]: row for row in rows}
    result = {}
    for phase, days in TYPICAL_MAX_DAYS.items():
        row = found.get(phase.value, {"average": None, "periods": 0, "longer": 0})
        average = row["average"]
        result[phase.value] = {
            "average_days": None if average is None else round(average.total_seconds() / 86400),
            "typical_days": days,
            "periods": row["periods"],
            "longer": row["longer"],
        }
    return result


def months(days):
    return None if days is None else round(days / DAYS_PER_MONTH, 1)


def phase_durations_chart(value, scope):
    phases = [Phase(phase) for phase in value]
    return charts.grouped(
        "phase-durations",
        _("Phase durations against the typical ones (months)"),
        [phase.label for phase in phases],
        [
            charts.Series(_("Average (months)"), tuple(months(value[p.value]["average_days"]) for p in phases)),
            charts.Series(_("Typical maximum (months)"), tuple(months(value[p.value]["typical_days"]) for p in phases)),
            charts.Series(_("Periods longer than typical"), tuple(value[p.value]["longer"] for p in phases)),
        ],
        # The products with a period of the phase longer than typical, ended or current: those averaged.
        links=[list_url(scope, too_long=p.value) for p in phases],
        label_header=_("Phase"),
    )


# Flagged products -----------------------------------------------------------------------------


def flagged(startups):
    """``startups`` with the list's flags (``flags.with_flags``), to group by the flags they raise."""
    return flags.with_flags(registry.annotate(PORTFOLIO_LIST, startups), PORTFOLIO_LIST)


def flag_rows(incubators):
    """``by_incubator`` of the products grouped by phase and by the flags they raise, with their
    count: the costly query of the flags (each flag's subquery once a product), its principal
    part shared by the network's figure and the comparison on a page."""
    startups = flagged(Startup.objects.all())
    return by_incubator(startups, incubators, "phase", *flags_raised(), shared_as=FLAGGED, count=Count("pk"))


def products_with_flags(user, scope):
    """The tile's value (``contributions.products_with_flags``); on the network, from the rows
    the comparison also reads (each product counted once: in its principal incubator)."""
    if scope.is_network:
        return flag_totals(network_rows(flag_rows([])))
    return products_with_flags_of(user, scope)


def products_with_flags_per_incubator(user, scope, incubators):
    grouped = flag_rows(incubators)
    return {incubator.pk: flag_totals(grouped[incubator.pk]) for incubator in incubators}


def products_with_flags_chart(value, scope):
    rows = [charts.Row(_("Active products with at least one flag"), value["products"], list_url(scope, flag=flags.ANY))]
    rows += [
        charts.Row(flag.label, value.get(flag.key, 0), list_url(scope, phase=ACTIVE, flag=flag.key))
        for flag in registry.flags(PORTFOLIO_LIST)
    ]
    return charts.bars(
        "flagged-products", _("Flagged products"), rows, label_header=_("Flag"), value_label=_("Products")
    )


def register_tiles():
    watch_figures()
    registry.extend_tile(
        "products_by_phase",
        compute=products_by_phase,
        chart=products_by_phase_chart,
        per_incubator=products_by_phase_per_incubator,
        summary=active_products,
        summary_label=_("Active products"),
        summary_link=lambda scope: list_url(scope, phase=ACTIVE),
    )
    registry.register_tile(
        registry.Tile(
            "products_over_time",
            _("Products by phase over time"),
            compute=products_over_time,
            order=11,
            chart=products_over_time_chart,
        )
    )
    registry.register_tile(
        registry.Tile(
            "phase_durations",
            _("Phase durations"),
            compute=phase_durations,
            order=12,
            chart=phase_durations_chart,
        )
    )
    registry.extend_tile(
        "products_with_flags",
        compute=products_with_flags,
        chart=products_with_flags_chart,
        per_incubator=products_with_flags_per_incubator,
        summary=lambda value: value["products"],
    )

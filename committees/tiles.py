"""The committees' dashboard tiles (``incubator.registry.Tile``; registered by
``CommitteesConfig.ready`` after the contributions), each with its chart and its figures per
incubator for the network cockpit:

- ``overdue_committees`` (registered in ``contributions``): completed with its count per incubator;
- ``committee_compliance``: the share of the scope's active products with a committee held in the
  last 6 months (one query);
- ``committee_budget``: the budget requested at the committees of the last 12 months (planned or
  held, not cancelled) and granted by their decisions, month by month (one query).

On the cockpit, the overdue, compliance and budget tiles' network figures are the sums of their
comparison's rows (``portfolio.tiles.by_incubator(..., shared_as=...)``): no query of their own.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DateField, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from incubator import charts, registry, versions
from portfolio.contributions import in_scope
from portfolio.filters import ACTIVE
from portfolio.models import Startup
from portfolio.tiles import by_incubator, list_url, network_rows, summed

from .contributions import overdue_count, with_schedule
from .models import Committee, Decision, DueDateChange

COMPLIANCE_MONTHS = 6
OVERDUE, COMPLIANCE, BUDGET = "overdue_committees", "committee_compliance", "committee_budget"  # shared rows
BUDGET_MONTHS = 12


def calendar_url(scope, **params):
    """The committee calendar filtered on ``params`` and, for an incubator's scope, on the incubator."""
    if not scope.is_network:
        params = {"incubator": scope.incubator.slug, **params}
    return reverse("committees:committee_list") + f"?{urlencode(params)}"


# Overdue ----------------------------------------------------------------------------------------


def overdue_rows(incubators):
    """``by_incubator`` of the overdue active products, its principal part shared on a page by the
    network's figure and the comparison."""
    startups = with_schedule(Startup.objects.active())
    return by_incubator(startups, incubators, shared_as=OVERDUE, count=Count("pk", filter=Q(is_overdue=True)))


def overdue(user, scope):
    """The tile's value (``contributions.overdue_count``); on the network, from the comparison's rows."""
    if scope.is_network:
        return summed(network_rows(overdue_rows([])), "count")["count"]
    return overdue_count(user, scope)


def overdue_per_incubator(user, scope, incubators):
    grouped = overdue_rows(incubators)
    return {incubator.pk: summed(grouped[incubator.pk], "count")["count"] for incubator in incubators}


# Compliance -------------------------------------------------------------------------------------


def compliance_since(today):
    return today - relativedelta(months=COMPLIANCE_MONTHS)


def held_recently(today):
    """A committee of the product held in the ``COMPLIANCE_MONTHS`` months up to ``today``."""
    return Q(
        Exists(
            Committee.objects.filter(
                startup=OuterRef("pk"),
                status=Committee.Status.HELD,
                scheduled_at__date__gte=compliance_since(today),
                scheduled_at__date__lte=today,
            )
        )
    )


def compliance_figures(active, compliant):
    return {"active": active, "compliant": compliant, "percent": round(100 * compliant / active) if active else 0}


def compliance(user, scope):
    """{"active", "compliant", "percent"}: the scope's active products, those with a committee held
    in the last 6 months, their share in percent (one query; on the network, the comparison's)."""
    if scope.is_network:
        return compliance_figures(**summed(network_rows(compliance_rows([])), "active", "compliant"))
    today = timezone.localdate()
    figures = in_scope(scope).active().aggregate(active=Count("pk"), compliant=Count("pk", filter=held_recently(today)))
    return compliance_figures(figures["active"], figures["compliant"])


def compliance_rows(incubators):
    today = timezone.localdate()
    aggregates = {"active": Count("pk"), "compliant": Count("pk", filter=held_recently(today))}
    return by_incubator(Startup.objects.active(), incubators, shared_as=COMPLIANCE, **aggregates)


def compliance_per_incubator(user, scope, incubators):
    grouped = compliance_rows(incubators)
    return {
        incubator.pk: compliance_figures(**summed(grouped[incubator.pk], "active", "compliant"))
        for incubator in incubators
    }


def compliance_chart(value, scope):
    since = compliance_since(timezone.localdate())
    rows = [
        charts.Row(_("Active products"), value["active"], list_url(scope, phase=ACTIVE)),
        charts.Row(
            _("With a committee held in the last 6 months"),
            value["compliant"],
            calendar_url(scope, section="held", date_from=since.isoformat()),
        ),
    ]
    title = _("Committee compliance: %(percent)s%% of the active products") % {"percent": value["percent"]}
    return charts.bars("committee-compliance", title, rows, label_header=_("Products"), value_label=_("Number"))


# Budget ---------------------------------------------------------------------------------------


def budget_months(today):
    """The first day of each of the ``BUDGET_MONTHS`` months up to ``today``'s."""
    first = today.replace(day=1)
    return [first - relativedelta(months=n) for n in range(BUDGET_MONTHS - 1, -1, -1)]


def budget_committees(today):
    return Committee.objects.exclude(status=Committee.Status.CANCELLED).filter(
        scheduled_at__date__gte=budget_months(today)[0], scheduled_at__date__lte=today
    )


def euros(amount):
    return round(amount or 0)


def budget(user, scope):
    """{"months": [ISO first days], "requested": {month: EUR}, "granted": {month: EUR}, "total_requested",
    "total_granted"}: the committees of the last 12 months of the scope's products (one query; on
    the network, the comparison's)."""
    today = timezone.localdate()
    months = [month.isoformat() for month in budget_months(today)]
    if scope.is_network:
        rows = network_rows(budget_rows([]))  # a month's rows: one an incubator
    else:
        rows = (
            budget_committees(today)
            .filter(startup__in=in_scope(scope))
            .annotate(month=TruncMonth("scheduled_at", output_field=DateField()))
            .order_by()
            .values("month")
            .annotate(requested=Sum("requested_budget"), granted=Sum("decision__granted_amount"))
        )
    sums = {month: {"requested": 0, "granted": 0} for month in months}
    for row in rows:
        month = row["month"].isoformat()
        if month in sums:
            sums[month]["requested"] += row["requested"] or 0
            sums[month]["granted"] += row["granted"] or 0
    requested = {month: euros(sums[month]["requested"]) for month in months}
    granted = {month: euros(sums[month]["granted"]) for month in months}
    return {
        "months": months,
        "requested": requested,
        "granted": granted,
        "total_requested": sum(requested.values()),
        "total_granted": sum(granted.values()),
    }


def budget_rows(incubators):
    """``by_incubator`` of the last 12 months' committees by month, its principal part shared on
    a page by the network's figure and the comparison."""
    committees = budget_committees(timezone.localdate()).annotate(
        month=TruncMonth("scheduled_at", output_field=DateField())
    )
    aggregates = {"requested": Sum("requested_budget"), "granted": Sum("decision__granted_amount")}
    return by_incubator(committees, incubators, "month", path="startup__", shared_as=BUDGET, **aggregates)


def budget_per_incubator(user, scope, incubators):
    grouped = budget_rows(incubators)
    result = {}
    for incubator in incubators:
        sums = summed(grouped[incubator.pk], "requested", "granted")
        result[incubator.pk] = {"total_requested": euros(sums["requested"]), "total_granted": euros(sums["granted"])}
    return result


def budget_chart(value, scope):
    months = [datetime.date.fromisoformat(month) for month in value["months"]]
    links = [
        calendar_url(
            scope,
            section="all",
            date_from=month.isoformat(),
            date_to=(month + relativedelta(months=1, days=-1)).isoformat(),
        )
        for month in months
    ]
    # Grouped bars, not lines: equal amounts would draw one line over the other, and months
    # without a committee between two with one would make spikes.
    return charts.grouped(
        "committee-budget",
        _("Budget requested and granted over 12 months (EUR)"),
        [date_format(month, "m/Y") for month in months],
        [
            charts.Series(_("Requested (EUR)"), tuple(value["requested"][m] for m in value["months"])),
            charts.Series(_("Granted (EUR)"), tuple(value["granted"][m] for m in value["months"])),
        ],
        links=links,
        label_header=_("Month"),
    )


def register_tiles():
    # The figures are kept between requests (portfolio.tiles.kept) until one of these rows changes.
    versions.STEERING.watch(Committee, Decision, DueDateChange)
    registry.extend_tile("overdue_committees", compute=overdue, per_incubator=overdue_per_incubator)
    registry.register_tile(
        registry.Tile(
            "committee_compliance",
            _("Committee compliance"),
            compute=compliance,
            order=21,
            link=lambda scope: calendar_url(scope, section="held"),
            chart=compliance_chart,
            per_incubator=compliance_per_incubator,
            summary=lambda value: value["percent"],
            summary_label=_("Committee in the last 6 months (percent)"),
        )
    )
    registry.register_tile(
        registry.Tile(
            "committee_budget",
            _("Budget requested and granted"),
            compute=budget,
            order=22,
            link=lambda scope: calendar_url(scope, section="all"),
            chart=budget_chart,
            per_incubator=budget_per_incubator,
            summary=lambda value: value["total_granted"],
            summary_label=_("Granted over 12 months (EUR)"),
        )
    )

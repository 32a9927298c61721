"""The committees' panel on an incubator's public page (``incubator.contributions.INCUBATOR_PAGE``):
the committees held for its published products over the last twelve months (this month and the
eleven before), per month and kind, in one query. Public facts only: no budget, no minutes, no
attendee. Registered by ``contributions.register_contributions``."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from incubator import registry
from incubator.contributions import INCUBATOR_PAGE
from incubator.dates import local_day
from portfolio.public_results import published_products

from .models import Committee

MONTHS = 12


def months_until(today, count=MONTHS):
    """The first days of the ``count`` months that end with ``today``'s, oldest first."""
    this_month = today.replace(day=1)
    return [this_month - relativedelta(months=n) for n in range(count - 1, -1, -1)]


def committees_held(incubator, user):
    """{"committee_months": [(month, {kind: count}, total)], "committee_kinds", "committee_count",
    "committees_since"}: one query."""
    now = timezone.now()
    months = months_until(local_day(now))
    since = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time.min))
    counts = {
        (local_day(month), kind): count
        for month, kind, count in Committee.objects.filter(
            status=Committee.Status.HELD,
            scheduled_at__gte=since,
            scheduled_at__lte=now,
            startup__in=published_products(incubator).values("pk"),
        )
        .annotate(month=TruncMonth("scheduled_at"))
        .values_list("month", "kind")
        .annotate(count=Count("pk"))
        .order_by()
    }
    kinds = list(Committee.Kind)
    rows = []
    for month in months:
        by_kind = {kind: counts.get((month, kind.value), 0) for kind in kinds}
        rows.append((month, by_kind, sum(by_kind.values())))
    return {
        "committee_months": rows,
        "committee_kinds": kinds,
        "committee_count": sum(total for _month, _by_kind, total in rows),
        "committees_since": months[0],
    }


def register():
    registry.register_panel(
        registry.Panel(
            INCUBATOR_PAGE,
            "results",
            "committees_held",
            "committees/includes/_public_results.html",
            context=committees_held,
            order=20,
        )
    )

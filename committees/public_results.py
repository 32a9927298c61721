"""The committees' panel on an incubator's public page (``incubator.contributions.INCUBATOR_PAGE``):
the committees held for its published products over the last twelve months (this month and the
eleven before), per month and kind, in one query. A committee is held once its time has come and it
was not cancelled, its decision recorded or not (as ``with_schedule`` reads "took place"). Public
facts only: no budget, no minutes, no attendee. Registered by ``contributions.register_contributions``."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from incubator import charts, registry
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
    """{"committee_chart": per month (the oldest first), the committees held of each kind held;
    "committee_count", "committees_since"}: one query."""
    now = timezone.now()
    months = months_until(local_day(now))
    since = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time.min))
    counts = {
        (local_day(month), kind): count
        for month, kind, count in Committee.objects.exclude(status=Committee.Status.CANCELLED)
        .filter(
            scheduled_at__gte=since,
            scheduled_at__lte=now,
            startup__in=published_products(incubator).values("pk"),
        )
        .annotate(month=TruncMonth("scheduled_at"))
        .values_list("month", "kind")
        .annotate(count=Count("pk"))
        .order_by()
    }
    # The kinds held in the window (a column each), in their order.
    kinds = [kind for kind in Committee.Kind if any(held == kind.value for _month, held in counts)]
    key = "comites-tenus"
    chart = charts.stacked(
        key,
        _("Committees held per month"),
        [formats.date_format(month, "YEAR_MONTH_FORMAT") for month in months],
        [charts.Series(kind.label, tuple(counts.get((month, kind.value), 0) for month in months)) for kind in kinds],
        csv_url=reverse("incubator:incubator_chart_csv", kwargs={"slug": incubator.slug, "key": key}),
        label_header=_("Month"),
    )
    return {
        "committee_chart": chart,
        "committee_count": sum(counts.values()),
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

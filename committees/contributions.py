"""What the committees add to other apps' pages (registered by ``CommitteesConfig.ready``;
``incubator.registry``): the committee schedule of the portfolio's list and product page, the
overdue tile, the calendar feed as a personal view.

The schedule is an annotation of the products (``with_schedule``), read by:

- the product page: the due date's badges under the phase (``heading``), the due and planned dates
  in the sheet (``facts_before_update``), the committees and their actions (``aside_after_phases``);
- the portfolio list: the "Next committee" column, the committee filter and the sort on the date
  the column shows.
"""

from datetime import timedelta

import django_filters
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator import registry
from portfolio.contributions import PORTFOLIO_LIST, PRODUCT_PAGE, in_scope
from portfolio.models import ACTIVE_PHASES

from . import services
from .cadence import gaps_of
from .models import Committee

DUE_SOON_DAYS = 45


def with_schedule(startups, now=None):
    """Annotate a Startup queryset with what the managers watch: the next planned committee and the
    due date's state.

    ``next_committee_at``: the earliest committee planned from now on (None if none), and
    ``next_committee_on`` its day; ``is_overdue``: the due date has passed and no committee took
    place on or after it (one not cancelled whose time has come, held or awaiting its decision);
    ``is_planned_late``: the next planned committee falls after the due date.
    Subqueries of the same SQL query: a list's query count does not grow with its rows.
    """
    now = now or timezone.now()
    mine = Committee.objects.filter(startup=OuterRef("pk"))
    upcoming = mine.filter(status=Committee.Status.PLANNED, scheduled_at__gte=now).order_by("scheduled_at")
    took_place = mine.exclude(status=Committee.Status.CANCELLED).filter(
        scheduled_at__lte=now, scheduled_at__date__gte=OuterRef("next_committee_due")
    )
    return startups.annotate(
        next_committee_at=Subquery(upcoming.values("scheduled_at")[:1]),
        next_committee_on=Subquery(upcoming.annotate(day=TruncDate("scheduled_at")).values("day")[:1]),
    ).annotate(
        is_overdue=Case(
            When(Q(next_committee_due__lt=timezone.localdate(now)) & ~Exists(took_place), then=True),
            default=False,
            output_field=models.BooleanField(),
        ),
        is_planned_late=Case(
            When(next_committee_on__gt=F("next_committee_due"), then=True),
            default=False,
            output_field=models.BooleanField(),
        ),
    )


# The portfolio list's committee filter and sort (on a queryset annotated by ``with_schedule``).


class Schedule(models.TextChoices):
    OVERDUE = "en-retard", _("Overdue")
    PLANNED_LATE = "planifie-apres-echeance", _("Planned after the due date")
    DUE_SOON = "echeance-45-jours", _("Due within 45 days")
    UNPLANNED = "sans-comite", _("No committee planned (active products)")


def by_schedule(startups, name, value):
    if value == Schedule.OVERDUE:
        return startups.filter(is_overdue=True)
    if value == Schedule.PLANNED_LATE:
        return startups.filter(is_planned_late=True)
    if value == Schedule.DUE_SOON:
        today = timezone.localdate()
        return startups.filter(next_committee_due__range=(today, today + timedelta(days=DUE_SOON_DAYS)))
    return startups.active().filter(next_committee_at__isnull=True)  # Schedule.UNPLANNED


def schedule_filter():
    return django_filters.ChoiceFilter(
        label=_("Next committee"), choices=Schedule.choices, method=by_schedule, empty_label=_("All products")
    )


def next_committee_date():
    """The date the list shows: the planned committee's day, else the due date."""
    return Coalesce("next_committee_on", "next_committee_due")


# The product page's panels.


def product_committees(startup, user):
    """The product's committees the user may read (a viewer or a coach of the incubator reads none)."""
    committees = list(Committee.objects.filter(startup=startup).visible_to(user).order_by("-scheduled_at"))
    held = {committee.local_date for committee in committees if committee.is_held}
    first_start = startup.periods.order_by("start").values_list("start", flat=True).first() if held else None
    return {"committees": committees, "cadence_gaps": gaps_of(committee_days=held, first_phase_start=first_start)}


# The dashboard tile.


def overdue_count(user, scope):
    """Active products of the scope whose due date passed with no committee since (one query)."""
    return with_schedule(in_scope(scope).active()).filter(is_overdue=True).count()


def overdue_link(scope):
    query = f"?committee={Schedule.OVERDUE}" + ("" if scope.is_network else f"&incubator={scope.incubator.slug}")
    return reverse("portfolio:startup_list") + query


def calendar_committees(user, since):
    """The personal feed's committees: those of the person's calendar from ``since`` on (one query)."""
    committees = Committee.objects.in_calendar_of(user).filter(scheduled_at__gte=since).select_related("startup")
    return services.committee_events(committees)


# The product's time line and flags (portfolio.timeline, portfolio.flags).


def timeline_committees(startup, user):
    """The product's committees on its time line, those the user may read (one query): held ones
    with their decision's outcome, those awaiting one, planned ones; cancelled ones left out."""
    committees = (
        Committee.objects.filter(startup=startup)
        .visible_to(user)
        .exclude(status=Committee.Status.CANCELLED)
        .select_related("decision")
    )
    entries = []
    for committee in committees:
        decision = getattr(committee, "decision", None)
        if decision is not None:
            state = _("decision: %(outcome)s") % {"outcome": decision.get_outcome_display()}
        elif committee.awaits_decision:
            state = _("decision to record")
        else:
            state = _("planned")
        text = f"{committee.get_kind_display()} — {state}"
        entries.append(
            registry.TimelineEntry(committee.local_date, _("Investment committee"), text, committee.get_absolute_url())
        )
    return entries


def no_committee_ever():
    """An active product with no committee at all: none held, awaiting its decision or planned
    (cancelled ones do not count)."""
    committees = Committee.objects.filter(startup=OuterRef("pk")).exclude(status=Committee.Status.CANCELLED)
    return Q(phase__in=ACTIVE_PHASES) & ~Q(Exists(committees))


def overdue():
    """The due date passed with no committee since (``with_schedule``'s ``is_overdue``)."""
    return Q(is_overdue=True)


def register_contributions():
    for page in (PRODUCT_PAGE, PORTFOLIO_LIST):
        registry.register_annotation(registry.Annotation(page, "committee_schedule", with_schedule))
    registry.register_panel(
        registry.Panel(PRODUCT_PAGE, "heading", "committee_badges", "committees/includes/_schedule_badges.html")
    )
    registry.register_panel(
        registry.Panel(
            PRODUCT_PAGE, "facts_before_update", "committee_dates", "committees/includes/_product_schedule.html"
        )
    )
    registry.register_panel(
        registry.Panel(
            PRODUCT_PAGE,
            "aside_after_phases",
            "committees",
            "committees/includes/_product_committees.html",
            context=product_committees,
        )
    )
    registry.register_column(
        registry.Column(
            PORTFOLIO_LIST, "next_committee", _("Next committee"), "committees/includes/_next_committee_cell.html"
        )
    )
    registry.register_list_filter(registry.ListFilter(PORTFOLIO_LIST, "committee", schedule_filter))
    registry.register_sort(registry.Sort(PORTFOLIO_LIST, "next_committee", _("Next committee"), next_committee_date))
    registry.register_tile(
        registry.Tile("overdue_committees", _("Overdue committees"), compute=overdue_count, order=20, link=overdue_link)
    )
    registry.register_personal_view("committees:calendar_feed")
    registry.register_calendar_source(registry.CalendarSource("committees", calendar_committees, order=10))
    registry.register_timeline_source(registry.TimelineSource("committees", timeline_committees, order=10))
    for page in (PRODUCT_PAGE, PORTFOLIO_LIST):
        registry.register_flag(registry.Flag(page, "aucun-comite", _("No committee ever"), no_committee_ever, order=50))
        registry.register_flag(
            registry.Flag(page, Schedule.OVERDUE, _("Committee overdue"), overdue, level="error", order=60)
        )

"""What the committees add to other apps' pages (registered by ``CommitteesConfig.ready``;
``incubator.registry``): the committee schedule of the portfolio's list and product page, the
overdue tile, the calendar feed as a personal view.

The schedule is an annotation of the products (``with_schedule``), read by:

- the product page: the due date's badges under the phase (``heading``), the due and planned dates
  in the sheet (``facts_before_update``), the committees and their actions (``aside_after_phases``);
- the portfolio list: the "Next committee" column, the committee filter and the sort on the date
  the column shows.

The 6-month rule's marks (``with_rule_marks``, both pages): the last decision of the current
phase when it went beyond the rule (and no due date was set by hand since), the due date set by
hand beyond it; the flag ``hors-regle-6-mois`` reads them.

The committee page (``COMMITTEE_PAGE``) is open to panels of the other wings; its slots:

- ``main_after_indicators``: in the main column, after the indicators measured since the
  previous committee (the standards' scorecard);
- ``aside_after_attendees``: in the side column, after the attendees.

A panel's ``context(committee, user)`` gets the committee (its product selected with it); the
page's template context offers ``committee``, ``startup`` and ``can_manage``.
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
from portfolio.models import ACTIVE_PHASES, PhasePeriod

from . import public_results, services, todo
from .cadence import gaps_of
from .models import Committee, Decision, DueDateChange

DUE_SOON_DAYS = 45
COMMITTEE_PAGE = "committees.committee_detail"
COMMITTEE_SLOTS = ("main_after_indicators", "aside_after_attendees")
BEYOND_RULE = "hors-regle-6-mois"


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


def with_first_phase_start(startups):
    """Annotate a Startup queryset with the start of its first phase (``first_phase_start``): the
    product page's committees panel measures the gaps in the cadence from it."""
    first = PhasePeriod.objects.filter(startup=OuterRef("pk")).order_by("start").values("start")[:1]
    return startups.annotate(first_phase_start=Subquery(first))


def with_rule_marks(startups):
    """Annotate a Startup queryset with the 6-month rule's marks (subqueries of the same query):
    ``rule_last_decision``, the last held decision of the current phase (as ``cadence.with_record``
    orders them); ``due_change_reason``, the reason of the due date set by hand when it is the
    due date in force, and ``rule_due_change_reason`` its reason for going beyond the rule (None
    otherwise)."""
    last = Decision.objects.filter(
        committee__startup=OuterRef("pk"),
        committee__status=Committee.Status.HELD,
        committee__startup__periods__end__isnull=True,
        decided_on__gte=F("committee__startup__periods__start"),
    ).order_by("-decided_on", "-committee__scheduled_at", "-pk")
    by_hand = DueDateChange.objects.filter(startup=OuterRef("pk"), due=OuterRef("next_committee_due"))
    by_hand = by_hand.order_by("-changed_at", "-pk")
    return startups.annotate(
        rule_last_decision=Subquery(last.values("pk")[:1]),
        due_change_reason=Subquery(by_hand.values("reason")[:1]),
        rule_due_change_reason=Subquery(by_hand.filter(beyond_rule=True).values("beyond_rule_reason")[:1]),
    )


def beyond_rule():
    """The due date in force goes beyond the 6-month rule: the last decision of the phase granted
    more (and no date was set by hand since), or a manager set it by hand beyond the rule."""
    changed_since = DueDateChange.objects.filter(
        startup=OuterRef("committee__startup"), changed_at__gt=OuterRef("recorded_at")
    )
    decision = Decision.objects.filter(pk=OuterRef("rule_last_decision"), beyond_rule=True).exclude(
        Exists(changed_since)
    )
    return Q(next_committee_due__isnull=False) & (Q(Exists(decision)) | Q(rule_due_change_reason__isnull=False))


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
    """The product's committees the user may read (a viewer or a coach of the incubator reads none),
    their decisions with them (the 6-month rule's marks)."""
    committees = list(
        Committee.objects.filter(startup=startup).visible_to(user).select_related("decision").order_by("-scheduled_at")
    )
    held = {committee.local_date for committee in committees if committee.is_held}
    first_start = startup.first_phase_start if held else None  # with_first_phase_start, on the page's query
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
            if decision.beyond_rule:
                state += " — " + _("beyond the 6-month rule (%(months)s months): %(reason)s") % {
                    "months": decision.granted_months,
                    "reason": decision.beyond_rule_reason,
                }
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
    public_results.register()  # the committees held, on an incubator's public page
    registry.declare_page(COMMITTEE_PAGE, slots=COMMITTEE_SLOTS)
    for page in (PRODUCT_PAGE, PORTFOLIO_LIST):
        registry.register_annotation(registry.Annotation(page, "committee_schedule", with_schedule))
        registry.register_annotation(registry.Annotation(page, "committee_rule_marks", with_rule_marks))
    registry.register_annotation(registry.Annotation(PRODUCT_PAGE, "first_phase_start", with_first_phase_start))
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
    registry.register_todo_source(registry.TodoSource("committees", todo.committees_todo, order=10))
    for page in (PRODUCT_PAGE, PORTFOLIO_LIST):
        registry.register_flag(registry.Flag(page, "aucun-comite", _("No committee ever"), no_committee_ever, order=50))
        registry.register_flag(
            registry.Flag(page, Schedule.OVERDUE, _("Committee overdue"), overdue, level="error", order=60)
        )
        registry.register_flag(registry.Flag(page, BEYOND_RULE, _("Beyond the 6-month rule"), beyond_rule, order=70))

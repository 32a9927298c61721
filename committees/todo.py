"""What the committees ask of a person on "Mon espace" (``incubator.registry.TodoSource``,
registered by ``contributions.register_contributions``). Two queries, whatever the number of rows.

For a lead or a portfolio manager, on the products of their incubators
(``portfolio.todo.managed_startups``, co-incubation included), the facts the reminders send
(``reminders.py``) read on the day:

- a committee to organise: an active product whose due date is within ``DUE_SOON`` (the
  D-45 rule of ``DueWithoutCommittee``) with no committee planned ahead (``planned_ahead``), or
  overdue (``contributions.with_schedule``'s ``is_overdue``, read through the portfolio list's
  annotations: ``contributions`` registers this source and is not imported here); late; link:
  plan it; overdue with a committee planned after the due date (the list's "planned late"), late,
  the two dates said; link: the product page, where both are;
- a deck missing at D-7 (``DeckMissing``): a planned committee within 7 days without a deck;
  link: add a document;
- a decision not recorded (``DecisionMissing``): a committee not cancelled whose time has come
  and that has no decision; late from the day after; link: record it;
- purchasing not told (``PurchasingFollowUp``): a decision whose ``purchasing_told`` is off;
  late from the day after; link: the committee, where the follow-up is ticked.

For a member of a product's current team (on the products they do not manage): the product's next
planned committee and whether its deck is still missing (link: add it), or, none planned, the due
date when it is within the D-45 window or past (link: the product page).
"""

from datetime import timedelta

from django.db.models import BooleanField, Case, Q, When
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from incubator import registry
from incubator.reminders import day_bounds
from portfolio.contributions import PORTFOLIO_LIST
from portfolio.models import Startup
from portfolio.todo import managed_startups, team_startups

from .models import Committee, planned_ahead
from .reminders import WeeklyDigest

# The D-45 window: the horizon the reminders watch (``WeeklyDigest``, the D-45 rule).
DUE_SOON = WeeklyDigest.horizon

DECK_DAYS = 7  # the D-7 rule of the deck reminder


def _managed(startup_field, user):
    return Case(
        When(**{f"{startup_field}__in": managed_startups(user).values("pk")}, then=True),
        default=False,
        output_field=BooleanField(),
    )


def startups_to_plan(user, today, now):
    """Active products of ``user`` (managed or in their team) due within the D-45 window or overdue,
    with no committee planned ahead; ``todo_managed`` tells which ones ``user`` manages (one query)."""
    mine = managed_startups(user).values("pk")
    team = team_startups(user, today).values("pk")
    # The portfolio list's annotations: the committees' schedule (``contributions.with_schedule``).
    startups = registry.annotate(PORTFOLIO_LIST, Startup.objects.filter(Q(pk__in=mine) | Q(pk__in=team)).active())
    return (
        startups.annotate(todo_managed=_managed("pk", user))
        # Planned ahead, only an overdue one its managers watch (planned after its due date).
        .filter(Q(~planned_ahead()) | Q(is_overdue=True, todo_managed=True))
        .filter(next_committee_due__lte=today + DUE_SOON)
        .filter(Q(next_committee_due__gte=today) | Q(is_overdue=True))
        .order_by("next_committee_due", "pk")
    )


def committees_to_follow(user, today, now):
    """The committees of ``user``'s products that need something (one query): planned within 7 days
    without a deck, whose time has come without a decision, whose decision purchasing was not told
    of (managed products), and every upcoming planned one (the team's next committee)."""
    mine = managed_startups(user).values("pk")
    team = team_startups(user, today).values("pk")
    _start, deck_end = day_bounds(today, today + timedelta(days=DECK_DAYS))
    upcoming = Q(status=Committee.Status.PLANNED, scheduled_at__gte=now)
    managed_needs = (
        (upcoming & Q(scheduled_at__lt=deck_end, has_deck=False))
        | Q(scheduled_at__lt=now, has_decision=False)
        | Q(decision__purchasing_told=False)
    )
    # ``for_list``: the committee list's ``has_deck`` and ``has_decision``, as the reminders test them.
    return (
        Committee.objects.filter(Q(startup__in=mine) | Q(startup__in=team))
        .exclude(status=Committee.Status.CANCELLED)
        .for_list()
        .annotate(todo_managed=_managed("startup", user))
        .filter((Q(todo_managed=True) & managed_needs) | (Q(todo_managed=False) & upcoming))
        .select_related("decision")
        .order_by("scheduled_at", "pk")
    )


def plan_item(startup, today):
    late = startup.next_committee_due < today
    if startup.next_committee_on is not None:
        # Overdue, its next committee planned after the due date (the list's "planned late").
        text = _("%(product)s: committee overdue since %(due)s, the one planned on %(planned)s comes after it") % {
            "product": startup.name,
            "due": formats.date_format(startup.next_committee_due, "DATE_FORMAT"),
            "planned": formats.date_format(startup.next_committee_on, "DATE_FORMAT"),
        }
        url = startup.get_absolute_url()
        return registry.TodoItem(startup.next_committee_due, _("Committee"), text, url, late=late)
    if startup.todo_managed:
        text = _("%(product)s: plan its next committee") % {"product": startup.name}
        url = reverse("committees:committee_plan", kwargs={"slug": startup.slug})
    else:
        text = _("%(product)s: next committee not planned yet") % {"product": startup.name}
        url = startup.get_absolute_url()
    return registry.TodoItem(startup.next_committee_due, _("Committee"), text, url, late=late)


def managed_items(committee, today, now, deck_end):
    """A managed committee's items: its deck, its decision, the purchasing follow-up."""
    product = {"product": committee.startup.name}
    day = committee.local_date
    items = []
    if committee.is_planned and now <= committee.scheduled_at < deck_end and not committee.has_deck:
        items.append(
            registry.TodoItem(
                day,
                _("Deck"),
                _("%(product)s: the committee's deck is missing") % product,
                reverse("committees:document_add", kwargs={"pk": committee.pk}),
            )
        )
    if committee.scheduled_at < now and not committee.has_decision:
        items.append(
            registry.TodoItem(
                day,
                _("Decision"),
                _("%(product)s: record the committee's decision") % product,
                reverse("committees:decision", kwargs={"pk": committee.pk}),
                late=day < today,
            )
        )
    decision = getattr(committee, "decision", None) if committee.has_decision else None
    if decision is not None and not decision.purchasing_told:
        items.append(
            registry.TodoItem(
                decision.decided_on,
                _("Purchasing"),
                _("%(product)s: tell purchasing of the committee's decision") % product,
                committee.get_absolute_url(),
                late=decision.decided_on < today,
            )
        )
    return items


def team_item(committee):
    """The team's next committee, and whether its deck is still missing."""
    product = {"product": committee.startup.name}
    if committee.has_deck:
        text = _("%(product)s: next committee") % product
        url = committee.get_absolute_url()
    else:
        text = _("%(product)s: next committee, its deck is still missing") % product
        url = reverse("committees:document_add", kwargs={"pk": committee.pk})
    return registry.TodoItem(committee.local_date, _("Committee"), text, url)


def committees_todo(user, today):
    """The committees' items for ``user`` on ``today`` (two queries)."""
    if not user.is_authenticated:
        return []
    now = timezone.now()
    _start, deck_end = day_bounds(today, today + timedelta(days=DECK_DAYS))
    items = [plan_item(startup, today) for startup in startups_to_plan(user, today, now)]
    next_of_team = set()
    for committee in committees_to_follow(user, today, now):
        if committee.todo_managed:
            items += managed_items(committee, today, now, deck_end)
        elif committee.startup_id not in next_of_team:
            next_of_team.add(committee.startup_id)
            items.append(team_item(committee))
    return items

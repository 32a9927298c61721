"""What the portfolio asks of a person on "Mon espace" (``incubator.registry.TodoSource``,
registered by ``contributions.register_contributions``).

For a lead or a portfolio manager of an incubator (``incubator.rules.managed_incubator_ids``,
co-incubated products included), the active products of their incubators that need them:

- an investigation past its 9 weeks (``INVESTIGATION_LENGTH``): its end-of-investigation
  committee is due; dated the day the 9 weeks ended, late;
- a product sheet not updated for 3 months (``updated_at``): dated the day it became stale, late;
- the portfolio's consistency flags (``portfolio/flags.py``, those of the portfolio list), one
  item per product naming the raised ones; undated. "Current phase longer than usual" is left out
  for an investigation: the first item says it.

One query, whatever the number of products. The wings add their own sources (committees,
standards); ``managed_startups`` and ``team_startups`` are the scopes they share.
"""

from datetime import timedelta

from django.db.models import BooleanField, Case, OuterRef, Q, Subquery, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import registry
from incubator.rules import managed_incubator_ids

from . import flags
from .models import INVESTIGATION_LENGTH, Phase, PhasePeriod, Startup, TeamMembership

STALE_AFTER = timedelta(days=90)  # "not updated for 3 months"


def managed_startups(user):
    """The products of the incubators ``user`` manages, principal or co-incubator (no ``distinct``:
    the co-incubation is a subquery)."""
    incubators = managed_incubator_ids(user)
    co_incubated = Startup.other_incubators.through.objects.filter(incubator__in=incubators).values("startup")
    return Startup.objects.filter(Q(incubator__in=incubators) | Q(pk__in=co_incubated))


def team_startups(user, today):
    """The products whose current team ``user`` is in."""
    return Startup.objects.filter(pk__in=TeamMembership.objects.current(today).filter(user=user).values("startup"))


def portfolio_flags():
    """The portfolio's own flags (``flags.portfolio_flags``: the conditions and labels its pages
    register; no page here, the items are no page's rows)."""
    return flags.portfolio_flags(page=None)


def portfolio_todo(user, today):
    """The portfolio's items for ``user`` on ``today`` (one query; none for someone who manages nothing)."""
    if not user.is_authenticated:
        return []
    own_flags = portfolio_flags()
    investigation_ends = today - INVESTIGATION_LENGTH
    stale_since = timezone.now() - STALE_AFTER
    phase_start = PhasePeriod.objects.open().filter(startup=OuterRef("pk")).values("start")[:1]
    raised = Q()
    for flag in own_flags:
        raised |= flag.condition()
    startups = (
        managed_startups(user)
        .active()
        .annotate(
            todo_phase_start=Subquery(phase_start),
            **{
                flags.attribute(flag): Case(
                    When(flag.condition(), then=True), default=False, output_field=BooleanField()
                )
                for flag in own_flags
            },
        )
        .filter(
            Q(phase=Phase.INVESTIGATION, todo_phase_start__lt=investigation_ends)
            | Q(updated_at__lt=stale_since)
            | raised
        )
        .order_by("name", "pk")
    )
    items = []
    for startup in startups:
        investigating = startup.phase == Phase.INVESTIGATION
        if investigating and startup.todo_phase_start and startup.todo_phase_start < investigation_ends:
            items.append(
                registry.TodoItem(
                    startup.todo_phase_start + INVESTIGATION_LENGTH,
                    _("Investigation"),
                    _("%(product)s: investigation past its 9 weeks, its end-of-investigation committee is due")
                    % {"product": startup.name},
                    startup.get_absolute_url(),
                    late=True,
                )
            )
        if startup.updated_at < stale_since:
            items.append(
                registry.TodoItem(
                    timezone.localtime(startup.updated_at).date() + STALE_AFTER,
                    _("Product sheet"),
                    _("%(product)s: sheet not updated for 3 months") % {"product": startup.name},
                    reverse("portfolio:startup_update", kwargs={"slug": startup.slug}),
                    late=True,
                )
            )
        labels = [
            str(flag.label)
            for flag in own_flags
            if getattr(startup, flags.attribute(flag)) and not (investigating and flag.key == flags.PHASE_TOO_LONG)
        ]
        if labels:
            items.append(
                registry.TodoItem(
                    None,
                    _("Flag"),
                    _("%(product)s: %(flags)s") % {"product": startup.name, "flags": "; ".join(labels)},
                    startup.get_absolute_url(),
                )
            )
    return items

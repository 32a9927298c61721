"""Context-aware suggestions of the network's offer (issue 12): which seeded resource a product's
situation calls for, read from portfolio data only (its phase, ``Startup.next_committee_due``).

``RULES`` is the one table: each rule names a resource by its stable slug (``community/demo.py``
seeds them) and when it applies. The product page's panel and the "Mon espace" section
(``community/contributions.py``, ``docs/architecture.md`` "Plugging into the core") show what
applies and what the person has not dismissed (``DismissedSuggestion``), in two queries whatever
the number of products and resources.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.models import ENDED_PHASES, Phase

from .models import DismissedSuggestion, Resource

COMMITTEE_DUE_DAYS = 45


def committee_due_soon(startup, today):
    """The product's next committee is due within 45 days (or its due date has passed)."""
    due = startup.next_committee_due
    return (
        startup.phase not in ENDED_PHASES
        and due is not None
        and due <= today + datetime.timedelta(days=COMMITTEE_DUE_DAYS)
    )


@dataclass(frozen=True)
class Rule:
    """``applies(startup, today)``; a rule with a ``phase`` applies while the product is in it, and
    its resource is emailed to the team when the product enters the phase (``community.reminders``)."""

    key: str
    resource_slug: str
    reason: str
    applies: Callable[[object, datetime.date], bool] | None = None
    phase: str | None = None

    def applies_to(self, startup, today):
        if self.phase is not None:
            return startup.phase == self.phase
        return self.applies(startup, today)


RULES = (
    Rule(
        "committee-guide",
        "guide-preparer-comite",
        _("Its investment committee is due within 45 days."),
        committee_due_soon,
    ),
    Rule(
        "investigation-guide",
        "guide-onboarding-investigation",
        _("It is in investigation."),
        phase=Phase.INVESTIGATION,
    ),
    Rule("domain-name", "nom-de-domaine-beta", _("It is in investigation."), phase=Phase.INVESTIGATION),
    Rule("fast", "cofinancement-fast", _("It is in acceleration."), phase=Phase.ACCELERATION),
    Rule("consolidation", "appui-transfert-consolidation", _("It is in consolidation."), phase=Phase.CONSOLIDATION),
)


@dataclass(frozen=True)
class Suggestion:
    startup: object
    resource: Resource
    reason: str
    key: str


def applying_rules(startup, today=None):
    today = today or timezone.localdate()
    return [rule for rule in RULES if rule.applies_to(startup, today)]


def slugs_on_entering(phase):
    """The resources suggested to a product that enters ``phase``, in the table's order."""
    return [rule.resource_slug for rule in RULES if rule.phase == phase]


def suggestions_for(startups, user, today=None):
    """What to suggest to ``user`` for ``startups``: the published resources the rules name, minus
    those ``user`` dismissed for that product. No query when no rule applies, two otherwise."""
    if not user.is_authenticated:
        return []
    wanted = [(startup, rule) for startup in startups for rule in applying_rules(startup, today)]
    if not wanted:
        return []
    slugs = {rule.resource_slug for _startup, rule in wanted}
    resources = {resource.slug: resource for resource in Resource.objects.published().filter(slug__in=slugs)}
    dismissed = set(
        DismissedSuggestion.objects.filter(
            user=user, startup__in={startup.pk for startup, _rule in wanted}, resource__in=resources.values()
        ).values_list("startup_id", "resource_id")
    )
    return [
        Suggestion(startup, resources[rule.resource_slug], rule.reason, rule.key)
        for startup, rule in wanted
        if rule.resource_slug in resources and (startup.pk, resources[rule.resource_slug].pk) not in dismissed
    ]

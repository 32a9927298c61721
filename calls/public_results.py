"""The calls' panel on an incubator's public page (``incubator.contributions.INCUBATOR_PAGE``): its
calls for intrapreneurs, open, upcoming and closed, each a link to its public page, in one query.
Drafts are never shown. Registered by ``contributions.register_contributions``."""

from django.utils import timezone

from incubator import registry
from incubator.contributions import INCUBATOR_PAGE

from .models import Call


def incubator_calls(incubator, user):
    """{"open_calls", "upcoming_calls", "closed_calls"}: the incubator's published calls (not the
    network-wide ones), the latest first: one query."""
    now = timezone.now()
    calls = Call.objects.public().filter(incubator=incubator).order_by("-opens_at", "pk")
    found = {"open_calls": [], "upcoming_calls": [], "closed_calls": []}
    for call in calls.only("slug", "title", "status", "opens_at", "closes_at"):
        if call.is_open(now):
            found["open_calls"].append(call)
        elif call.status == Call.Status.PUBLISHED and now < call.opens_at:
            found["upcoming_calls"].append(call)
        else:
            found["closed_calls"].append(call)
    return found


def register():
    registry.register_panel(
        registry.Panel(
            INCUBATOR_PAGE,
            "results",
            "calls",
            "calls/includes/_public_results.html",
            context=incubator_calls,
            order=30,
        )
    )

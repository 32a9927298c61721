"""What the community adds to other apps' pages (registered by ``CommunityConfig.ready``;
``incubator.registry``): its section of "Mon espace" and, on the product page, the way to what the
product may use ("for my product") with its open requests.

The context-aware suggestions of issue 12 (``community/suggestions.py``: the committee guide before a
committee, the FAST in acceleration...) are a panel of the product page and a section of "Mon espace",
each dismissible; the person's confirmed registrations go into their calendar feed (a calendar source).
"""

from django.utils import timezone

from incubator import registry
from portfolio.contributions import PRODUCT_PAGE
from portfolio.models import ENDED_PHASES, Startup, TeamMembership

from .ics import event_entries
from .models import Registration, Resource, ResourceRequest
from .suggestions import suggestions_for
from .todo import todo_items


def my_space(user):
    """The person's open requests, whether they answer requests, their next registrations (3 queries)."""
    registrations = (
        Registration.objects.active()
        .filter(user=user, event__ends_at__gte=timezone.now())
        .select_related("event")
        .order_by("event__starts_at")[:5]
    )
    return {
        "open_requests": ResourceRequest.objects.of_requester(user).open().count(),
        "handles_requests": user.is_network_admin or Resource.objects.handled_by(user).exists(),
        "registrations": list(registrations),
    }


def product_offer(startup, user):
    """The product's open requests (one query), and the link to what it may use."""
    return {"community_open_requests": ResourceRequest.objects.filter(startup=startup).open().count()}


def product_suggestions(startup, user):
    """What the network's offer suggests for the product now (two queries, none if nothing applies)."""
    suggestions = suggestions_for([startup], user)
    return {"suggestions": suggestions} if suggestions else None


def my_suggestions(user):
    """The suggestions for the active products of the person's team (three queries at most)."""
    if not user.is_authenticated:
        return None
    teams = TeamMembership.objects.current().filter(user=user).values("startup")
    startups = Startup.objects.filter(pk__in=teams).exclude(phase__in=ENDED_PHASES).order_by("name")
    suggestions = suggestions_for(list(startups), user)
    return {"suggestions": suggestions, "show_product": True} if suggestions else None


def calendar_registrations(user, since):
    """The personal feed's community events: the person's confirmed seats from ``since`` on (one query)."""
    registrations = Registration.objects.filter(
        user=user, status=Registration.Status.CONFIRMED, event__ends_at__gte=since
    ).select_related("event")
    return event_entries(registration.event for registration in registrations.order_by("event__starts_at"))


def register_contributions():
    registry.register_section(
        registry.Section("community", "community/includes/_my_space.html", context=my_space, order=60)
    )
    registry.register_panel(
        registry.Panel(
            PRODUCT_PAGE,
            "aside_after_phases",
            "community_offer",
            "community/includes/_product_offer.html",
            context=product_offer,
            order=60,
        )
    )
    registry.register_panel(
        registry.Panel(
            PRODUCT_PAGE,
            "aside_after_phases",
            "community_suggestions",
            "community/includes/_suggestions.html",
            context=product_suggestions,
            order=55,
        )
    )
    registry.register_section(
        registry.Section(
            "community_suggestions", "community/includes/_my_suggestions.html", context=my_suggestions, order=55
        )
    )
    registry.register_calendar_source(registry.CalendarSource("community", calendar_registrations, order=60))
    registry.register_todo_source(registry.TodoSource("community", todo_items, order=60))

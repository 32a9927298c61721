"""What the community adds to other apps' pages (registered by ``CommunityConfig.ready``;
``incubator.registry``): its section of "Mon espace" and, on the product page, the way to what the
product may use ("for my product") with its open requests.

The context-aware suggestions of issue 12 (the committee guide before a committee, the FAST in
acceleration...) are not built yet: they would be panels and sections here, fed by the reminder engine.
"""

from django.utils import timezone

from incubator import registry
from portfolio.contributions import PRODUCT_PAGE

from .models import Registration, Resource, ResourceRequest


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

"""What the community holds about a person (registered by ``CommunityConfig.ready``;
``incubator.personal_data``): their requests and comments, their registrations, the resources they
answer for and the events they organise."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator import personal_data
from incubator.personal_data import DataCategory, LegalBasis, iso

from . import services
from .models import DismissedSuggestion, Event, Registration, RequestComment, Resource, ResourceRequest


def export(user):
    return {
        "requests": [
            {
                "request": resource_request.pk,
                "resource": resource_request.resource.title,
                "for": resource_request.target_name,
                "message": resource_request.message,
                "status": resource_request.status,
                "submitted_at": iso(resource_request.submitted_at),
            }
            for resource_request in ResourceRequest.objects.filter(requester=user).for_list().order_by("pk")
        ],
        "comments": [
            {
                "request": comment.request_id,
                "comment": comment.body,
                "status": comment.status,
                "at": iso(comment.created_at),
            }
            for comment in RequestComment.objects.filter(author=user).order_by("pk")
        ],
        "registrations": [
            {
                "event": registration.event.title,
                "starts_at": iso(registration.event.starts_at),
                "status": registration.status,
                "position": registration.position,
                "registered_at": iso(registration.created_at),
            }
            for registration in Registration.objects.filter(user=user).select_related("event").order_by("pk")
        ],
        "resources_handled": list(
            Resource.objects.filter(handlers=user).order_by("pk").values_list("title", flat=True)
        ),
        "events_organised": list(Event.objects.filter(organiser=user).order_by("pk").values_list("title", flat=True)),
        "dismissed_suggestions": [
            {"product": dismissal.startup.name, "resource": dismissal.resource.title, "at": iso(dismissal.created_at)}
            for dismissal in DismissedSuggestion.objects.filter(user=user)
            .select_related("startup", "resource")
            .order_by("pk")
        ],
    }


def erase(user, *, actor):
    """A seat at an event still to come is cancelled (and goes to the waiting list), then the person's
    registrations go; requests and comments stay with the product, without their author; the person
    answers no resource's requests and organises no event any more."""
    upcoming = Registration.objects.active().filter(user=user, event__ends_at__gte=timezone.now())
    cancelled = 0
    for registration in upcoming:
        services.cancel_registration(registration=registration, actor=actor)
        cancelled += 1
    return {
        "seats_cancelled": cancelled,
        "registrations": Registration.objects.filter(user=user).delete()[0],
        "requests": ResourceRequest.objects.filter(requester=user).update(requester=None),
        "comments": RequestComment.objects.filter(author=user).update(author=None),
        "resources_handled": Resource.handlers.through.objects.filter(user=user).delete()[0],
        "events_organised": Event.objects.filter(organiser=user).update(organiser=None),
        "dismissed_suggestions": DismissedSuggestion.objects.filter(user=user).delete()[0],
    }


def register_provider():
    personal_data.register(
        personal_data.Provider(
            key="community",
            label=_("Resources and community"),
            order=40,
            categories=(
                DataCategory(
                    key="requests",
                    label=_("Your requests for the network's offer and your comments on them."),
                    fields=(
                        "community.resourcerequest.requester",
                        "community.resourcerequest.message",
                        "community.requestcomment.author",
                        "community.requestcomment.body",
                    ),
                    purpose=_("Answering the requests of the products and incubators, and following them up."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While the product or the incubator is followed; then kept without their author."),
                ),
                DataCategory(
                    key="registrations",
                    label=_("Your registrations for community events and your place on their waiting lists."),
                    fields=("community.registration.user", "community.registration.position"),
                    purpose=_("Managing the seats of each event and telling you when one frees up."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("Until your account is deleted."),
                ),
                DataCategory(
                    key="roles",
                    label=_("The resources whose requests you answer and the events you organise."),
                    fields=("community.resource.handlers", "community.event.organiser"),
                    purpose=_("Sending each request to who answers it and each attendance list to its organiser."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While you hold the role."),
                ),
                DataCategory(
                    key="suggestions",
                    label=_("The suggestions of the network's offer you chose not to see again, per product."),
                    fields=("community.dismissedsuggestion.user", "community.dismissedsuggestion.created_at"),
                    purpose=_("Not showing you again a suggestion you dismissed."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("Until your account is deleted."),
                ),
            ),
            export=export,
            erase=erase,
        )
    )

"""One factory per community model."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from community.models import (
    DismissedSuggestion,
    Event,
    Registration,
    RequestComment,
    Resource,
    ResourceCategory,
    ResourceRequest,
)
from incubator.tests.factories import IncubatorFactory, UserFactory


def in_days(days, hour=10):
    """An aware datetime ``days`` from today at ``hour``:00, Paris time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class ResourceCategoryFactory(DjangoModelFactory):
    class Meta:
        model = ResourceCategory
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"categorie-{n}")
    name = factory.Sequence(lambda n: f"Catégorie {n}")


class ResourceFactory(DjangoModelFactory):
    """An on-request resource open to every phase and type; ``handlers=[user]`` names who answers."""

    class Meta:
        model = Resource
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    category = factory.SubFactory(ResourceCategoryFactory)
    slug = factory.Sequence(lambda n: f"ressource-{n}")
    title = factory.Sequence(lambda n: f"Ressource {n}")
    summary = "Un appui du réseau pour les produits."
    provider = "DINUM"
    access_mode = Resource.AccessMode.ON_REQUEST

    @factory.post_generation
    def handlers(self, create, extracted, **kwargs):
        if create and extracted:
            self.handlers.set(extracted)


class ResourceRequestFactory(DjangoModelFactory):
    """A submitted request of a product (its incubator set from the product)."""

    class Meta:
        model = ResourceRequest

    resource = factory.SubFactory(ResourceFactory)
    startup = factory.SubFactory("portfolio.tests.factories.StartupFactory")
    incubator = factory.LazyAttribute(lambda o: o.startup.incubator if o.startup else IncubatorFactory())
    requester = factory.SubFactory(UserFactory)
    message = "Nous aimerions en bénéficier pour la prochaine phase."


class RequestCommentFactory(DjangoModelFactory):
    class Meta:
        model = RequestComment

    request = factory.SubFactory(ResourceRequestFactory)
    author = factory.SubFactory(UserFactory)
    body = "Un commentaire."


class EventFactory(DjangoModelFactory):
    """An event for everyone in 10 days, registration open since yesterday until the day before."""

    class Meta:
        model = Event

    kind = Event.Kind.FORUM
    slug = factory.Sequence(lambda n: f"evenement-{n}")
    title = factory.Sequence(lambda n: f"Forum {n}")
    starts_at = factory.LazyFunction(lambda: in_days(10, 18))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    place = "20 avenue de Ségur, Paris"
    capacity = 20
    registration_opens_at = factory.LazyFunction(lambda: in_days(-1, 9))
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - datetime.timedelta(days=1))


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED


class DismissedSuggestionFactory(DjangoModelFactory):
    class Meta:
        model = DismissedSuggestion

    user = factory.SubFactory(UserFactory)
    startup = factory.SubFactory("portfolio.tests.factories.StartupFactory")
    resource = factory.SubFactory(ResourceFactory)


def route_objects(*, startup, requester, organiser):
    """One community object of each kind a URL names, for the surveys of every route
    (``incubator/tests/test_methods.py``, ``test_cache_headers.py``): an on-request resource the
    ``organiser`` handles, a request of ``startup`` by ``requester``, an event the ``organiser``
    runs, open to all and public, with the ``requester`` registered."""
    resource = ResourceFactory(slug="ressource-sur-demande", handlers=[organiser])
    event = EventFactory(slug="forum-du-mois", organiser=organiser, is_public=True)
    return {
        "resource": resource,
        "request": ResourceRequestFactory(resource=resource, startup=startup, requester=requester),
        "event": event,
        "registration": RegistrationFactory(event=event, user=requester),
    }

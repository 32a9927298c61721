"""Query counts do not grow with the rows (1 vs 30): the catalogue, the queue, "Mes demandes", the
events list, for my product, a request's page and the attendance list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import Resource
from community.tests.factories import (
    EventFactory,
    RegistrationFactory,
    RequestCommentFactory,
    ResourceCategoryFactory,
    ResourceFactory,
    ResourceRequestFactory,
)
from incubator import versions
from incubator.tests.factories import UserFactory
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db


def queries(client, url):
    versions.bump_all()  # the page drawn: nothing kept ({% kept %}) from the request before
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def same_for_1_and_30(client, url, make):
    make(0)
    client.get(url)  # caches warm (sessions, content types)
    one = queries(client, url)
    for n in range(1, 30):
        make(n)
    thirty = queries(client, url)
    assert thirty == one, f"{url}: {one} queries for 1 row, {thirty} for 30"


def test_the_catalogue_queries_are_constant(client, sign_in, member_b):
    def make(n):
        category = ResourceCategoryFactory(slug=f"cat-{n % 4}")
        ResourceFactory(category=category, access_mode=Resource.AccessMode.OPEN, phases=["investigation"])

    same_for_1_and_30(client, reverse("community:resource_list"), make)
    same_for_1_and_30(sign_in(member_b), reverse("community:resource_list"), lambda n: ResourceFactory())


def test_the_queue_queries_are_constant(sign_in, handler, resource):
    def make(n):
        ResourceRequestFactory(resource=resource, requester=UserFactory())

    same_for_1_and_30(sign_in(handler), reverse("community:queue"), make)


def test_my_requests_queries_are_constant(sign_in, member_a, incubator_a, resource):
    def make(n):
        ResourceRequestFactory(resource=resource, startup=StartupFactory(incubator=incubator_a), requester=member_a)

    same_for_1_and_30(sign_in(member_a), reverse("community:my_requests"), make)


def test_the_events_list_queries_are_constant(client, sign_in, member_b):
    def make(n):
        event = EventFactory(is_public=True)
        RegistrationFactory(event=event, user=member_b if n % 2 else UserFactory())

    same_for_1_and_30(sign_in(member_b), reverse("community:event_list"), make)
    same_for_1_and_30(client, reverse("community:event_list"), lambda n: EventFactory(is_public=True))


def test_for_my_product_queries_are_constant(sign_in, member_a, startup_a):
    def make(n):
        resource = ResourceFactory(category=ResourceCategoryFactory(slug=f"cat-{n % 5}"))
        if n % 3 == 0:
            ResourceRequestFactory(resource=resource, startup=startup_a)

    same_for_1_and_30(sign_in(member_a), reverse("community:for_startup", args=[startup_a.slug]), make)


def test_a_request_page_queries_are_constant(sign_in, handler, request_a):
    same_for_1_and_30(
        sign_in(handler), request_a.get_absolute_url(), lambda n: RequestCommentFactory(request=request_a)
    )


def test_the_attendance_list_queries_are_constant(sign_in, network_admin):
    event = EventFactory(capacity=100)
    same_for_1_and_30(
        sign_in(network_admin),
        reverse("community:attendance", args=[event.slug]),
        lambda n: RegistrationFactory(event=event),
    )

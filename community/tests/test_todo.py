"""What the community asks of a person today ("Mon espace"'s to-do source ``community``): a handler's
open requests with their age, a manager's open requests of their incubator to follow up, a
registrant's events of the next 7 days and a seat given from the waiting list; each for its persona
only, gone once resolved; two queries whatever the rows."""

import datetime
import functools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import services
from community.models import Registration, ResourceRequest
from community.tests.factories import EventFactory, RegistrationFactory, ResourceFactory, ResourceRequestFactory
from incubator import registry
from incubator.models import Membership
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from portfolio.tests.factories import StartupFactory
from tests.todo import PARIS, TODAY, on_the_day, paris, source_items

pytestmark = pytest.mark.django_db
community_todo = functools.partial(source_items, "community")


@pytest.fixture(autouse=True)
def _on_today(time_machine):
    yield from on_the_day(time_machine)


# Requests -------------------------------------------------------------------------------------


def test_a_handler_is_asked_to_answer_the_open_requests_of_their_resources_until_they_decide(time_machine):
    handler, other_handler = UserFactory(), UserFactory()
    resource = ResourceFactory(title="Marché de coaching", handlers=[handler])
    ResourceFactory(handlers=[other_handler])
    resource_request = ResourceRequestFactory(resource=resource, startup__name="Pitchou")
    requester = resource_request.requester
    manager_b = MembershipFactory(mfa=False).user
    admin = UserFactory(is_staff=True, is_superuser=True, mfa=False)
    time_machine.move_to(paris(2026, 6, 8, 11), tick=False)
    url = reverse("community:request_detail", kwargs={"pk": resource_request.pk})

    # No deadline to answer a request: undated, its age said.
    assert community_todo(handler, datetime.date(2026, 6, 8)) == [
        registry.TodoItem(
            None, "Request", "Answer the request for Marché de coaching (Pitchou), open for 3 days", url, False
        )
    ]
    for outsider in (other_handler, requester, manager_b, admin):
        assert community_todo(outsider) == []

    services.transition_request(resource_request, ResourceRequest.Status.IN_PROGRESS, actor=handler)
    assert [item.text for item in community_todo(handler)] == [
        "Give your decision on the request for Marché de coaching (Pitchou), open for 3 days"
    ]
    services.transition_request(resource_request, ResourceRequest.Status.GRANTED, actor=handler)
    assert community_todo(handler) == []


def test_a_network_admin_answers_the_requests_of_the_resources_nobody_handles():
    admin = UserFactory(is_staff=True, is_superuser=True, mfa=False)
    orphan = ResourceRequestFactory(resource=ResourceFactory(title="Nom de domaine"))
    ResourceRequestFactory(resource=ResourceFactory(handlers=[UserFactory()]))

    assert [item.url for item in community_todo(admin)] == [orphan.get_absolute_url()]
    assert community_todo(orphan.requester) == []


def test_an_incubators_own_request_is_named_after_the_incubator():
    handler = UserFactory()
    resource_request = ResourceRequestFactory(
        resource=ResourceFactory(title="Appui stratégique", handlers=[handler]), startup=None
    )

    assert community_todo(handler)[0].text == (
        f"Answer the request for Appui stratégique ({resource_request.incubator.title}), opened today"
    )


def test_the_managers_of_the_asking_incubator_follow_its_open_requests_until_they_are_answered(time_machine):
    incubator, other = IncubatorFactory(), IncubatorFactory()
    handler = UserFactory()
    lead, portfolio_manager, manager_b = (
        MembershipFactory(incubator=incubator, mfa=False).user,
        MembershipFactory(incubator=incubator, role=Membership.Role.PORTFOLIO_MANAGER, mfa=False).user,
        MembershipFactory(incubator=other, mfa=False).user,
    )
    coach = MembershipFactory(incubator=incubator, role=Membership.Role.COACH).user
    coaching = ResourceFactory(title="Marché de coaching", handlers=[handler])
    for_product = ResourceRequestFactory(resource=coaching, startup=StartupFactory(name="Pitchou", incubator=incubator))
    for_incubator = ResourceRequestFactory(
        resource=ResourceFactory(title="Appui stratégique"), startup=None, incubator=incubator
    )
    of_b = ResourceRequestFactory(resource=coaching, startup=StartupFactory(incubator=other))
    time_machine.move_to(paris(2026, 6, 8, 11), tick=False)
    today = datetime.date(2026, 6, 8)
    expected = [
        registry.TodoItem(
            None,
            "Request",
            "Your incubator's request for Marché de coaching (Pitchou) awaits its answer, open for 3 days",
            for_product.get_absolute_url(),
            False,
        ),
        registry.TodoItem(
            None,
            "Request",
            f"Your incubator's request for Appui stratégique ({incubator.title}) awaits its answer, open for 3 days",
            for_incubator.get_absolute_url(),
            False,
        ),
    ]

    assert community_todo(lead, today) == community_todo(portfolio_manager, today) == expected
    assert [item.url for item in community_todo(manager_b, today)] == [of_b.get_absolute_url()]
    assert community_todo(coach, today) == []
    assert [item.text.split(",")[0] for item in community_todo(handler, today)] == [
        "Answer the request for Marché de coaching (Pitchou)",
        f"Answer the request for Marché de coaching ({of_b.startup.name})",
    ]

    services.transition_request(for_product, ResourceRequest.Status.IN_PROGRESS, actor=handler)
    assert community_todo(lead, today) == expected  # still open: it still awaits its answer
    services.transition_request(for_product, ResourceRequest.Status.GRANTED, actor=handler)
    admin = UserFactory(is_staff=True, is_superuser=True, mfa=False)
    services.transition_request(
        for_incubator, ResourceRequest.Status.REFUSED, actor=admin, comment="Hors du périmètre."
    )
    assert community_todo(lead, today) == community_todo(portfolio_manager, today) == []


def test_a_manager_who_also_handles_their_incubators_request_has_it_once_to_answer():
    manager = MembershipFactory(mfa=False).user
    incubator = manager.memberships.get().incubator
    resource_request = ResourceRequestFactory(
        resource=ResourceFactory(title="Nom de domaine", handlers=[manager]),
        startup=StartupFactory(name="Pitchou", incubator=incubator),
    )

    assert community_todo(manager) == [
        registry.TodoItem(
            None,
            "Request",
            "Answer the request for Nom de domaine (Pitchou), opened today",
            resource_request.get_absolute_url(),
        )
    ]


# Registrations --------------------------------------------------------------------------------


def event_item(event, text):
    """The item of an event: dated from its day in Paris, linked to its page."""
    return registry.TodoItem(event.starts_at.astimezone(PARIS).date(), "Event", text, event.get_absolute_url())


def test_a_registrant_sees_the_events_of_the_next_seven_days_they_hold_a_place_for():
    person, stranger = UserFactory(), UserFactory()
    soon = EventFactory(title="Club des coachs", starts_at=paris(2026, 6, 8, 12), ends_at=paris(2026, 6, 8, 14))
    full = EventFactory(
        title="Formation Alpha", starts_at=paris(2026, 6, 12, 9), ends_at=paris(2026, 6, 12, 17), capacity=1
    )
    later = EventFactory(starts_at=paris(2026, 6, 13, 9), ends_at=paris(2026, 6, 13, 17))
    seat = services.register(event=soon, actor=person)
    services.register(event=full, actor=stranger)
    services.register(event=full, actor=UserFactory())
    services.register(event=full, actor=person)
    services.register(event=later, actor=person)

    assert community_todo(person) == [
        event_item(soon, "Club des coachs at noon: you have a seat (cancel it if you cannot come)"),
        event_item(full, "Formation Alpha at 9 a.m.: you are number 2 on the waiting list"),
    ]
    assert [item.url for item in community_todo(stranger)] == [full.get_absolute_url()]

    services.cancel_registration(registration=seat, actor=person)
    assert [item.url for item in community_todo(person)] == [full.get_absolute_url()]


def test_a_seat_given_from_the_waiting_list_is_news_for_a_week_whenever_the_event(time_machine):
    holder, waiting = UserFactory(), UserFactory()
    event = EventFactory(title="Séminaire", starts_at=paris(2026, 6, 30, 9), ends_at=paris(2026, 6, 30, 17), capacity=1)
    seat = services.register(event=event, actor=holder)
    services.register(event=event, actor=waiting)
    assert community_todo(waiting) == []  # on the waiting list, but the event is weeks away

    time_machine.move_to(paris(2026, 6, 6, 10), tick=False)
    services.cancel_registration(registration=seat, actor=holder)
    promotion = event_item(event, "Séminaire at 9 a.m.: a seat freed up and it is yours")

    assert community_todo(waiting, datetime.date(2026, 6, 6)) == [promotion]
    assert community_todo(holder, datetime.date(2026, 6, 6)) == []
    time_machine.move_to(paris(2026, 6, 14, 10), tick=False)
    assert community_todo(waiting, datetime.date(2026, 6, 14)) == []  # old news, the event still weeks away


# Queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
def test_the_community_source_costs_two_queries_whatever_the_number_of_rows(count):
    person = MembershipFactory(mfa=False).user  # a handler who runs an incubator too
    incubator = person.memberships.get().incubator
    resource, elsewhere = ResourceFactory(handlers=[person]), ResourceFactory(handlers=[UserFactory()])
    for n in range(count):
        ResourceRequestFactory(resource=resource)
        ResourceRequestFactory(resource=elsewhere, startup=StartupFactory(incubator=incubator))
        event = EventFactory(starts_at=paris(2026, 6, 7, 9), ends_at=paris(2026, 6, 7, 11), capacity=1)
        if n % 2:
            RegistrationFactory(event=event)
            RegistrationFactory(event=event, user=person, status=Registration.Status.WAITLISTED, position=1)
        else:
            RegistrationFactory(event=event, user=person)

    with CaptureQueriesContext(connection) as queries:
        items = community_todo(person)

    assert len(queries) == 2
    assert len(items) == 3 * count
    assert len([item for item in items if item.text.startswith("Your incubator's request")]) == count


def test_the_items_reach_mon_espace_through_the_registry_and_an_anonymous_visitor_is_asked_nothing(
    django_assert_num_queries,
):
    handler = UserFactory()
    resource_request = ResourceRequestFactory(resource=ResourceFactory(handlers=[handler]))

    assert resource_request.get_absolute_url() in [item.url for item in registry.todo_items(handler, TODAY)]
    with django_assert_num_queries(0):
        assert community_todo(AnonymousUser()) == []

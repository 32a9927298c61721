"""Seats are never double-booked (real PostgreSQL, threads): two registrations for the last seat at once
give one seat and one waiting place; two cancellations at once promote the first two on the waiting
list, each once; the same cancellation sent twice at once promotes one person."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from community import services
from community.models import Registration
from community.tests.factories import EventFactory, RegistrationFactory
from incubator.models import OutboxMessage
from incubator.tests.factories import UserFactory
from incubator.tests.services import require_postgres

R = Registration.Status


def at_once(*calls):
    """Run the calls in threads released together; each returns its outcome (a value or an error code)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except ValidationError as error:
            outcomes[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_registrations_for_the_last_seat_give_one_seat_and_one_waiting_place():
    require_postgres()
    event = EventFactory(capacity=2)
    RegistrationFactory(event=event)
    first, second = UserFactory(email="une@example.gouv.fr"), UserFactory(email="deux@example.gouv.fr")

    at_once(
        lambda: services.register(event=event, actor=first),
        lambda: services.register(event=event, actor=second),
    )

    rows = Registration.objects.filter(event=event, user__in=[first, second])
    assert sorted(rows.values_list("status", "position")) == [(R.CONFIRMED, None), (R.WAITLISTED, 1)]
    assert Registration.objects.filter(event=event, status=R.CONFIRMED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_cancellations_at_once_promote_the_first_two_waiting_each_once():
    require_postgres()
    event = EventFactory(capacity=2)
    seated = [RegistrationFactory(event=event, user=UserFactory(email=f"assis{n}@example.gouv.fr")) for n in range(2)]
    waiting = [
        RegistrationFactory(
            event=event, user=UserFactory(email=f"attente{n}@example.gouv.fr"), status=R.WAITLISTED, position=n + 1
        )
        for n in range(3)
    ]

    at_once(
        *[
            lambda registration=registration: services.cancel_registration(
                registration=registration, actor=registration.user
            )
            for registration in seated
        ]
    )

    assert [Registration.objects.get(pk=r.pk).status for r in waiting] == [R.CONFIRMED, R.CONFIRMED, R.WAITLISTED]
    assert Registration.objects.filter(event=event, status=R.CONFIRMED).count() == 2
    for registration in waiting[:2]:
        key = f"community:registration:{registration.pk}:promoted"
        assert OutboxMessage.objects.filter(idempotency_key=key).count() == 1
    assert not OutboxMessage.objects.filter(to=[waiting[2].user.email]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_cancellation_twice_at_once_promotes_exactly_the_first_waiting_once():
    require_postgres()
    event = EventFactory(capacity=1)
    seated = RegistrationFactory(event=event)
    first = RegistrationFactory(
        event=event, user=UserFactory(email="premier@example.gouv.fr"), status=R.WAITLISTED, position=1
    )
    second = RegistrationFactory(
        event=event, user=UserFactory(email="second@example.gouv.fr"), status=R.WAITLISTED, position=2
    )

    outcomes = at_once(
        lambda: services.cancel_registration(registration=seated, actor=seated.user),
        lambda: services.cancel_registration(registration=seated, actor=seated.user),
    )

    assert outcomes.count("cancelled") == 1
    assert Registration.objects.get(pk=first.pk).status == R.CONFIRMED
    assert Registration.objects.get(pk=second.pk).status == R.WAITLISTED
    assert OutboxMessage.objects.filter(to=[first.user.email]).count() == 1

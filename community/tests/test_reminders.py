"""The D-2 event reminder, with the rule seeded by migration 0002, through the engine's planner.

Time is frozen in 2026, Paris time: the event is on Thursday 11 June 2026 at 18:00; its reminder
goes on Tuesday 9 June at 09:00, once, to the people with a seat, with the .ics."""

import base64
import datetime
import importlib
import zoneinfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import Registration
from community.tests.factories import EventFactory, RegistrationFactory
from incubator.models import OutboxMessage, ReminderDelivery, ReminderRule
from incubator.reminders import get_kind, plan
from incubator.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
KIND = "community.event_reminder"


def at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _rule(db):
    """The rule as the migration seeds it (a transactional test elsewhere may have emptied the table)."""
    importlib.import_module("community.migrations.0002_reminder_rules").seed(apps, None)
    ReminderRule.objects.exclude(kind=KIND).update(is_active=False)


def event_on_june_11(**kwargs):
    return EventFactory(
        title="Forum de juin",
        starts_at=at(2026, 6, 11, 18),
        ends_at=at(2026, 6, 11, 20),
        registration_opens_at=at(2026, 5, 1, 9),
        registration_closes_at=at(2026, 6, 10, 12),
        **kwargs,
    )


def test_the_rule_is_seeded_at_d_minus_2_for_the_registrants():
    rule = ReminderRule.objects.get(kind=KIND)

    assert (rule.offset_days, rule.send_at.hour, rule.is_active) == (-2, 9, True)
    assert get_kind(KIND) is not None


def test_the_reminder_goes_on_d_minus_2_to_the_seats_only_once_with_the_ics(time_machine):
    event = event_on_june_11(place="20 avenue de Ségur, Paris")
    seated = RegistrationFactory(event=event, user=UserFactory(email="assise@example.gouv.fr", first_name="Léa"))
    RegistrationFactory(event=event, user=UserFactory(email="attente@example.gouv.fr"), status="waitlisted", position=1)
    RegistrationFactory(event=event, user=UserFactory(email="partie@example.gouv.fr"), status="cancelled")

    time_machine.move_to(at(2026, 6, 9, 8, 59), tick=False)
    before = plan(now=at(2026, 6, 9, 8, 59)).created
    time_machine.move_to(at(2026, 6, 9, 9, 0), tick=False)
    sent = plan(now=at(2026, 6, 9, 9, 0)).created
    again = plan(now=at(2026, 6, 9, 9, 5)).created

    assert (before, sent, again) == (0, 1, 0)
    [message] = OutboxMessage.objects.filter(reminder__rule__kind=KIND)
    assert message.to == [seated.user.email]
    assert "Forum de juin" in message.subject
    assert "11/06/2026 à 18:00" in message.subject  # Paris time
    assert "20 avenue de Ségur, Paris" in message.body_text
    assert event.get_absolute_url() in message.body_text
    ics = base64.b64decode(message.attachments[0]["content"]).decode()
    assert "DTSTART;TZID=Europe/Paris:20260611T180000" in ics
    assert ReminderDelivery.objects.filter(rule__kind=KIND).count() == 1


def test_the_kind_runs_constant_queries():
    kind = get_kind(KIND)
    rule = ReminderRule.objects.get(kind=KIND)
    day = datetime.date(2026, 6, 11)
    event_on_june_11()
    with CaptureQueriesContext(connection) as one:
        list(kind.due(rule, anchors_from=day, anchors_to=day))
    for n in range(5):
        event = EventFactory(
            starts_at=at(2026, 6, 11, 9 + n),
            ends_at=at(2026, 6, 11, 10 + n),
            registration_opens_at=at(2026, 5, 1, 9),
            registration_closes_at=at(2026, 6, 10, 12),
        )
        RegistrationFactory(event=event)

    with CaptureQueriesContext(connection) as six:
        dues = list(kind.due(rule, anchors_from=day, anchors_to=day))

    assert len(dues) == 5
    assert len(six) == len(one)
    assert Registration.objects.count() == 5

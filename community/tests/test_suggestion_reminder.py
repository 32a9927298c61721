"""The suggestion reminder (``community.suggestion``, rule seeded by migration 0004) through the engine's
planner: on the day a product enters acceleration, its team is emailed the FAST, once.

Time is frozen in 2026, Paris time: the product enters acceleration on Monday 8 June 2026."""

import datetime
import importlib
import zoneinfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import DismissedSuggestion, Resource
from community.tests.factories import ResourceFactory
from incubator.models import OutboxMessage, ReminderRule
from incubator.reminders import get_kind, plan
from incubator.tests.factories import UserFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
KIND = "community.suggestion"
JUNE_8 = datetime.date(2026, 6, 8)


def at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _rule(db):
    importlib.import_module("community.migrations.0004_suggestion_reminder_rule").seed(apps, None)
    ReminderRule.objects.exclude(kind=KIND).update(is_active=False)


@pytest.fixture
def fast(db):
    return ResourceFactory(slug="cofinancement-fast", title="Cofinancement FAST", access_mode=Resource.AccessMode.OPEN)


def entering_acceleration(slug="produit-fast", day=JUNE_8, team=("equipe@example.gouv.fr",)):
    startup = StartupFactory(slug=slug, name=f"Produit {slug}", phase=Phase.ACCELERATION, phase_start=day)
    members = [
        TeamMembershipFactory(startup=startup, user=UserFactory(email=email), start=datetime.date(2026, 1, 5)).user
        for email in team
    ]
    return startup, members


def test_the_team_is_emailed_the_fast_on_entering_acceleration_once(time_machine, fast):
    startup, [member] = entering_acceleration()
    StartupFactory(slug="deja-en-acceleration", phase=Phase.ACCELERATION, phase_start=datetime.date(2026, 1, 5))

    time_machine.move_to(at(2026, 6, 8, 8, 59), tick=False)
    before = plan(now=at(2026, 6, 8, 8, 59)).created
    time_machine.move_to(at(2026, 6, 8, 9, 0), tick=False)
    sent = plan(now=at(2026, 6, 8, 9, 0)).created
    again = plan(now=at(2026, 6, 8, 9, 5)).created

    assert (before, sent, again) == (0, 1, 0)
    [message] = OutboxMessage.objects.filter(reminder__rule__kind=KIND)
    assert message.to == [member.email]
    assert startup.name in message.subject
    assert "Cofinancement FAST" in message.body_text
    assert fast.get_absolute_url() in message.body_text


def test_a_member_who_dismissed_the_fast_is_not_emailed(time_machine, fast):
    startup, [keeps, dismissed] = entering_acceleration(team=("garde@example.gouv.fr", "ignore@example.gouv.fr"))
    DismissedSuggestion.objects.create(user=dismissed, startup=startup, resource=fast)

    time_machine.move_to(at(2026, 6, 8, 9, 0), tick=False)
    plan(now=at(2026, 6, 8, 9, 0))

    [message] = OutboxMessage.objects.filter(reminder__rule__kind=KIND)
    assert message.to == [keeps.email]


def test_the_kind_runs_constant_queries(fast):
    kind = get_kind(KIND)
    rule = ReminderRule.objects.get(kind=KIND)
    entering_acceleration()
    with CaptureQueriesContext(connection) as one:
        assert len(kind.due(rule, anchors_from=JUNE_8, anchors_to=JUNE_8)) == 1
    for n in range(4):
        entering_acceleration(slug=f"autre-{n}", team=(f"a{n}@example.gouv.fr", f"b{n}@example.gouv.fr"))
    with CaptureQueriesContext(connection) as five:
        assert len(kind.due(rule, anchors_from=JUNE_8, anchors_to=JUNE_8)) == 5
    assert len(five) == len(one)

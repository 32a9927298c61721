"""The D-30 reminder before a committee lists what is missing of the standards, to the team and
the managers, once (the rule seeded by migration 0003, run by the engine's planner)."""

import datetime
import importlib
import zoneinfo

import pytest
from django.apps import apps

from incubator.models import Membership, OutboxMessage, ReminderDelivery, ReminderRule
from incubator.reminders import get_kind, plan
from incubator.tests.factories import MembershipFactory, UserFactory
from portfolio.models import Phase, Startup
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory
from standards.models import Status
from standards.tests.factories import ProductStandardFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
KIND = "standards.missing_before_committee"


def at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _rule(db):
    importlib.import_module("standards.migrations.0003_reminder_rule").seed(apps, None)
    ReminderRule.objects.exclude(kind=KIND).update(is_active=False)


def due_on(day, **kwargs):
    startup = StartupFactory(phase=Phase.CONSTRUCTION, **kwargs)
    Startup.objects.filter(pk=startup.pk).update(next_committee_due=day)
    return startup


def test_the_rule_is_seeded_at_d_minus_30():
    rule = ReminderRule.objects.get(kind=KIND)

    assert (rule.offset_days, rule.send_at.hour, rule.is_active) == (-30, 9, True)
    assert get_kind(KIND) is not None


def test_the_reminder_lists_the_missing_criteria_to_the_team_and_managers_once(time_machine, criteria, incubator_a):
    startup = due_on(datetime.date(2026, 7, 1), incubator=incubator_a, name="Produit A")
    TeamMembershipFactory(startup=startup, user=UserFactory(email="equipe@example.gouv.fr"))
    MembershipFactory(incubator=incubator_a, user=UserFactory(email="resp@example.gouv.fr"))
    MembershipFactory(
        incubator=incubator_a, role=Membership.Role.COACH, user=UserFactory(email="coach@example.gouv.fr")
    )
    for criterion in criteria[1:]:
        ProductStandardFactory(startup=startup, standard=criterion, status=Status.DONE)
    ProductStandardFactory(startup=startup, standard=criteria[0], status=Status.IN_PROGRESS)
    settled = due_on(datetime.date(2026, 7, 1), incubator=incubator_a)
    for criterion in criteria:
        ProductStandardFactory(startup=settled, standard=criterion, status=Status.NOT_APPLICABLE)
    due_on(datetime.date(2026, 7, 2))  # its D-30 is tomorrow

    time_machine.move_to(at(2026, 6, 1, 9, 0), tick=False)
    sent = plan(now=at(2026, 6, 1, 9, 0)).created
    again = plan(now=at(2026, 6, 1, 9, 5)).created

    assert (sent, again) == (2, 0)
    deliveries = ReminderDelivery.objects.filter(rule__kind=KIND)
    assert sorted(deliveries.values_list("recipient", flat=True)) == ["equipe@example.gouv.fr", "resp@example.gouv.fr"]
    message = OutboxMessage.objects.get(to=["equipe@example.gouv.fr"])
    assert message.subject == "Produit A : standards à compléter avant le comité du 01/07/2026"
    assert f"- {criteria[0].label}\n" in message.body_text
    assert criteria[1].label not in message.body_text
    assert f"/portefeuille/{startup.slug}/standards/" in message.body_text


def test_the_reminder_kind_runs_constant_queries(criteria, django_assert_max_num_queries):
    for _number in range(5):
        TeamMembershipFactory(startup=due_on(datetime.date(2026, 7, 1)))
    kind = get_kind(KIND)
    rule = ReminderRule.objects.get(kind=KIND)

    with django_assert_max_num_queries(5):
        dues = kind.due(rule, anchors_from=datetime.date(2026, 7, 1), anchors_to=datetime.date(2026, 7, 1))

    assert len(dues) == 5
    assert all(len(due.context["missing"]) == len(criteria) for due in dues)

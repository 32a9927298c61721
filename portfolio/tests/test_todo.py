"""The portfolio's to-do items on "Mon espace" (``portfolio.todo``): investigations past 9 weeks,
sheets not updated for 3 months, the portfolio's consistency flags; for the managers of the
product's incubators only, and gone once resolved."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.models import Membership
from incubator.tests.clock import MONDAY_MORNING, frozen_at
from incubator.tests.factories import MembershipFactory, UserFactory
from portfolio import flags, services
from portfolio.models import EventKind, Phase, Startup
from portfolio.tests.factories import ProductEventFactory, StartupFactory, TeamMembershipFactory
from portfolio.todo import portfolio_todo

TODAY = MONDAY_MORNING.date()


frozen = frozen_at(MONDAY_MORNING, autouse=True)


def items_of(user, kind=None):
    return [item for item in portfolio_todo(user, TODAY) if kind is None or item.kind == kind]


@pytest.fixture
def investigation_a(incubator_a):
    """An investigation of incubator A begun 10 weeks ago: past its 9 weeks."""
    return StartupFactory(
        slug="enquete-a",
        name="Enquête A",
        incubator=incubator_a,
        phase=Phase.INVESTIGATION,
        phase_start=TODAY - datetime.timedelta(weeks=10),
    )


def test_investigation_past_nine_weeks_is_listed_for_its_managers_only(investigation_a, member_a, member_b):
    team = TeamMembershipFactory(startup=investigation_a, user=UserFactory()).user

    [item] = items_of(member_a)

    assert item.kind == _("Investigation")
    assert item.text.startswith("Enquête A")
    assert item.date == TODAY - datetime.timedelta(weeks=1)
    assert item.late is True
    assert item.url == investigation_a.get_absolute_url()
    assert items_of(member_b) == []
    assert items_of(team) == []


def test_investigation_within_nine_weeks_is_not_listed(incubator_a, member_a):
    StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=TODAY - datetime.timedelta(weeks=8))

    assert items_of(member_a) == []


def test_investigation_item_goes_once_the_product_moves_on(investigation_a, member_a):
    services.change_phase(startup=investigation_a, phase=Phase.CONSTRUCTION, start=TODAY, actor=member_a)

    assert items_of(member_a, _("Investigation")) == []


def test_investigation_item_replaces_the_phase_too_long_flag(investigation_a, member_a):
    # The current phase is longer than usual too: said once, by the investigation's item.
    assert [item.kind for item in items_of(member_a)] == [_("Investigation")]


def test_stale_sheet_is_listed_with_the_day_it_became_stale(startup_a, member_a, member_b):
    Startup.objects.filter(pk=startup_a.pk).update(updated_at=timezone.now() - datetime.timedelta(days=122))

    [item] = items_of(member_a)

    assert item.kind == _("Product sheet")
    assert item.text.startswith("Produit A")
    assert item.date == TODAY - datetime.timedelta(days=122) + datetime.timedelta(days=90)
    assert item.late is True
    assert item.url == reverse("portfolio:startup_update", kwargs={"slug": "produit-a"})
    assert items_of(member_b) == []


def test_stale_sheet_goes_once_updated(startup_a, member_a):
    Startup.objects.filter(pk=startup_a.pk).update(updated_at=timezone.now() - datetime.timedelta(days=122))
    startup_a.touch()

    assert items_of(member_a) == []


def test_sheet_updated_within_three_months_is_not_listed(startup_a, member_a):
    Startup.objects.filter(pk=startup_a.pk).update(updated_at=timezone.now() - datetime.timedelta(days=80))

    assert items_of(member_a) == []


def test_ended_product_asks_nothing(incubator_a, member_a):
    ended = StartupFactory(incubator=incubator_a, phase=Phase.ABANDONED, phase_start=datetime.date(2024, 1, 8))
    Startup.objects.filter(pk=ended.pk).update(updated_at=timezone.now() - datetime.timedelta(days=400))

    assert items_of(member_a) == []


def test_flag_is_listed_with_its_label_on_the_product_page(startup_a, member_a, member_b):
    event = ProductEventFactory(startup=startup_a, kind=EventKind.FUNDING_STOPPED, date=TODAY)

    [item] = items_of(member_a)

    assert item.kind == _("Flag")
    [label] = [flag.label for flag in flags.portfolio_flags(None) if flag.key == flags.FUNDING_STOPPED]
    assert item.text.startswith("Produit A")
    assert item.text.endswith(str(label))
    assert item.date is None
    assert item.late is False
    assert item.url == startup_a.get_absolute_url()
    assert items_of(member_b) == []

    event.delete()
    assert items_of(member_a) == []


def test_flags_of_a_product_make_one_item(startup_a, member_a):
    ProductEventFactory(startup=startup_a, kind=EventKind.FUNDING_STOPPED, date=TODAY)
    services.change_phase(
        startup=startup_a,
        phase=Phase.INVESTIGATION,
        start=TODAY - datetime.timedelta(days=1),
        actor=member_a,
        reason="Retour en investigation",
        may_override=True,
    )
    ProductEventFactory(startup=startup_a, kind=EventKind.FUNDING_STOPPED, date=TODAY)

    [item] = items_of(member_a)

    assert item.kind == _("Flag")
    assert item.text.count(";") == 1  # funding stopped; outside the usual path


def test_co_incubated_product_is_listed_for_the_co_incubators_portfolio_manager(startup_a, incubator_b, member_b):
    startup_a.other_incubators.add(incubator_b)
    portfolio_manager = MembershipFactory(incubator=incubator_b, role=Membership.Role.PORTFOLIO_MANAGER).user
    coach = MembershipFactory(incubator=incubator_b, role=Membership.Role.COACH).user
    Startup.objects.filter(pk=startup_a.pk).update(updated_at=timezone.now() - datetime.timedelta(days=122))

    assert [item.kind for item in items_of(portfolio_manager)] == [_("Product sheet")]
    assert [item.kind for item in items_of(member_b)] == [_("Product sheet")]
    assert items_of(coach) == []


def test_network_admin_manages_no_incubator_and_gets_no_item(startup_a, network_admin):
    Startup.objects.filter(pk=startup_a.pk).update(updated_at=timezone.now() - datetime.timedelta(days=122))

    assert items_of(network_admin) == []


@pytest.mark.parametrize("count", [1, 30])
def test_portfolio_todo_costs_one_query(incubator_a, member_a, count):
    for _number in range(count):
        StartupFactory(
            incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=TODAY - datetime.timedelta(weeks=10)
        )
    Startup.objects.update(updated_at=timezone.now() - datetime.timedelta(days=122))

    with CaptureQueriesContext(connection) as queries:
        items = portfolio_todo(member_a, TODAY)

    assert len(queries) == 1
    assert len(items) == 2 * count

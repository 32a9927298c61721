"""The committees' to-do items on "Mon espace" (``committees.todo``): committees to organise, decks
missing at D-7, decisions not recorded, purchasing not told; the team's next committee. Each for the
right persona only, with its link and date, and gone once resolved."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from committees import services
from committees.models import Committee, Decision
from committees.tests.factories import CommitteeDocumentFactory, CommitteeFactory, DecisionFactory, paris
from committees.todo import committees_todo
from incubator.models import Membership
from incubator.tests.clock import MONDAY_MORNING, frozen_at
from incubator.tests.factories import MembershipFactory
from portfolio.models import Phase, Startup
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

TODAY = MONDAY_MORNING.date()
DAY = datetime.timedelta(days=1)


frozen = frozen_at(MONDAY_MORNING, autouse=True)


def items_of(user, kind=None):
    return [item for item in committees_todo(user, TODAY) if kind is None or item.kind == kind]


def due_on(startup, day):
    Startup.objects.filter(pk=startup.pk).update(next_committee_due=day)


# Committees to organise -----------------------------------------------------------------------


def test_product_at_d40_without_committee_is_to_organise_for_its_managers(
    startup_a, member_a, portfolio_manager_a, member_b
):
    due_on(startup_a, TODAY + 40 * DAY)

    for manager in (member_a, portfolio_manager_a):
        [item] = items_of(manager)
        assert item.kind == _("Committee")
        assert item.text.startswith("Produit A")
        assert item.date == TODAY + 40 * DAY
        assert item.late is False
        assert item.url == reverse("committees:committee_plan", kwargs={"slug": "produit-a"})
    assert items_of(member_b) == []


def test_product_at_d40_tells_its_team_the_committee_is_not_planned(startup_a, team_member):
    due_on(startup_a, TODAY + 40 * DAY)

    [item] = items_of(team_member)

    assert item.kind == _("Committee")
    assert item.date == TODAY + 40 * DAY
    assert item.url == startup_a.get_absolute_url()  # the team plans nothing: the product page


def test_product_due_beyond_45_days_is_not_listed(startup_a, member_a, team_member):
    due_on(startup_a, TODAY + 46 * DAY)

    assert items_of(member_a) == []
    assert items_of(team_member) == []


def test_committee_to_organise_goes_once_planned(startup_a, member_a):
    due_on(startup_a, TODAY + 40 * DAY)
    CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 30 * DAY))

    assert items_of(member_a) == []


def test_overdue_product_is_to_organise_and_late(startup_a, member_a):
    due_on(startup_a, TODAY - 3 * DAY)

    [item] = items_of(member_a)

    assert item.kind == _("Committee")
    assert item.date == TODAY - 3 * DAY
    assert item.late is True


def test_overdue_product_with_a_committee_planned_after_its_due_date_is_listed_late(startup_a, member_a, team_member):
    # The portfolio list and the dashboard count it as overdue ("Committee overdue", "planned after
    # the due date"): its managers are told so, with the product page where the due date and the
    # planned committee are.
    due_on(startup_a, TODAY - 3 * DAY)
    committee = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 20 * DAY))
    CommitteeDocumentFactory(committee=committee)

    [item] = items_of(member_a)

    assert item.kind == _("Committee")
    assert item.date == TODAY - 3 * DAY
    assert item.late is True
    assert item.url == startup_a.get_absolute_url()
    assert formats.date_format(TODAY - 3 * DAY, "DATE_FORMAT") in item.text
    assert formats.date_format(TODAY + 20 * DAY, "DATE_FORMAT") in item.text
    # The team is told of its next committee, once.
    assert [(item.kind, item.url) for item in items_of(team_member)] == [(_("Committee"), committee.get_absolute_url())]


def test_product_whose_committee_took_place_after_the_due_date_is_not_to_organise(startup_a, member_a):
    due_on(startup_a, TODAY - 3 * DAY)
    CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY - DAY))

    # Its decision is what is missing, not a committee.
    assert [item.kind for item in items_of(member_a)] == [_("Decision")]


def test_ended_product_has_no_committee_to_organise(incubator_a, member_a):
    ended = StartupFactory(incubator=incubator_a, phase=Phase.ABANDONED)
    due_on(ended, TODAY + 10 * DAY)

    assert items_of(member_a) == []


# Decks missing at D-7 -------------------------------------------------------------------------


def test_committee_at_d6_without_deck_is_listed_for_managers(startup_a, member_a, member_b):
    committee = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 6 * DAY))

    [item] = items_of(member_a)

    assert item.kind == _("Deck")
    assert item.date == TODAY + 6 * DAY
    assert item.late is False
    assert item.url == reverse("committees:document_add", kwargs={"pk": committee.pk})
    assert items_of(member_b) == []


def test_committee_at_d8_without_deck_is_not_yet_listed_for_managers(startup_a, member_a):
    CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 8 * DAY))

    assert items_of(member_a) == []


def test_deck_item_goes_once_the_deck_is_uploaded(startup_a, member_a):
    committee = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 6 * DAY))
    CommitteeDocumentFactory(committee=committee)

    assert items_of(member_a) == []


def test_another_document_is_no_deck(startup_a, member_a):
    committee = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 6 * DAY))
    CommitteeDocumentFactory(committee=committee, kind="budget_report")

    assert [item.kind for item in items_of(member_a)] == [_("Deck")]


def test_team_sees_its_next_committee_and_its_missing_deck(startup_a, team_member, member_b):
    later = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 90 * DAY))
    committee = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 20 * DAY))

    [item] = items_of(team_member)

    assert item.kind == _("Committee")
    assert item.date == TODAY + 20 * DAY
    assert item.url == reverse("committees:document_add", kwargs={"pk": committee.pk})
    assert later.pk != committee.pk

    CommitteeDocumentFactory(committee=committee)
    [item] = items_of(team_member)
    assert item.url == committee.get_absolute_url()


def test_team_of_another_product_sees_nothing_of_it(startup_a, incubator_b):
    other = TeamMembershipFactory(startup=StartupFactory(incubator=incubator_b)).user
    CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 6 * DAY))

    assert items_of(other) == []


# Decisions not recorded -----------------------------------------------------------------------


def test_committee_held_yesterday_without_decision_is_listed_late(startup_a, member_a, member_b, team_member):
    committee = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY - DAY))

    [item] = items_of(member_a)

    assert item.kind == _("Decision")
    assert item.date == TODAY - DAY
    assert item.late is True
    assert item.url == reverse("committees:decision", kwargs={"pk": committee.pk})
    assert items_of(member_b) == []
    assert items_of(team_member) == []


def test_decision_item_goes_once_recorded(startup_a, member_a):
    committee = CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY - DAY))

    services.record_decision(
        committee=committee, actor=member_a, outcome=Decision.Outcome.CONTINUE, decided_on=TODAY - DAY
    )

    # The decision is recorded: what is left is to tell purchasing.
    assert [item.kind for item in items_of(member_a)] == [_("Purchasing")]


def test_cancelled_committee_asks_nothing(startup_a, member_a):
    CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY - DAY), status=Committee.Status.CANCELLED)
    CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY + 3 * DAY), status=Committee.Status.CANCELLED)

    assert items_of(member_a) == []


# Purchasing not told --------------------------------------------------------------------------


def test_decision_not_told_to_purchasing_is_listed_for_managers(startup_a, member_a, member_b, team_member):
    decision = DecisionFactory(
        committee__startup=startup_a, committee__scheduled_at=paris(TODAY - 2 * DAY), decided_on=TODAY - 2 * DAY
    )

    [item] = items_of(member_a)

    assert item.kind == _("Purchasing")
    assert item.date == TODAY - 2 * DAY
    assert item.late is True
    assert item.url == decision.committee.get_absolute_url()
    assert items_of(member_b) == []
    assert items_of(team_member) == []


def test_purchasing_item_goes_once_told(startup_a, member_a, client):
    decision = DecisionFactory(
        committee__startup=startup_a, committee__scheduled_at=paris(TODAY - 2 * DAY), decided_on=TODAY - 2 * DAY
    )
    client.force_login(member_a)

    response = client.post(
        reverse("committees:follow_up", kwargs={"pk": decision.committee.pk}), {"purchasing_told": "on"}
    )

    assert response.status_code == 302
    assert items_of(member_a) == []


def test_co_incubated_committee_is_listed_for_the_co_incubators_managers(startup_a, incubator_b, member_b):
    startup_a.other_incubators.add(incubator_b)
    coach_b = MembershipFactory(incubator=incubator_b, role=Membership.Role.COACH).user
    CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY - DAY))

    assert [item.kind for item in items_of(member_b)] == [_("Decision")]
    assert items_of(coach_b) == []


# Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 30])
def test_committees_todo_costs_two_queries(incubator_a, member_a, count):
    for number in range(count):
        startup = StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
        due_on(startup, TODAY + 40 * DAY)
        CommitteeFactory(startup=startup, scheduled_at=paris(TODAY - DAY - number * DAY))
        DecisionFactory(committee__startup=startup, committee__scheduled_at=paris(TODAY - 200 * DAY))
        CommitteeFactory(startup=StartupFactory(incubator=incubator_a), scheduled_at=paris(TODAY + 5 * DAY))

    with CaptureQueriesContext(connection) as queries:
        items = committees_todo(member_a, TODAY)

    assert len(queries) == 2
    kinds = [item.kind for item in items]
    for kind in (_("Committee"), _("Deck"), _("Decision"), _("Purchasing")):
        assert kinds.count(kind) == count

"""The standards' to-do items on "Mon espace" (``standards.todo``): a product due for a committee
within 45 days whose scorecard has missing or outdated criteria; for its managers and its team,
gone once the scorecard is answered."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from committees.tests.factories import CommitteeFactory, paris
from incubator.tests.clock import MONDAY_MORNING, frozen_at
from portfolio.models import Phase, Startup
from portfolio.tests.factories import StartupFactory
from standards import services
from standards.models import ProductStandard, Status
from standards.tests.conftest import make_current_version
from standards.tests.factories import ProductStandardFactory, StandardFactory, StandardsVersionFactory
from standards.todo import standards_todo

TODAY = MONDAY_MORNING.date()
DAY = datetime.timedelta(days=1)


frozen = frozen_at(MONDAY_MORNING, autouse=True)


@pytest.fixture
def three_criteria(db):
    return make_current_version(3)


def items_of(user):
    return list(standards_todo(user, TODAY))


def due_on(startup, day):
    Startup.objects.filter(pk=startup.pk).update(next_committee_due=day)


def test_missing_standards_before_a_committee_are_listed_for_managers_and_team(
    startup_a, three_criteria, member_a, member_b, team_member, coach_a
):
    due_on(startup_a, TODAY + 30 * DAY)
    ProductStandardFactory(startup=startup_a, standard=three_criteria[0], status=Status.DONE)

    for person in (member_a, team_member):
        [item] = items_of(person)
        assert item.kind == _("Standards")
        assert item.text.startswith("Produit A")
        assert " 2 " in item.text  # two criteria of three are missing
        assert item.date == TODAY + 30 * DAY
        assert item.late is False
        assert item.url == reverse("standards:scorecard_edit", kwargs={"slug": "produit-a"})
    assert items_of(member_b) == []
    assert items_of(coach_a) == []


def test_settled_scorecard_asks_nothing(startup_a, three_criteria, member_a):
    due_on(startup_a, TODAY + 30 * DAY)
    ProductStandardFactory(startup=startup_a, standard=three_criteria[0], status=Status.DONE)
    ProductStandardFactory(startup=startup_a, standard=three_criteria[1], status=Status.NOT_APPLICABLE)
    ProductStandardFactory(startup=startup_a, standard=three_criteria[2], status=Status.DONE)

    assert items_of(member_a) == []


def test_criterion_to_review_before_the_committee_is_outdated(startup_a, three_criteria, member_a):
    due_on(startup_a, TODAY + 30 * DAY)
    ProductStandardFactory(startup=startup_a, standard=three_criteria[0], status=Status.DONE)
    ProductStandardFactory(startup=startup_a, standard=three_criteria[1], status=Status.DONE)
    ProductStandardFactory(
        startup=startup_a, standard=three_criteria[2], status=Status.DONE, review_due=TODAY + 10 * DAY
    )

    [item] = items_of(member_a)
    assert " 1 " in item.text

    ProductStandard.objects.filter(startup=startup_a).update(review_due=TODAY + 40 * DAY)
    assert items_of(member_a) == []


def test_answers_of_an_older_version_do_not_count(startup_a, member_a):
    old = StandardFactory(version=StandardsVersionFactory(is_current=False))
    ProductStandardFactory(startup=startup_a, standard=old, status=Status.DONE)
    make_current_version(1)
    due_on(startup_a, TODAY + 30 * DAY)

    [item] = items_of(member_a)
    assert " 1 " in item.text


def test_committee_due_beyond_45_days_is_not_listed(startup_a, three_criteria, member_a):
    due_on(startup_a, TODAY + 46 * DAY)

    assert items_of(member_a) == []


def test_overdue_committee_with_missing_standards_is_late(startup_a, three_criteria, member_a):
    due_on(startup_a, TODAY - 5 * DAY)

    [item] = items_of(member_a)
    assert item.late is True
    assert item.date == TODAY - 5 * DAY


def test_due_date_past_whose_committee_took_place_asks_nothing(startup_a, three_criteria, member_a, team_member):
    # The committee was held yesterday, on its due date, its decision still to record (the due date
    # moves with it): no committee to prepare for, and nothing is late.
    due_on(startup_a, TODAY - DAY)
    CommitteeFactory(startup=startup_a, scheduled_at=paris(TODAY - DAY))

    assert items_of(member_a) == []
    assert items_of(team_member) == []


def test_ended_product_or_no_due_date_asks_nothing(incubator_a, startup_a, three_criteria, member_a):
    ended = StartupFactory(incubator=incubator_a, phase=Phase.ABANDONED)
    due_on(ended, TODAY + 10 * DAY)

    assert items_of(member_a) == []  # startup_a has no due date


def test_item_goes_once_the_scorecard_is_answered(startup_a, three_criteria, member_a, team_member):
    due_on(startup_a, TODAY + 30 * DAY)

    services.record_answers(
        startup=startup_a,
        answers=[services.Answer(standard=criterion, status=Status.DONE) for criterion in three_criteria],
        actor=team_member,
    )

    assert items_of(member_a) == []
    assert items_of(team_member) == []


def test_co_incubated_product_is_listed_for_the_co_incubators_managers(
    startup_a, incubator_b, three_criteria, member_b
):
    startup_a.other_incubators.add(incubator_b)
    due_on(startup_a, TODAY + 30 * DAY)

    assert len(items_of(member_b)) == 1


@pytest.mark.parametrize("count", [1, 30])
def test_standards_todo_costs_one_query(incubator_a, three_criteria, member_a, count):
    for _number in range(count):
        startup = StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
        due_on(startup, TODAY + 20 * DAY)
        ProductStandardFactory(startup=startup, standard=three_criteria[0], status=Status.DONE)

    with CaptureQueriesContext(connection) as queries:
        items = standards_todo(member_a, TODAY)

    assert len(queries) == 1
    assert len(items) == count
    assert all(" 2 " in item.text for item in items)

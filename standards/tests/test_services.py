"""Rolling out a new version keeps the answers of the criteria that carry over; the tile counts
the share done in one query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incubator.registry import Scope, get_tile
from incubator.tests.factories import IncubatorFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory
from standards import services
from standards.models import ProductStandard, StandardsVersion, Status
from standards.tests.factories import ProductStandardFactory

pytestmark = pytest.mark.django_db


def test_roll_out_version_keeps_the_answers_of_the_criteria_that_carry_over(startup_a, criteria, member_a):
    kept = ProductStandardFactory(
        startup=startup_a,
        standard=criteria[0],
        status=Status.DONE,
        evidence_url="https://exemple.fr/rgaa",
        done_on=datetime.date(2026, 1, 5),
        review_due=datetime.date(2027, 1, 5),
        updated_by=member_a,
    )
    ProductStandardFactory(startup=startup_a, standard=criteria[1], status=Status.DONE)  # dropped criterion
    other = StartupFactory()
    new = [{"key": criteria[0].key, "label": "Accessibilité (RGAA 5)"}, {"key": "sobriete", "label": "Sobriété"}]

    version = services.roll_out_version(
        name="Standards 2027", published_on=datetime.date(2027, 1, 1), criteria=new, actor=member_a
    )

    assert list(StandardsVersion.objects.current()) == [version]
    answers = {
        (row.startup_id, row.standard.key): row for row in ProductStandard.objects.current().select_related("standard")
    }
    carried = answers[(startup_a.pk, criteria[0].key)]
    assert (carried.status, carried.evidence_url, carried.done_on, carried.review_due, carried.updated_by) == (
        kept.status,
        kept.evidence_url,
        kept.done_on,
        kept.review_due,
        member_a,
    )
    assert carried.standard.label == "Accessibilité (RGAA 5)"
    assert answers[(startup_a.pk, "sobriete")].status == Status.NOT_STARTED
    assert answers[(other.pk, criteria[0].key)].status == Status.NOT_STARTED
    assert len(answers) == 4
    assert ProductStandard.objects.filter(pk=kept.pk).exists()  # the old version's answer stays, as a record
    assert carried.history.first().history_user == member_a


def test_record_answers_changes_only_what_changed(startup_a, criteria, member_a, team_member):
    answers = [services.Answer(standard=criterion, status=Status.IN_PROGRESS) for criterion in criteria[:3]]
    assert services.record_answers(startup=startup_a, answers=answers, actor=member_a) == 3

    answers[1] = services.Answer(standard=criteria[1], status=Status.NOT_APPLICABLE)
    changed = services.record_answers(startup=startup_a, answers=answers, actor=team_member)

    rows = {row.standard_id: row for row in ProductStandard.objects.filter(startup=startup_a)}
    assert changed == 1
    assert (rows[criteria[1].pk].status, rows[criteria[1].pk].updated_by) == (Status.NOT_APPLICABLE, team_member)
    assert rows[criteria[0].pk].updated_by == member_a
    assert rows[criteria[1].pk].history.count() == 2


def test_coverage_tile_is_the_share_done_of_the_applicable_criteria_in_one_query(incubator_a, criteria, member_a):
    first = StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
    StartupFactory(incubator=incubator_a, phase=Phase.ACCELERATION)  # nothing answered: 10 not started
    StartupFactory(incubator=incubator_a, phase=Phase.ABANDONED)  # ended: not counted
    StartupFactory(incubator=IncubatorFactory())  # another incubator
    for criterion in criteria[:5]:
        ProductStandardFactory(startup=first, standard=criterion, status=Status.DONE)
    for criterion in criteria[5:7]:
        ProductStandardFactory(startup=first, standard=criterion, status=Status.NOT_APPLICABLE)
    tile = get_tile("standards_coverage")

    with CaptureQueriesContext(connection) as queries:
        figure = tile.compute(member_a, Scope(incubator_a))

    assert len(queries) == 1
    assert figure == {"done": 5, "applicable": 18, "percent": 28}


def test_open_data_shows_each_published_product_standards_statuses_only(client, startup_a, criteria, member_a):
    services.record_answers(
        startup=startup_a,
        answers=[services.Answer(standard=criteria[0], status=Status.DONE, evidence_url="https://exemple.fr/rgaa")],
        actor=member_a,
    )
    hidden = StartupFactory(is_published=False)

    data = client.get("/api/startups.json").json()

    (product,) = [row for row in data["startups"] if row["slug"] == startup_a.slug]
    assert product["standards"]["version"] == criteria[0].version.name
    assert product["standards"]["statuses"][criteria[0].key] == Status.DONE
    assert product["standards"]["statuses"][criteria[1].key] == Status.NOT_STARTED
    assert len(product["standards"]["statuses"]) == len(criteria)
    assert hidden.slug not in {row["slug"] for row in data["startups"]}
    assert member_a.email not in str(data)
    assert "exemple.fr/rgaa" not in str(data)  # the evidence is for the committee, not the open data


def test_open_data_is_rebuilt_when_an_answer_changes(client, startup_a, criteria, member_a):
    client.get("/api/startups.json")
    services.record_answers(
        startup=startup_a, answers=[services.Answer(standard=criteria[2], status=Status.IN_PROGRESS)], actor=member_a
    )

    data = client.get("/api/startups.json").json()

    (product,) = [row for row in data["startups"] if row["slug"] == startup_a.slug]
    assert product["standards"]["statuses"][criteria[2].key] == Status.IN_PROGRESS

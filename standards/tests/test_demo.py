"""The demo's scorecards: a few active products of the demo incubator, written once."""

import datetime
import zoneinfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from incubator.demo import DEMO_INCUBATOR
from incubator.tests.factories import IncubatorFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory
from standards import demo
from standards.models import ProductStandard, Standard, Status

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_demo_seeds_scorecards_in_every_status_once(criteria):
    incubator = IncubatorFactory(slug=DEMO_INCUBATOR)
    products = [StartupFactory(incubator=incubator, phase=Phase.CONSTRUCTION) for _number in range(5)]

    demo.seed(None)
    first = ProductStandard.objects.count()
    demo.seed(None)

    assert ProductStandard.objects.count() == first
    assert ProductStandard.objects.values("startup").distinct().count() == len(demo.PATTERNS)
    assert set(ProductStandard.objects.values_list("status", flat=True)) == set(Status)
    assert not ProductStandard.objects.filter(status=Status.DONE, evidence_url="").exists()
    assert products


def test_seed_demo_puts_the_standards_and_the_public_events_in_the_open_data(settings, time_machine, client, criteria):
    """Issue 11, "Must show": the scorecard and the events in /api/startups.json, public facts only."""
    settings.DEBUG = True
    time_machine.move_to(datetime.datetime(2026, 12, 1, 9, 30, tzinfo=PARIS), tick=False)
    call_command("seed_demo")

    rows = {row["slug"]: row for row in client.get(reverse("portfolio:startups_json")).json()["startups"]}

    answered = ProductStandard.objects.filter(startup__is_published=True).values_list("startup__slug", flat=True)
    assert set(answered)  # some published demo products have a scorecard
    current = set(Standard.objects.current().values_list("key", flat=True))
    for slug in set(answered):
        standards = rows[slug]["standards"]
        assert set(standards) == {"version", "statuses"}  # never who answered, the evidence or the dates
        assert set(standards["statuses"]) == current
        stored = dict(
            ProductStandard.objects.current().filter(startup__slug=slug).values_list("standard__key", "status")
        )
        assert {key: status for key, status in standards["statuses"].items() if key in stored} == stored
    # The events: public ones only (1000 premiers jours Blues' funding stop is not public).
    assert rows["1000.premiers.jours.blues"]["events"] == []
    assert {"fast", "label-impact-national"} <= {event["kind"] for event in rows["chauffage-urbain"]["events"]}

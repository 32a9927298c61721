"""The demo's scorecards: a few active products of the demo incubator, written once."""

import pytest

from incubator.demo import DEMO_INCUBATOR
from incubator.tests.factories import IncubatorFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory
from standards import demo
from standards.models import ProductStandard, Status

pytestmark = pytest.mark.django_db


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

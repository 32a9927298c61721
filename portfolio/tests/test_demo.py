import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from incubator.demo import DEMO_INCUBATOR
from portfolio.models import Indicator, Measurement, Phase, PhasePeriod, Startup

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_real_products_through_the_phase_service(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    assert Startup.objects.count() == 28 + 5  # the sample's products and the demo incubator's invented ones
    assert Startup.objects.get(slug="ca-se").phase == "abandon"
    assert list(PhasePeriod.objects.filter(is_override=True).values_list("startup__slug", "phase").order_by("pk")) == [
        ("pix", "transfere"),
        ("demarches-simplifiees.fr", "opere"),
        ("chauffage-urbain", "consolidation"),
        ("chauffage-urbain", "acceleration"),
    ]
    assert all(startup.team.exists() for startup in Startup.objects.all())
    assert PhasePeriod.objects.filter(end__isnull=True).count() == 33


# The demo incubator must give a new manager something to judge (issue 9, item 11). The seed runs
# on a fixed day, so that "yesterday", "in 6 days" and "a year of measurements" are exact.
SEED_DAY = datetime.datetime(2027, 1, 15, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def seeded(settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(SEED_DAY, tick=False)
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: the second run adds nothing


def demo_products():
    return Startup.objects.filter(incubator__slug=DEMO_INCUBATOR)


def test_demo_incubator_has_a_described_product_at_every_phase(seeded):
    assert {startup.phase for startup in demo_products()} == set(Phase.values)
    assert demo_products().count() == 9
    assert not demo_products().filter(description="").exists()
    assert all("<p>" in startup.description_html for startup in demo_products())
    assert Startup.objects.get(slug="cantine-locale").phase == Phase.ACCELERATION
    # The invented products moved on through their committees' decisions, not by hand.
    moved = PhasePeriod.objects.filter(startup__slug="cantine-locale").exclude(phase=Phase.INVESTIGATION)
    assert moved.count() == 2
    assert not moved.filter(decision_id__isnull=True).exists()


def test_demo_indicators_have_a_year_of_monthly_measurements(seeded):
    indicator = Indicator.objects.get(startup__slug="cantine-locale", name="Collectivités utilisatrices")
    dates = list(indicator.measurements.values_list("date", flat=True))

    assert dates == [datetime.date(2026, month, 1) for month in range(2, 13)] + [datetime.date(2027, 1, 1)]
    values = list(indicator.measurements.values_list("value", flat=True))
    assert values[0] < values[-1]
    year_long = [
        i for i in Indicator.objects.filter(startup__incubator__slug=DEMO_INCUBATOR) if i.measurements.count() == 12
    ]
    assert len(year_long) == 6
    assert Measurement.objects.filter(indicator__startup__incubator__slug=DEMO_INCUBATOR).count() == 91


def test_demo_history_is_dated_when_things_happened(seeded):
    seed_time = SEED_DAY
    phases = PhasePeriod.history.filter(startup__slug="cantine-locale", history_type="+").order_by("history_date")

    assert [(record.phase, record.history_date.date()) for record in phases] == [
        (Phase.INVESTIGATION, datetime.date(2025, 5, 19)),  # 9 weeks before its end-of-investigation committee
        (Phase.CONSTRUCTION, datetime.date(2025, 7, 21)),
        (Phase.ACCELERATION, datetime.date(2026, 7, 21)),  # 6 months before the committee of 21 January
    ]
    pix = Startup.history.filter(slug="pix").order_by("history_date")
    assert pix.first().history_date.date() == datetime.date(2016, 6, 8)
    recent = Startup.history.filter(history_date__gte=seed_time - datetime.timedelta(days=1)).count()
    assert recent < Startup.history.count() / 10

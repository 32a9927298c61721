import pytest
from django.core.management import call_command

from portfolio.models import PhasePeriod, Startup

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_real_products_through_the_phase_service(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    assert Startup.objects.count() == 28
    assert Startup.objects.get(slug="ca-se").phase == "abandon"
    assert list(PhasePeriod.objects.filter(is_override=True).values_list("startup__slug", "phase").order_by("pk")) == [
        ("pix", "transfere"),
        ("demarches-simplifiees.fr", "opere"),
        ("chauffage-urbain", "consolidation"),
        ("chauffage-urbain", "acceleration"),
    ]
    assert all(startup.team.exists() for startup in Startup.objects.all())
    assert PhasePeriod.objects.filter(end__isnull=True).count() == 28

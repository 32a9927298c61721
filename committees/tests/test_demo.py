import pytest
from django.core.management import call_command

from committees.models import Committee, Decision
from portfolio.models import ACTIVE_PHASES, Startup

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_sample_committees_and_due_dates(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    assert Committee.objects.filter(status=Committee.Status.HELD).count() == 11
    assert Decision.objects.count() == 11
    assert Committee.objects.filter(status=Committee.Status.PLANNED).count() == 1
    assert Committee.objects.get(startup__slug="andv-aerien").kind == Committee.Kind.END_OF_INVESTIGATION
    assert not Startup.objects.filter(phase__in=ACTIVE_PHASES, next_committee_due__isnull=True).exists()
    assert not Startup.objects.exclude(phase__in=ACTIVE_PHASES).exclude(next_committee_due__isnull=True).exists()

import pytest
from django.core.management import call_command

from incubator.demo import DEMO_ACCOUNTS, DEMO_DOMAIN, DEV_PASSWORD
from incubator.models import Incubator, Membership, Organisation, User

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_real_network_and_is_idempotent(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    output = capsys.readouterr().out
    assert Organisation.objects.count() == 29
    assert Incubator.objects.count() == 15
    assert Incubator.objects.get(slug="anct").title == "L'Incubateur des Territoires"
    assert Incubator.objects.get(slug="anct").owner.acronym == "ANCT"
    demo_emails = [f"{local}@{DEMO_DOMAIN}" for local, *_rest in DEMO_ACCOUNTS]
    assert User.objects.filter(email__in=demo_emails).count() == 8
    assert set(Membership.objects.values_list("role", flat=True)) == set(Membership.Role.values)
    assert User.objects.get(email="admin@demo.incubateurs.example").is_staff
    coordinator = User.objects.get(email="coordination@demo.incubateurs.example")
    assert (coordinator.is_network_coordinator, coordinator.is_staff, coordinator.is_superuser) == (True, False, False)
    assert not Membership.objects.filter(user=coordinator).exists()
    assert User.objects.filter(is_network_coordinator=True, email__in=demo_emails).count() == 1
    assert f"  {'coordination@demo.incubateurs.example':<40} network coordinator\n" in output
    assert User.objects.get(email="responsable@demo.incubateurs.example").check_password(DEV_PASSWORD)
    assert f"Demo password (development only): {DEV_PASSWORD}" in output


def test_seed_demo_prints_no_password_and_sets_none_in_production(capsys, settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = ""

    call_command("seed_demo")

    output = capsys.readouterr().out
    assert DEV_PASSWORD not in output
    assert not User.objects.get(email="responsable@demo.incubateurs.example").has_usable_password()

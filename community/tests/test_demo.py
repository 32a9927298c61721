"""The demo: the network's offer seeded as the issue lists it, requests in each state, upcoming
events with one full and its waiting list; twice is the same as once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from community.demo import RESOURCES
from community.models import Event, Registration, Resource, ResourceCategory, ResourceRequest
from incubator.demo import DEMO_DOMAIN
from incubator.models import OutboxMessage, User
from incubator.tests.mfa import enrol_totp
from portfolio.models import Phase, Startup

pytestmark = pytest.mark.django_db
SEED_DAY = datetime.datetime(2027, 1, 15, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def seeded(settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(SEED_DAY, tick=False)
    call_command("seed_demo")
    call_command("seed_demo")


def test_the_seeded_catalogue_holds_the_networks_offer(seeded):
    assert list(ResourceCategory.objects.values_list("name", flat=True)) == [
        "Marchés publics",
        "Offre technique",
        "Communauté",
        "Financement et accompagnement",
        "Appui stratégique et organisationnel",
        "Guides par rôle",
    ]
    assert Resource.objects.count() == len(RESOURCES) >= 25
    titles = set(Resource.objects.values_list("title", flat=True))
    for expected in [
        "Marché interministériel beta.gouv.fr",
        "Marché de coaching de la DINUM",
        "Nom de domaine beta.gouv.fr",
        "Cofinancement des Startups d'État par le FAST",
        "Financement DINUM des phases d'investigation",
        "Appui au transfert et à la consolidation",
        "Formations et ressources communes",
        "Préparer un comité d'investissement",
        "Accueillir des intrapreneurs en investigation",
    ]:
        assert expected in titles
    assert Resource.objects.get(slug="financement-investigation-dinum").priority_policy_only
    handler = User.objects.get(email=f"offre@{DEMO_DOMAIN}")
    assert set(Resource.objects.filter(access_mode="on_request").values_list("handlers", flat=True)) == {handler.pk}


def test_the_demo_has_requests_in_each_state_and_no_email_left(seeded):
    states = set(ResourceRequest.objects.values_list("status", flat=True))

    assert states == {"submitted", "in_progress", "granted", "refused"}
    assert ResourceRequest.objects.filter(startup=None).exists()  # one for the incubator itself
    assert not OutboxMessage.objects.filter(idempotency_key__startswith="community:").exists()
    assert ResourceRequest.objects.count() == 7  # the second run adds nothing


def test_the_demo_events_are_upcoming_and_the_alpha_training_is_full_with_a_waiting_list(seeded):
    alpha = Event.objects.get(slug="formation-alpha")
    registrations = Registration.objects.filter(event=alpha)

    assert not Event.objects.filter(starts_at__lt=SEED_DAY).exists()
    assert Event.objects.count() == 5
    assert registrations.filter(status="confirmed").count() == alpha.capacity == 3
    assert list(registrations.waiting().values_list("position", flat=True)) == [1, 2]
    assert Event.objects.filter(is_public=True).count() == 2


def test_for_my_product_differs_between_the_demo_products_in_investigation_and_acceleration(seeded, client):
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    enrol_totp(admin)  # network admins have a second factor
    client.force_login(admin)
    investigating = Startup.objects.filter(incubator__slug="dinum", phase=Phase.INVESTIGATION).first()
    accelerating = Startup.objects.filter(incubator__slug="dinum", phase=Phase.ACCELERATION).first()

    def slugs(startup):
        response = client.get(reverse("community:for_startup", args=[startup.slug]))
        return {resource.slug for _category, resources in response.context["categories"] for resource in resources}

    first, second = slugs(investigating), slugs(accelerating)
    assert {"nom-de-domaine-beta", "financement-investigation-dinum", "guide-onboarding-investigation"} <= first
    assert "cofinancement-fast" not in first
    assert "cofinancement-fast" in second
    assert not {"financement-investigation-dinum", "guide-onboarding-investigation"} & second

"""The public directory's results are rendered once per version of the open data, language and
query (``portfolio.views.DirectoryView``): a second request costs the filter form only, and every
save of what the results show is seen at the next request."""

import datetime

import pytest
from django.urls import reverse

from incubator.tests.factories import OrganisationFactory
from portfolio import services
from portfolio.models import Phase

from .factories import StartupFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("portfolio:directory")


def products(incubator, count):
    return [
        StartupFactory(slug=f"annuaire-{n:02d}", name=f"Annuaire {n:02d}", incubator=incubator, is_published=True)
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 30])
def test_a_second_request_reads_the_results_from_the_cache(client, incubator_a, django_assert_num_queries, count):
    products(incubator_a, count)
    first = client.get(DIRECTORY)

    with django_assert_num_queries(0):  # the results and the filter form (its choices) both kept
        second = client.get(DIRECTORY)

    assert second.status_code == 200
    assert second.content.count(b"Annuaire ") == first.content.count(b"Annuaire ") == min(count, 25)


def test_every_change_of_what_the_results_show_is_seen_at_the_next_request(client, incubator_a, network_admin):
    startup, other = products(incubator_a, 2)
    assert "Annuaire 00" in client.get(DIRECTORY).text

    startup.name = "Nouveau nom"
    startup.save()
    assert "Nouveau nom" in client.get(DIRECTORY).text

    startup.sponsors.add(OrganisationFactory(acronym="DINUMX"))
    assert "DINUMX" in client.get(DIRECTORY).text

    services.change_phase(startup=other, phase=Phase.CONSTRUCTION, start=datetime.date(2025, 6, 2), actor=network_admin)
    assert "Construction" in client.get(DIRECTORY, {"phase": Phase.CONSTRUCTION}).text

    startup.is_published = False
    startup.save()
    assert "Nouveau nom" not in client.get(DIRECTORY).text


def test_each_query_and_language_has_its_own_results(client, incubator_a):
    products(incubator_a, 30)

    first, second = client.get(DIRECTORY).text, client.get(DIRECTORY, {"page": 2}).text
    english = client.get(DIRECTORY, headers={"accept-language": "en"}).text

    assert "Annuaire 00" in first
    assert "Annuaire 00" not in second
    assert "Annuaire 29" in second
    assert "Annuaire 29" not in first
    assert "30 produits" in client.get(DIRECTORY, headers={"accept-language": "fr"}).text
    assert "30 products" in english


def test_an_invalid_filter_is_not_kept(client, incubator_a):
    products(incubator_a, 1)

    assert client.get(DIRECTORY, {"phase": "nope"}).status_code == 400
    assert client.get(DIRECTORY, {"phase": "nope"}).status_code == 400
    assert client.get(DIRECTORY).status_code == 200


def test_a_cache_outage_costs_the_speed_not_the_page(client, incubator_a, settings):
    products(incubator_a, 2)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }

    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert "Annuaire 01" in response.text

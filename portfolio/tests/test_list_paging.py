"""The portfolio list cuts its page on the products' ids and counts them in the same query
(``incubator.lists.IdsPaginator``), then reads the page's 25 rows with their flags and columns:
the count, the pages and the rows must be those of the whole filtered list, each product once,
co-incubated ones included."""

import pytest
from django.urls import reverse

from incubator.tests.factories import OrganisationFactory
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

LIST = reverse("portfolio:startup_list")


def names(response):
    return [startup.name for startup in response.context["startups"]]


@pytest.fixture
def fifty_products(incubator_a, incubator_b):
    sponsor = OrganisationFactory(acronym="PAGINE")
    products = []
    for n in range(50):
        # Every fifth product of B is co-incubated by A: in A's list once, not twice.
        incubator = incubator_b if n % 5 == 0 else incubator_a
        startup = StartupFactory(slug=f"page-{n:02d}", name=f"Page {n:02d}", incubator=incubator)
        if incubator == incubator_b:
            startup.other_incubators.add(incubator_a)
        if n % 2 == 0:
            startup.sponsors.add(sponsor)
        products.append(startup)
    return products


def test_pages_cover_the_list_once_in_order(manager, fifty_products):
    first, second = manager.get(LIST, {"sort": "name"}), manager.get(LIST, {"sort": "name", "page": 2})

    assert first.context["paginator"].count == second.context["paginator"].count == 50
    assert names(first) + names(second) == [f"Page {n:02d}" for n in range(50)]


def test_the_count_follows_the_filters(manager, fifty_products, incubator_a):
    by_sponsor = manager.get(LIST, {"sponsor": "PAGINE", "sort": "-name"})
    in_a = manager.get(LIST, {"incubator": incubator_a.slug})

    assert by_sponsor.context["paginator"].count == 25
    assert names(by_sponsor) == [f"Page {n:02d}" for n in range(48, -1, -2)]
    assert in_a.context["paginator"].count == 50  # its own 40 and the 10 it co-incubates


def test_a_page_beyond_the_last_is_a_404_and_an_empty_list_a_page(manager, fifty_products):
    assert manager.get(LIST, {"page": 3}).status_code == 404
    assert manager.get(LIST, {"page": 0}).status_code == 404
    assert manager.get(LIST, {"page": "x"}).status_code == 404
    empty = manager.get(LIST, {"q": "nothing matches this"})
    assert empty.status_code == 200
    assert empty.context["paginator"].count == 0
    assert manager.get(LIST, {"page": "last"}).context["page_obj"].number == 2

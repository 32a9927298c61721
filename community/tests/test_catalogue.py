"""The catalogue: public for the open resources, the rest signed in; filters and search; a resource's
page; "for my product" by phase and sponsors' organisation types, for those who see the product."""

import pytest
from django.urls import reverse

from community.models import Resource
from community.tests.factories import ResourceCategoryFactory, ResourceFactory, ResourceRequestFactory
from incubator.tests.factories import OrganisationFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db
M = Resource.AccessMode


@pytest.fixture
def offer(db):
    technique = ResourceCategoryFactory(slug="offre-technique", name="Offre technique")
    funding = ResourceCategoryFactory(slug="financement", name="Financement")
    return {
        "chat": ResourceFactory(slug="chat", title="Espace de discussion", access_mode=M.OPEN, category=technique),
        "domain": ResourceFactory(
            slug="domaine", title="Nom de domaine", category=technique, phases=[Phase.INVESTIGATION]
        ),
        "fast": ResourceFactory(slug="fast", title="FAST", category=funding, phases=[Phase.ACCELERATION]),
        "state": ResourceFactory(
            slug="marche",
            title="Marché interministériel",
            access_mode=M.CONTRACT,
            category=funding,
            organisation_types=["administration-centrale"],
        ),
        "hidden": ResourceFactory(slug="brouillon", title="Brouillon", access_mode=M.OPEN, is_published=False),
    }


def titles(response):
    return [resource.title for resource in response.context["resources"]]


def test_a_visitor_sees_only_the_open_resources(client, offer):
    response = client.get(reverse("community:resource_list"))

    assert response.status_code == 200
    assert titles(response) == ["Espace de discussion"]


def test_a_signed_in_person_sees_the_whole_published_offer(sign_in, member_b, offer):
    response = sign_in(member_b).get(reverse("community:resource_list"))

    assert sorted(titles(response)) == ["Espace de discussion", "FAST", "Marché interministériel", "Nom de domaine"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "financement"}, ["FAST", "Marché interministériel"]),
        ({"phase": "investigation"}, ["Espace de discussion", "Marché interministériel", "Nom de domaine"]),
        ({"phase": "acceleration", "access_mode": "on_request"}, ["FAST"]),
        ({"organisation_type": "collectivite-territoriale"}, ["Espace de discussion", "FAST", "Nom de domaine"]),
        ({"access_mode": "contract"}, ["Marché interministériel"]),
        ({"q": "domaine"}, ["Nom de domaine"]),
        ({"q": "nom domaine"}, ["Nom de domaine"]),
        ({"q": "personne"}, []),
    ],
)
def test_the_catalogue_filters_and_searches(sign_in, member_b, offer, query, expected):
    response = sign_in(member_b).get(reverse("community:resource_list"), query)

    assert sorted(titles(response)) == expected


def test_an_unknown_filter_value_answers_400(client, offer):
    assert client.get(reverse("community:resource_list"), {"phase": "lune"}).status_code == 400


def test_a_resource_page_is_public_when_open_and_asks_to_sign_in_otherwise(client, offer):
    open_page = client.get(offer["chat"].get_absolute_url())
    other = client.get(offer["fast"].get_absolute_url())
    unpublished = client.get(reverse("community:resource_detail", args=["brouillon"]))

    assert open_page.status_code == 200
    assert "Espace de discussion" in open_page.content.decode()
    assert other.status_code == 302
    assert other.url.startswith("/compte/login/")
    assert unpublished.status_code == 404


def test_a_resource_page_offers_the_request_only_for_an_on_request_resource(sign_in, member_b, offer):
    on_request = sign_in(member_b).get(offer["fast"].get_absolute_url()).content.decode()
    contract = sign_in(member_b).get(offer["state"].get_absolute_url()).content.decode()

    assert 'id="request-resource"' in on_request
    assert 'id="request-resource"' not in contract


def test_a_resource_description_is_sanitised_markdown(sign_in, member_b):
    resource = ResourceFactory(slug="md", description="**Gras** <script>alert(1)</script>")

    html = sign_in(member_b).get(resource.get_absolute_url()).content.decode()

    assert "<strong>Gras</strong>" in html
    assert "<script>alert(1)" not in html


# For my product -----------------------------------------------------------------------------------


def eligible(response):
    return sorted(resource.slug for _category, resources in response.context["categories"] for resource in resources)


def test_for_my_product_differs_between_investigation_and_acceleration(sign_in, member_a, incubator_a, offer):
    sponsor = OrganisationFactory(acronym="DINUM", type="administration-centrale")
    investigating = StartupFactory(slug="en-investigation", incubator=incubator_a, sponsors=[sponsor])
    accelerating = StartupFactory(
        slug="en-acceleration", incubator=incubator_a, phase=Phase.ACCELERATION, sponsors=[sponsor]
    )
    client = sign_in(member_a)

    first = client.get(reverse("community:for_startup", args=[investigating.slug]))
    second = client.get(reverse("community:for_startup", args=[accelerating.slug]))

    assert eligible(first) == ["chat", "domaine", "marche"]
    assert eligible(second) == ["chat", "fast", "marche"]


def test_for_my_product_reads_the_sponsors_organisation_types(sign_in, member_a, incubator_a, offer):
    local = OrganisationFactory(acronym="VILLE", type="collectivite-territoriale")
    startup = StartupFactory(slug="ville", incubator=incubator_a, phase=Phase.ACCELERATION, sponsors=[local])

    response = sign_in(member_a).get(reverse("community:for_startup", args=[startup.slug]))

    assert eligible(response) == ["chat", "fast"]  # the state contract is for central administrations


def test_for_my_product_without_sponsor_reads_the_incubators_owner(sign_in, member_a, incubator_a, offer):
    startup = StartupFactory(slug="sans-sponsor", incubator=incubator_a, phase=Phase.ACCELERATION)

    response = sign_in(member_a).get(reverse("community:for_startup", args=[startup.slug]))

    assert "marche" in eligible(response)  # the incubator's owner is a central administration


def test_for_my_product_shows_the_products_request_and_offers_the_others(sign_in, team_member, startup_a, offer):
    ResourceRequestFactory(resource=offer["fast"], startup=startup_a, requester=team_member)
    ResourceFactory(slug="design", title="Design", category=offer["fast"].category)

    html = sign_in(team_member).get(reverse("community:for_startup", args=[startup_a.slug])).content.decode()

    fast = html.split('id="resource-fast"')[1].split("</li>")[0]
    design = html.split('id="resource-design"')[1].split("</li>")[0]
    assert "fr-badge--new" in fast  # submitted
    assert "demander/?pour=produit-a" not in fast
    assert "/communaute/ressources/design/demander/?pour=produit-a" in design


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("team_member", 200),
        ("other_team_member", 404),
        ("coach_a", 200),  # the incubator's roles read its product sheets
        ("member_a", 200),
        ("member_b", 404),
        ("handler", 404),
        ("network_admin", 200),
    ],
)
def test_for_my_product_is_for_those_who_see_the_product(as_community_persona, startup_a, offer, persona, expected):
    response = as_community_persona(persona).get(reverse("community:for_startup", args=[startup_a.slug]))

    assert response.status_code == expected

"""Context-aware suggestions of the network's offer (issue 12 item 3): the rules, the product page's
panel, the "Mon espace" section, the dismissal (access table), and their query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community import demo, suggestions
from community.contributions import my_suggestions
from community.models import DismissedSuggestion, Resource
from community.personal_data import erase, export
from community.tests.factories import ResourceFactory
from portfolio.models import Phase, Startup
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db

SLUGS = [rule.resource_slug for rule in suggestions.RULES]


@pytest.fixture
def offer(db):
    """The suggested resources, by slug, as the demo seeds them."""
    return {
        slug: ResourceFactory(slug=slug, title=f"Titre {slug}", access_mode=Resource.AccessMode.OPEN) for slug in SLUGS
    }


def due_in(startup, days):
    Startup.objects.filter(pk=startup.pk).update(
        next_committee_due=timezone.localdate() + datetime.timedelta(days=days)
    )
    startup.refresh_from_db()
    return startup


def product(phase, due_days=200, **kwargs):
    return due_in(StartupFactory(phase=phase, **kwargs), due_days)


def suggested(startup, user):
    return [suggestion.resource.slug for suggestion in suggestions.suggestions_for([startup], user)]


def test_every_rule_names_a_resource_the_demo_seeds():
    assert set(SLUGS) <= set(demo.RESOURCES)


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        (Phase.INVESTIGATION, ["guide-onboarding-investigation", "nom-de-domaine-beta"]),
        (Phase.CONSTRUCTION, []),
        (Phase.ACCELERATION, ["cofinancement-fast"]),
        (Phase.CONSOLIDATION, ["appui-transfert-consolidation"]),
    ],
)
def test_suggestions_follow_the_phase(offer, team_member, phase, expected):
    assert suggested(product(phase), team_member) == expected


def test_the_committee_guide_is_suggested_when_the_committee_is_due_within_45_days(offer, team_member):
    assert suggested(product(Phase.CONSTRUCTION, due_days=45), team_member) == ["guide-preparer-comite"]
    assert suggested(product(Phase.CONSTRUCTION, due_days=-3), team_member) == ["guide-preparer-comite"]
    assert suggested(product(Phase.CONSTRUCTION, due_days=46), team_member) == []
    assert suggested(product(Phase.ABANDONED, due_days=10), team_member) == []


def test_an_unpublished_or_missing_resource_is_not_suggested(offer, team_member):
    Resource.objects.filter(slug="cofinancement-fast").update(is_published=False)
    assert suggested(product(Phase.ACCELERATION), team_member) == []
    Resource.objects.filter(slug="cofinancement-fast").delete()
    assert suggested(product(Phase.ACCELERATION), team_member) == []


def test_the_product_page_suggests_the_fast_in_acceleration_until_dismissed(
    offer, startup_a, team_member, member_a, sign_in
):
    page = reverse("portfolio:startup_detail", kwargs={"slug": startup_a.slug})
    fast = offer["cofinancement-fast"]
    response = sign_in(team_member).get(page)
    assert 'id="product-suggestions"' in response.text
    assert fast.get_absolute_url() in response.text

    dismiss = reverse("community:dismiss_suggestion", kwargs={"slug": startup_a.slug, "resource": fast.slug})
    response = sign_in(team_member).post(dismiss, {"next": page})

    assert response.status_code == 302
    assert response["Location"] == page
    assert DismissedSuggestion.objects.filter(user=team_member, startup=startup_a, resource=fast).count() == 1
    assert 'id="product-suggestions"' not in sign_in(team_member).get(page).text
    # Another person still sees it.
    assert fast.get_absolute_url() in sign_in(member_a).get(page).text


def test_dismissing_twice_keeps_one_row_and_a_foreign_next_goes_to_the_product(offer, startup_a, team_member, sign_in):
    fast = offer["cofinancement-fast"]
    dismiss = reverse("community:dismiss_suggestion", kwargs={"slug": startup_a.slug, "resource": fast.slug})
    client = sign_in(team_member)
    client.post(dismiss)
    response = client.post(dismiss, {"next": "https://ailleurs.example/"})
    assert response["Location"] == reverse("portfolio:startup_detail", kwargs={"slug": startup_a.slug})
    assert DismissedSuggestion.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("team_member", 302),
        ("member_a", 302),
        ("member_b", 404),
        ("network_admin", 302),
    ],
)
def test_dismissal_access(offer, startup_a, as_community_persona, persona, status):
    fast = offer["cofinancement-fast"]
    dismiss = reverse("community:dismiss_suggestion", kwargs={"slug": startup_a.slug, "resource": fast.slug})
    response = as_community_persona(persona).post(dismiss)
    assert response.status_code == status
    expected = 0 if persona in {"anonymous", "member_b"} else 1
    assert DismissedSuggestion.objects.count() == expected
    if persona == "anonymous":
        assert "/login/" in response["Location"] or "connexion" in response["Location"]


def test_dismissal_is_post_only_and_an_unknown_resource_is_a_404(offer, startup_a, team_member, sign_in):
    client = sign_in(team_member)
    url = reverse("community:dismiss_suggestion", kwargs={"slug": startup_a.slug, "resource": "cofinancement-fast"})
    assert client.get(url).status_code == 405
    unknown = reverse("community:dismiss_suggestion", kwargs={"slug": startup_a.slug, "resource": "inconnue"})
    assert client.post(unknown).status_code == 404
    assert DismissedSuggestion.objects.count() == 0


def test_my_space_lists_the_suggestions_of_my_products(offer, startup_a, team_member, sign_in):
    other = product(Phase.INVESTIGATION, slug="produit-en-investigation", name="Produit investigation")
    TeamMembershipFactory(startup=other, user=team_member)
    StartupFactory(slug="pas-mon-produit", phase=Phase.CONSOLIDATION)  # not in the person's team

    response = sign_in(team_member).get(reverse("incubator:my_space"))

    assert 'id="my-suggestions-list"' in response.text
    for slug in ("cofinancement-fast", "guide-onboarding-investigation", "nom-de-domaine-beta"):
        assert offer[slug].get_absolute_url() in response.text
    assert offer["appui-transfert-consolidation"].get_absolute_url() not in response.text
    assert "Produit investigation" in response.text


def test_my_space_has_no_suggestion_section_without_a_product(offer, member_b, sign_in):
    assert 'id="my-suggestions-list"' not in sign_in(member_b).get(reverse("incubator:my_space")).text


def test_suggestions_cost_two_queries_whatever_the_number_of_products_and_resources(offer, team_member):
    one = [product(Phase.ACCELERATION)]
    many = [product(phase, due_days=10) for phase in (Phase.INVESTIGATION, Phase.ACCELERATION, Phase.CONSOLIDATION)]
    DismissedSuggestion.objects.create(user=team_member, startup=many[0], resource=offer["nom-de-domaine-beta"])
    with CaptureQueriesContext(connection) as few:
        assert len(suggestions.suggestions_for(one, team_member)) == 1
    with CaptureQueriesContext(connection) as lots:
        assert len(suggestions.suggestions_for(many, team_member)) == 6
    assert len(few) == len(lots) == 2


def test_the_product_page_costs_the_same_with_one_or_three_suggestions(offer, team_member, sign_in):
    accelerating = product(Phase.ACCELERATION, slug="en-acceleration")
    investigating = product(Phase.INVESTIGATION, due_days=10, slug="en-investigation")
    for startup in (accelerating, investigating):
        TeamMembershipFactory(startup=startup, user=team_member)
    client = sign_in(team_member)
    counts = []
    for startup in (accelerating, investigating):
        url = reverse("portfolio:startup_detail", kwargs={"slug": startup.slug})
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))
        assert response.status_code == 200
    assert response.text.count("Do not suggest it again") + response.text.count("Ne plus le suggérer") == 3
    assert counts[0] == counts[1]


def test_dismissals_are_exported_and_erased(offer, startup_a, team_member):
    DismissedSuggestion.objects.create(user=team_member, startup=startup_a, resource=offer["cofinancement-fast"])
    data = export(team_member)
    assert data["dismissed_suggestions"] == [
        {"product": "Produit A", "resource": "Titre cofinancement-fast", "at": data["dismissed_suggestions"][0]["at"]}
    ]
    assert erase(team_member, actor=None)["dismissed_suggestions"] == 1
    assert not DismissedSuggestion.objects.exists()


def test_the_my_space_section_costs_three_queries_whatever_the_number_of_products(offer, team_member):
    TeamMembershipFactory(startup=product(Phase.ACCELERATION, slug="un"), user=team_member)
    with CaptureQueriesContext(connection) as few:
        assert len(my_suggestions(team_member)["suggestions"]) == 2  # with product A, in acceleration
    for n, phase in enumerate((Phase.INVESTIGATION, Phase.CONSOLIDATION, Phase.CONSTRUCTION)):
        TeamMembershipFactory(startup=product(phase, due_days=10, slug=f"autre-{n}"), user=team_member)
    with CaptureQueriesContext(connection) as lots:
        assert len(my_suggestions(team_member)["suggestions"]) == 8
    assert len(few) == len(lots) == 3

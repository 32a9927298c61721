"""The header shows what each person can use (issue 9, item 8): an applicant and a juror saw
"Portefeuille" and "Comités", which led to empty lists, and the calls' management was reachable
only from "Mon espace". Entries come from ``incubator.navigation``, filled by the apps."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from calls.tests.factories import ApplicationFactory, CallFactory
from committees.tests.factories import CommitteeFactory
from incubator import navigation
from incubator.models import Membership
from incubator.tests.factories import MembershipFactory, UserFactory
from portfolio.models import TeamMembership
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

PUBLIC = ["/", "/produits/", "/statistiques/", "/appels/", "/communaute/ressources/"]
MANAGER = [*PUBLIC, "/portefeuille/", "/comites/", "/gestion/appels/", "/mon-espace/"]


def header_links(response):
    """(href, text) of every link and menu button of the header's main menu, in order."""
    assert response.status_code == 200
    nav = response.text.split('id="navigation"')[1].split("</nav>")[0]
    return re.findall(
        r'<(?:a class="fr-nav__link" href="([^"]*)"[^>]*|button type="button" class="fr-nav__btn"[^>]*)>([^<]*)<', nav
    )


def hrefs(response):
    return [href for href, _text in header_links(response)]


@pytest.fixture
def product_a(incubator_a):
    return StartupFactory(slug="produit-a", name="Produit A", incubator=incubator_a)


@pytest.fixture
def people(personas, incubator_a, product_a):
    """The personas of the header: anonymous, applicant, juror, team member, manager, network admin,
    network coordinator."""
    applicant = ApplicationFactory(applicant=UserFactory(email="candidate@example.gouv.fr")).applicant
    juror = UserFactory(email="juror@example.gouv.fr")
    MembershipFactory(user=juror, incubator=incubator_a, role=Membership.Role.JURY)
    CallFactory(incubator=incubator_a).jurors.add(juror)
    team_member = TeamMembershipFactory(startup=product_a, user=UserFactory(email="team@example.gouv.fr")).user
    CommitteeFactory(startup=product_a)
    return {
        "anonymous": None,
        "applicant": applicant,
        "juror": juror,
        "team_member": team_member,
        "manager": personas["member_a"],
        "network_admin": personas["network_admin"],
        "network_coordinator": UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True),
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", PUBLIC),
        ("applicant", [*PUBLIC, "/candidatures/", "/mon-espace/"]),
        ("juror", [*PUBLIC, "/jury/", "/mon-espace/"]),
        ("team_member", [*PUBLIC, "/portefeuille/produit-a/", "/comites/", "/mon-espace/"]),
        ("manager", MANAGER),
        ("network_admin", [*MANAGER, "/admin/"]),
        # Reads every portfolio and committee (the steering pages through "Mon espace"); no call
        # management, no admin.
        ("network_coordinator", [*PUBLIC, "/portefeuille/", "/comites/", "/mon-espace/"]),
    ],
)
def test_header_shows_each_persona_exactly_what_they_can_use(sign_in, people, persona, expected):
    response = sign_in(people[persona]).get(reverse("incubator:home"))

    assert hrefs(response) == expected


def test_header_names_the_team_members_product_and_marks_the_current_page(sign_in, people):
    response = sign_in(people["team_member"]).get(reverse("committees:committee_list"))

    links = header_links(response)
    assert links[len(PUBLIC)] == ("/portefeuille/produit-a/", "Produit A")
    assert '<a class="fr-nav__link" href="/comites/" aria-current="page">' in response.text


def test_header_gives_a_member_of_several_teams_a_menu_of_their_products(sign_in, incubator_a, product_a):
    coach = UserFactory(email="coach@example.gouv.fr")
    other = StartupFactory(slug="produit-b", name="Produit B", incubator=incubator_a)
    for startup in (product_a, other):
        TeamMembershipFactory(startup=startup, user=coach, role=TeamMembership.Role.COACH)

    response = sign_in(coach).get(reverse("incubator:home"))

    assert header_links(response)[len(PUBLIC) : len(PUBLIC) + 3] == [
        ("", gettext("My products")),
        ("/portefeuille/produit-a/", "Produit A"),
        ("/portefeuille/produit-b/", "Produit B"),
    ]
    assert "/comites/" not in hrefs(response)  # no committee of theirs yet


def test_header_of_a_user_with_no_role_offers_the_public_entries_and_their_space(sign_in, db):
    response = sign_in(UserFactory(email="new@example.gouv.fr")).get(reverse("incubator:home"))

    assert hrefs(response) == [*PUBLIC, "/mon-espace/"]


def test_header_entries_cost_one_query_and_two_for_a_team_member(people, django_assert_num_queries, rf):
    def count(user):
        request = rf.get("/")
        request.user = user
        navigation.for_request(request)
        navigation.for_request(request)  # computed once per request

    with django_assert_num_queries(0):
        count(AnonymousUser())
    with django_assert_num_queries(1):
        count(people["manager"])
    with django_assert_num_queries(2):  # the facts, the team's products
        count(people["team_member"])


def test_error_page_without_a_request_shows_the_public_entries(db):
    html = render_to_string("500.html")

    nav = html.split('id="navigation"')[1].split("</nav>")[0]
    assert re.findall(r'href="([^"]*)"', nav) == PUBLIC

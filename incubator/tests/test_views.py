"""Access tables and query counts of the core pages."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from incubator.models import Membership
from incubator.tests.factories import IncubatorFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["incubator:home", "incubator:legal_notice", "incubator:accessibility", "incubator:privacy"]
PERSONAS = ["anonymous", "member_a", "member_b", "network_admin"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_open_to_everyone_with_one_h1(as_persona, persona, name):
    response = as_persona(persona).get(reverse(name))

    assert response.status_code == 200
    assert response.text.count("<h1") == 1
    assert 'lang="fr"' in response.text
    assert "<script>" not in response.text
    assert " style=" not in response.text


@pytest.mark.parametrize("persona", PERSONAS)
def test_incubator_page_is_public_for_active_incubators(as_persona, persona, incubator_a):
    response = as_persona(persona).get(incubator_a.get_absolute_url())

    assert response.status_code == 200
    assert "<h1>Fabrique A</h1>" in response.text
    assert incubator_a.contact_email in response.text


@pytest.mark.parametrize("persona", PERSONAS)
def test_inactive_incubator_page_is_not_found(as_persona, persona, incubator_a):
    incubator_a.is_active = False
    incubator_a.save()

    response = as_persona(persona).get(incubator_a.get_absolute_url())

    assert response.status_code == 404
    assert response.text.count("<h1") == 1


def test_home_lists_active_incubators_only(client, incubator_a, incubator_b):
    incubator_b.is_active = False
    incubator_b.save()

    response = client.get(reverse("incubator:home"))

    assert "Fabrique A" in response.text
    assert "Fabrique B" not in response.text


def test_my_space_sends_anonymous_to_login(client):
    response = client.get(reverse("incubator:my_space"))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={reverse('incubator:my_space')}"


@pytest.mark.parametrize(
    ("persona", "sees", "does_not_see"),
    [("member_a", "Fabrique A", "Fabrique B"), ("member_b", "Fabrique B", "Fabrique A")],
)
def test_my_space_lists_only_own_incubators_and_roles(as_persona, persona, sees, does_not_see):
    response = as_persona(persona).get(reverse("incubator:my_space"))

    assert response.status_code == 200
    assert sees in response.text
    assert does_not_see not in response.text
    assert escape(str(Membership.Role.MANAGER.label)) in response.text


def test_my_space_links_network_admin_to_administration(as_persona):
    response = as_persona("network_admin").get(reverse("incubator:my_space"))

    assert response.status_code == 200
    assert reverse("admin:index") in response.text


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 302), ("member_a", 302), ("member_b", 302), ("network_admin", 200)]
)
def test_admin_is_for_network_admins_only(as_persona, persona, status):
    response = as_persona(persona).get(reverse("admin:index"))

    assert response.status_code == status


@pytest.mark.parametrize("persona", ["member_a", "network_admin"])
@pytest.mark.parametrize(
    "model", ["organisation", "incubator", "membership", "user", "outboxmessage", "reminderrule", "reminderdelivery"]
)
def test_admin_changelists_for_network_admins_only(as_persona, persona, model):
    response = as_persona(persona).get(reverse(f"admin:incubator_{model}_changelist"))

    assert response.status_code == (200 if persona == "network_admin" else 302)


def test_unknown_page_is_a_404_in_the_layout(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    assert response.text.count("<h1") == 1
    assert 'class="fr-header"' in response.text


def test_language_switch_sets_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert client.get("/").headers["Content-Language"] == "en"


@pytest.mark.parametrize("count", [1, 3])
def test_home_query_count_does_not_grow(client, django_assert_num_queries, count):
    IncubatorFactory.create_batch(count)

    with django_assert_num_queries(1):
        client.get(reverse("incubator:home"))


@pytest.mark.parametrize("count", [1, 3])
def test_my_space_query_count_does_not_grow(client, django_assert_num_queries, member_a, count):
    for incubator in IncubatorFactory.create_batch(count):
        MembershipFactory(user=member_a, incubator=incubator, role=Membership.Role.COACH)
    client.force_login(member_a)

    # session, user, memberships, the "runs calls" rule, the header's facts; the community section:
    # the person's requests, whether they handle requests, their seats; its suggestions: their team's products;
    # the to-do sources (registry.todo_items): portfolio 1, committees 2, standards 1, calls 2, community 2;
    # the steering section: the dashboards the person may open.
    with django_assert_num_queries(18):
        client.get(reverse("incubator:my_space"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_incubator_page_query_count(as_persona, django_assert_num_queries, persona, incubator_a):
    client = as_persona(persona)
    # The incubator, its three panels' (products, committees, calls); signed in: session, user, the header's facts.
    expected = 4 if persona == "anonymous" else 7

    with django_assert_num_queries(expected):
        client.get(incubator_a.get_absolute_url())

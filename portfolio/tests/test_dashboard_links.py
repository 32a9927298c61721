"""The incubator dashboard links a figure to the list behind it only for whoever may open that
list (``registry.Tile.link_permission``): every link a member of the incubator, a network admin or
a network coordinator is shown opens for them, whatever their role; a coach and a coordinator see
the call funnel, not a link to the calls' management."""

from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse

from incubator import registry
from incubator.models import Membership
from incubator.tests.dsfr_html import attrs, elements, main
from incubator.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [
    Membership.Role.MANAGER,
    Membership.Role.PORTFOLIO_MANAGER,
    Membership.Role.COACH,
    Membership.Role.VIEWER,
    "network_admin",
    "network_coordinator",
]


@pytest.fixture
def member_of_a(incubator_a, network_admin):
    def member(role):
        if role == "network_admin":
            return network_admin
        if role == "network_coordinator":  # no role in A: reads every incubator
            return UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True)
        return MembershipFactory(incubator=incubator_a, role=role).user

    return member


def dashboard_links(client, incubator):
    response = client.get(reverse("portfolio:dashboard", args=[incubator.slug]))
    assert response.status_code == 200
    return {
        attrs(a)["href"] for a in elements(main(response)) if a.name == "a" and attrs(a).get("href", "").startswith("/")
    }


@pytest.mark.parametrize("role", ROLES)
@time_machine.travel("2026-12-01 10:00 +0100", tick=False)
def test_every_link_of_the_dashboard_opens_for_whoever_is_shown_it(sign_in, member_of_a, incubator_a, startup_a, role):
    client = sign_in(member_of_a(role))

    # One link a page (the permission is the view's; the filters' links differ by their query only).
    pages = {urlsplit(url).path: url for url in sorted(dashboard_links(client, incubator_a))}
    statuses = {url: client.get(url).status_code for url in pages.values()}

    assert statuses
    assert {url: status for url, status in statuses.items() if status != 200} == {}


@pytest.mark.parametrize(
    ("role", "linked"),
    [(Membership.Role.COACH, False), ("network_coordinator", False), (Membership.Role.MANAGER, True)],
)
def test_the_call_funnel_links_to_its_list_only_for_whoever_may_open_it(
    sign_in, member_of_a, incubator_a, startup_a, role, linked
):
    client = sign_in(member_of_a(role))
    funnel_list = registry.get_tile("call_funnel").link(registry.Scope(incubator_a))

    links = dashboard_links(client, incubator_a)

    assert (funnel_list in links) is linked
    assert client.get(funnel_list).status_code == (200 if linked else 403)

"""Behind the TLS proxy: rate limits key on the client's address, not the proxy's, and only the
trusted proxies' X-Forwarded-For entries count (no spoofing)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from incubator.security import client_ip
from incubator.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"  # every request reaches the portal from here
ALICE, BOB = "203.0.113.10", "198.51.100.20"


@pytest.fixture
def trusted_proxies(settings):
    def trust(count):
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = count

    return trust


def login(client, email, password, client_address):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        headers={"x-forwarded-for": client_address},
    )


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.10", PROXY),  # no proxy trusted: the header is ignored
        (1, "203.0.113.10", "203.0.113.10"),
        (1, "6.6.6.6, 203.0.113.10", "203.0.113.10"),  # the client's own claim is not believed
        (2, "6.6.6.6, 203.0.113.10, 10.0.0.2", "203.0.113.10"),
        (1, "", PROXY),
    ],
)
def test_client_ip_counts_trusted_proxies_from_the_right(trusted_proxies, count, forwarded, expected):
    trusted_proxies(count)
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, headers=headers)

    assert client_ip(request) == expected


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(client, trusted_proxies):
    trusted_proxies(1)
    alice = UserFactory(email="alice@example.gouv.fr")
    bob = UserFactory(email="bob@example.gouv.fr")
    for _attempt in range(10):
        login(client, alice.email, "pas-le-bon-mot-de-passe", ALICE)
    alice_again = login(client, "autre@example.gouv.fr", "pas-le-bon-mot-de-passe", ALICE)

    response = login(client, bob.email, TEST_PASSWORD, BOB)

    assert "Trop de tentatives de connexion échouées" in str(alice_again.context["form"].errors)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, trusted_proxies):
    trusted_proxies(0)
    alice = UserFactory(email="alice@example.gouv.fr")
    bob = UserFactory(email="bob@example.gouv.fr")
    for attempt in range(10):  # a new forged address each time: it changes nothing
        login(client, alice.email, "pas-le-bon-mot-de-passe", f"192.0.2.{attempt}")

    response = login(client, bob.email, TEST_PASSWORD, BOB)

    assert response.status_code == 200
    assert "Trop de tentatives de connexion échouées" in str(response.context["form"].errors)
    assert "_auth_user_id" not in client.session


def test_the_anonymous_post_limit_is_per_client_behind_the_proxy(client, trusted_proxies):
    trusted_proxies(1)

    def set_language(address):
        return client.post(
            reverse("set_language"), {"language": "fr"}, REMOTE_ADDR=PROXY, headers={"x-forwarded-for": address}
        )

    statuses = [set_language(ALICE).status_code for _post in range(31)]
    other_client = set_language(BOB)

    assert statuses == [302] * 30 + [429]
    assert other_client.status_code == 302

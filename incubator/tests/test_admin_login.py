"""The Django admin signs in through the accounts' login (allauth), with its rate limits."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from incubator.tests.factories import TEST_PASSWORD, UserFactory
from incubator.tests.mfa import TEST_TOTP_SECRET, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
ADMIN = reverse("admin:index")


@pytest.fixture
def staff(db):
    return UserFactory(email="admin@example.gouv.fr", is_staff=True, is_superuser=True)


def test_admin_sends_anonymous_visitors_to_the_accounts_login(client):
    response = client.get(ADMIN, follow=True)

    assert response.redirect_chain == [
        (f"{reverse('admin:login')}?next={quote(ADMIN)}", 302),
        (f"{LOGIN}?next={quote(ADMIN)}", 302),
    ]
    assert response.status_code == 200
    assert response.templates[0].name == "account/login.html"


def test_posting_to_the_admin_login_does_not_sign_in(client, staff):
    response = client.post(reverse("admin:login"), {"username": staff.email, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={quote(ADMIN)}"
    assert "_auth_user_id" not in client.session


def test_staff_signs_in_at_the_accounts_login_and_lands_in_the_admin(client, staff):
    response = client.post(f"{LOGIN}?next={ADMIN}", {"login": staff.email, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")  # staff have a second factor
    assert client.get(ADMIN).status_code == 302  # not signed in before the code

    response = client.post(response.url, {"code": totp_code(TEST_TOTP_SECRET)})

    assert response.status_code == 302
    assert response.url == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_wrong_passwords_for_the_admin_are_rate_limited_even_for_the_right_one(client, staff):
    for _attempt in range(60):
        response = client.post(f"{LOGIN}?next={ADMIN}", {"login": staff.email, "password": "pas-le-bon-mot-de-passe"})
        assert response.status_code in {200, 429}
        assert "_auth_user_id" not in client.session

    response = client.post(f"{LOGIN}?next={ADMIN}", {"login": staff.email, "password": TEST_PASSWORD})

    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session
    assert client.get(ADMIN).status_code == 302


def test_the_lock_after_five_failures_refuses_the_right_password(client, staff):
    for _attempt in range(5):
        client.post(f"{LOGIN}?next={ADMIN}", {"login": staff.email, "password": "pas-le-bon-mot-de-passe"})

    response = client.post(f"{LOGIN}?next={ADMIN}", {"login": staff.email, "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert "Trop de tentatives de connexion échouées" in str(response.context["form"].errors)
    assert "_auth_user_id" not in client.session


def test_a_signed_in_user_without_the_right_gets_a_403_not_a_loop(sign_in):
    client = sign_in(UserFactory(email="agent@example.gouv.fr"))

    response = client.get(ADMIN, follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
    assert "Accès refusé" in response.text


def test_staff_already_signed_in_is_sent_on_from_the_admin_login(sign_in, staff):
    client = sign_in(staff)

    followed = client.get(f"{reverse('admin:login')}?next={reverse('admin:incubator_user_changelist')}")
    elsewhere = client.get(f"{reverse('admin:login')}?next=https://ailleurs.example.com/")

    assert followed.status_code == elsewhere.status_code == 302
    assert followed.url == reverse("admin:incubator_user_changelist")
    assert elsewhere.url == ADMIN


def test_the_admin_password_change_is_the_accounts_one(sign_in, staff):
    response = sign_in(staff).get(reverse("admin:password_change"))

    assert response.status_code == 302
    assert response.url == reverse("account_change_password")

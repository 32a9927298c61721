"""Password rules: common passwords in French too, runs of characters, 16 characters for the
privileged accounts; refused at signup and at password change, with French messages."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from incubator.models import Membership
from incubator.passwords import characters_in_runs
from incubator.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()

COMMON = "Ce mot de passe est trop courant."
RUNS = "Ce mot de passe est surtout fait de caractères répétés ou qui se suivent, ou de suites du clavier"
WEAK = [
    ("aaaaaaaaaaaa", RUNS),
    ("motdepasse12", COMMON),
    ("azertyuiopqs", RUNS),
    ("soleil123456", COMMON),
]
STRONG = "velo-cerise-orage-2031"
PRIVILEGED_TOO_SHORT = "Les administrateurs du réseau et les responsables d'incubateur doivent avoir un mot de passe d'au moins 16 caractères."  # noqa: E501


def signup(client, password, email="nouvelle@example.gouv.fr"):
    return client.post(
        reverse("account_signup"),
        {"first_name": "Nina", "last_name": "Neuve", "email": email, "password1": password, "password2": password},
    )


def change_password(client, password):
    return client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": password, "password2": password},
    )


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_signup_refuses_weak_passwords_in_french(client, password, message):
    response = signup(client, password)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["password1"])
    assert not User.objects.filter(email="nouvelle@example.gouv.fr").exists()


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_password_change_refuses_weak_passwords_in_french(sign_in, password, message):
    user = UserFactory(email="agent@example.gouv.fr")

    response = change_password(sign_in(user), password)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["password1"])
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_signup_accepts_a_strong_password(client):
    response = signup(client, STRONG)

    assert response.status_code == 302
    assert User.objects.get(email="nouvelle@example.gouv.fr").check_password(STRONG)


@pytest.mark.parametrize("kind", ["staff", "coordinator", "manager", "portfolio_manager"])
def test_privileged_accounts_need_16_characters(sign_in, kind):
    user = UserFactory(
        email="privilegie@example.gouv.fr", is_staff=kind == "staff", is_network_coordinator=kind == "coordinator"
    )
    if kind not in ("staff", "coordinator"):
        MembershipFactory(user=user, role=Membership.Role(kind))
    fourteen = "velo-cerise-42"

    refused = change_password(sign_in(user), fourteen)
    accepted = change_password(sign_in(user), STRONG)

    assert len(fourteen) == 14
    assert refused.status_code == 200
    assert refused.context["form"].errors["password1"] == [PRIVILEGED_TOO_SHORT]
    assert accepted.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_a_coach_keeps_the_12_character_minimum(sign_in):
    user = MembershipFactory(role=Membership.Role.COACH).user

    response = change_password(sign_in(user), "velo-cerise-42")

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("velo-cerise-42")


def test_signup_page_lists_the_rules_in_french(client):
    text = html.unescape(client.get(reverse("account_signup")).text)

    assert "Votre mot de passe ne peut pas être un mot de passe courant, français compris" in text
    assert "Administrateurs du réseau et responsables d'incubateur : au moins 16 caractères." in text


@pytest.mark.parametrize(
    ("password", "in_runs"),
    [
        ("aaaaaaaaaaaa", 12),
        ("azertyuiopqs", 10),
        ("soleil123456", 6),
        ("9876-dcba-poiu", 12),  # backwards: digits, alphabet, AZERTY row
        ("qwerty-asdf-wxcvbn", 16),
        ("liberte-egalite-2031", 0),  # "2031" is no run
        ("abc-123-aaa", 0),  # runs of 3 are not counted
    ],
)
def test_characters_in_runs(password, in_runs):
    assert characters_in_runs(password) == in_runs

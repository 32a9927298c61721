"""Accounts end to end: signup, verification through the outbox, login, logout, reset."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from incubator.models import OutboxMessage
from incubator.tests.factories import TEST_PASSWORD, UserFactory

# Real commits: the outbox hands messages to Celery only after the transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)

User = get_user_model()
NEW_PASSWORD = "un-mot-de-passe-tres-long-2026"


def link_in(message, pattern):
    """The first link of an outbox row's text matching ``pattern``, as a path."""
    match = re.search(rf"https?://[^/\s]+(\S*{pattern}\S*)", message.body_text)
    assert match, f"no link matching {pattern!r} in:\n{message.body_text}"
    return match.group(1)


def signup(client, email="nouvelle.agente@example.gouv.fr", password=NEW_PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"first_name": "Nadia", "last_name": "Nouvelle", "email": email, "password1": password, "password2": password},
    )


def test_signup_sends_verification_through_outbox_then_confirms_and_signs_in(client):
    response = signup(client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="nouvelle.agente@example.gouv.fr")
    assert (user.first_name, user.last_name) == ("Nadia", "Nouvelle")
    message = OutboxMessage.objects.get(to=["nouvelle.agente@example.gouv.fr"])
    assert message.status == OutboxMessage.Status.SENT
    assert message.body_html.startswith("<!DOCTYPE html>")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nouvelle.agente@example.gouv.fr"]
    assert not client.session.get("_auth_user_id")

    confirm_path = link_in(message, "/compte/confirm-email/")
    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path)

    assert response.status_code == 302
    assert user.emailaddress_set.get().verified is True
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_refuses_short_and_common_passwords(client):
    short = signup(client, email="court@example.gouv.fr", password="Abcdefgh12!")  # 11 characters
    common = signup(client, email="commun@example.gouv.fr", password="password1234")

    assert short.status_code == 200
    assert "12" in str(short.context["form"].errors["password1"])
    assert common.status_code == 200
    assert common.context["form"].errors["password1"]
    assert not User.objects.filter(email__in=["court@example.gouv.fr", "commun@example.gouv.fr"]).exists()
    assert OutboxMessage.objects.count() == 0


def test_login_of_unverified_account_is_held_until_verified(client):
    user = UserFactory(email="pas.verifiee@example.gouv.fr")
    user.emailaddress_set.update(verified=False)

    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not client.session.get("_auth_user_id")
    assert OutboxMessage.objects.filter(to=[user.email]).count() == 1


def test_login_and_logout(client):
    user = UserFactory(email="agent@example.gouv.fr")

    response = client.post(reverse("account_login"), {"login": "AGENT@example.gouv.fr", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("incubator:my_space")
    assert client.session["_auth_user_id"] == str(user.pk)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_are_rate_limited_even_for_the_right_one_afterwards(client):
    user = UserFactory(email="cible@example.gouv.fr")
    for _attempt in range(5):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "mauvais-mot-de-passe"})
        assert response.status_code == 200
        assert not client.session.get("_auth_user_id")

    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert not client.session.get("_auth_user_id")
    assert "Trop de tentatives de connexion échouées" in str(response.context["form"].errors)


def test_password_reset_answers_unknown_and_known_emails_alike(client):
    UserFactory(email="connue@example.gouv.fr")

    known = client.post(reverse("account_reset_password"), {"email": "connue@example.gouv.fr"})
    unknown = client.post(reverse("account_reset_password"), {"email": "inconnue@example.gouv.fr"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("account_reset_password_done")
    # Both addresses get an email: the reset link, or a notice that no account exists.
    reset = OutboxMessage.objects.get(to=["connue@example.gouv.fr"])
    notice = OutboxMessage.objects.get(to=["inconnue@example.gouv.fr"])
    assert "/compte/password/reset/key/" in reset.body_text
    assert "/compte/password/reset/key/" not in notice.body_text


def test_password_reset_from_the_emailed_link_sets_the_new_password(client):
    user = UserFactory(email="oubli@example.gouv.fr")
    client.post(reverse("account_reset_password"), {"email": user.email})
    key_path = link_in(OutboxMessage.objects.get(to=[user.email]), "/compte/password/reset/key/")

    form_page = client.get(key_path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else key_path,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_change_requires_the_current_password(client):
    user = UserFactory(email="change@example.gouv.fr")
    client.force_login(user)

    refused = client.post(
        reverse("account_change_password"),
        {"oldpassword": "pas-le-bon-mot-de-passe", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    accepted = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert refused.status_code == 200
    assert accepted.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

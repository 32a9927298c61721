"""Every django-allauth page renders in the portal's DSFR layout, with the dsfr_crispy form pack.

Pages are requested in English so the assertions read allauth's own msgids.
"""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertTemplateUsed

from incubator.tests.dsfr_html import attrs, classes, controls, elements, error_summary, text, unlabelled
from incubator.tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture
def english_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    yield client
    translation.deactivate()


@pytest.fixture
def user(db):
    return UserFactory(email="camille@example.gouv.fr")


@pytest.fixture
def signed_in_client(english_client, user):
    english_client.force_login(user)
    return english_client


def assert_dsfr_page(response, h1, status=200):
    """The page is in the base layout, has exactly one h1 (with this text) and a label for every
    field. Returns the elements of its main region."""
    assert response.status_code == status
    assertTemplateUsed(response, "base.html")
    page = elements(response.content.decode())
    assert [text(e) for e in page if e.name == "h1"] == [h1]
    assert any(e.name == "header" and "fr-header" in classes(e) for e in page)
    assert unlabelled(page) == []
    [main] = [e for e in page if e.name == "main" and attrs(e).get("id") == "content"]
    return elements(main)


def _control(found, name):
    [control] = [e for e in controls(found) if attrs(e).get("name") == name]
    return control


ANONYMOUS_PAGES = [
    ("account_login", "Sign In"),
    ("account_signup", "Sign Up"),
    ("account_reset_password", "Password Reset"),
    ("account_reset_password_done", "Password Reset"),
    ("account_reset_password_from_key_done", "Change Password"),
    ("account_email_verification_sent", "Verify Your Email Address"),
    ("account_inactive", "Account Inactive"),
]

SIGNED_IN_PAGES = [
    ("account_logout", "Sign Out"),
    ("account_change_password", "Change Password"),
    ("account_email", "Email Addresses"),
    ("account_reauthenticate", "Confirm Access"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "h1"), ANONYMOUS_PAGES)
def test_allauth_anonymous_page_renders_in_dsfr_layout(english_client, url_name, h1):
    response = english_client.get(reverse(url_name))

    assert_dsfr_page(response, h1)


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "h1"), SIGNED_IN_PAGES)
def test_allauth_signed_in_page_renders_in_dsfr_layout(signed_in_client, url_name, h1):
    response = signed_in_client.get(reverse(url_name))

    assert_dsfr_page(response, h1)


@pytest.mark.django_db
def test_login_page_renders_dsfr_fields(english_client):
    response = english_client.get(reverse("account_login"))

    elements = assert_dsfr_page(response, "Sign In")
    email = _control(elements, "login")
    password = _control(elements, "password")
    assert classes(email) == {"fr-input"}
    assert attrs(email)["aria-describedby"] == "id_login-messages"
    assert classes(password) == {"fr-input", "fr-password__input"}
    assert attrs(password)["aria-describedby"] == "id_password_helptext id_password-messages"
    assert any({"fr-password"} <= classes(e) for e in elements)
    assert "Fields marked with an asterisk (*) are required." in [text(e) for e in elements if e.name == "p"]
    assert not [e for e in elements if "fr-alert--error" in classes(e)]


@pytest.mark.django_db
def test_login_wrong_password_rerenders_with_error_summary_and_keeps_email(english_client, user):
    response = english_client.post(
        reverse("account_login"), {"login": "camille@example.gouv.fr", "password": "not-the-password"}
    )

    elements = assert_dsfr_page(response, "Sign In")
    items, links = error_summary(elements)
    assert items == ["The email address and/or password you specified are not correct."]
    assert links == []
    assert attrs(_control(elements, "login"))["value"] == "camille@example.gouv.fr"
    assert "value" not in attrs(_control(elements, "password"))
    assert response.context["user"].is_anonymous
    assert response.content.decode().count("<title>Error: ") == 1


@pytest.mark.django_db
def test_signup_invalid_post_links_each_field_in_error(english_client):
    data = {"first_name": "", "last_name": "Martin", "email": "not-an-email", "password1": "", "password2": ""}

    response = english_client.post(reverse("account_signup"), data)

    elements = assert_dsfr_page(response, "Sign Up")
    items, links = error_summary(elements)
    assert links == ["#id_first_name", "#id_email", "#id_password1", "#id_password2"]
    assert items[1] == "Email: Enter a valid email address."
    assert attrs(_control(elements, "last_name"))["value"] == "Martin"
    assert attrs(_control(elements, "email"))["value"] == "not-an-email"
    first_name = _control(elements, "first_name")
    assert attrs(first_name)["aria-invalid"] == "true"
    assert classes(first_name) == {"fr-input", "fr-input--error"}
    [message] = [e for e in elements if attrs(e).get("id") == "id_first_name-message-error-1"]
    assert text(message) == "This field is required."


@pytest.mark.django_db
def test_password_reset_invalid_email_links_to_field(english_client):
    response = english_client.post(reverse("account_reset_password"), {"email": "nobody"})

    elements = assert_dsfr_page(response, "Password Reset")
    assert error_summary(elements) == (["Email: Enter a valid email address."], ["#id_email"])


@pytest.mark.django_db
def test_password_change_wrong_current_password_links_to_field(signed_in_client):
    data = {
        "oldpassword": "wrong-password",
        "password1": "a-new-long-passphrase-1",
        "password2": "a-new-long-passphrase-1",
    }

    response = signed_in_client.post(reverse("account_change_password"), data)

    elements = assert_dsfr_page(response, "Change Password")
    assert error_summary(elements) == (["Current Password: Please type your current password."], ["#id_oldpassword"])


@pytest.mark.django_db
def test_email_add_invalid_address_links_to_field(signed_in_client):
    response = signed_in_client.post(reverse("account_email"), {"action_add": "", "email": "nope"})

    elements = assert_dsfr_page(response, "Email Addresses")
    assert error_summary(elements) == (["Email: Enter a valid email address."], ["#id_email"])
    radios = [e for e in elements if attrs(e).get("type") == "radio"]
    assert [attrs(r)["value"] for r in radios] == ["camille@example.gouv.fr"]


@pytest.mark.django_db
def test_reauthenticate_wrong_password_links_to_field(signed_in_client):
    response = signed_in_client.post(reverse("account_reauthenticate"), {"password": "wrong-password"})

    elements = assert_dsfr_page(response, "Confirm Access")
    assert error_summary(elements) == (["Password: Incorrect password."], ["#id_password"])


@pytest.mark.django_db
def test_password_reset_from_key_renders_form_then_errors(english_client, user):
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    page = english_client.get(url, follow=True)
    assert_dsfr_page(page, "Change Password")

    response = english_client.post(
        page.redirect_chain[-1][0], {"password1": "a-new-long-passphrase-1", "password2": "another-passphrase-2"}
    )

    elements = assert_dsfr_page(response, "Change Password")
    assert error_summary(elements)[1] == ["#id_password2"]


@pytest.mark.django_db
def test_password_reset_from_bad_key_says_so(english_client, user):
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": "bad-key"})

    response = english_client.get(url, follow=True)

    assert_dsfr_page(response, "Bad Token")


@pytest.mark.django_db
def test_confirm_email_page_renders_confirm_button(english_client, user):
    address = EmailAddress.objects.get(user=user)
    address.verified = False
    address.save(update_fields=["verified"])
    key = EmailConfirmationHMAC(address).key

    response = english_client.get(reverse("account_confirm_email", args=[key]))

    elements = assert_dsfr_page(response, "Confirm Email Address")
    [button] = [
        e for e in elements if e.name == "button" and attrs(e).get("type") == "submit" and "fr-btn" in classes(e)
    ]
    assert text(button) == "Confirm"


@pytest.mark.django_db
def test_confirm_email_bad_key_renders_expired_message(english_client):
    response = english_client.get(reverse("account_confirm_email", args=["not-a-key"]))

    elements = assert_dsfr_page(response, "Confirm Email Address")
    assert any("This email confirmation link expired or is invalid." in text(e) for e in elements if e.name == "p")


@pytest.mark.django_db
def test_rate_limited_login_renders_429_page_in_layout(english_client, settings, user):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    data = {"login": "camille@example.gouv.fr", "password": "not-the-password"}
    english_client.post(reverse("account_login"), data)

    response = english_client.post(reverse("account_login"), data)

    assert_dsfr_page(response, "Too many requests", status=429)


@pytest.mark.django_db
def test_logout_confirmation_signs_out(signed_in_client):
    response = signed_in_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert signed_in_client.get(reverse("account_email")).status_code == 302


@pytest.mark.django_db
def test_login_with_right_password_signs_in(english_client, user):
    response = english_client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("incubator:my_space")

"""Two-factor authentication: mandatory for network admins and managers, TOTP with recovery codes.

The TOTP codes are computed in the test (``incubator.tests.mfa.totp_code``, RFC 6238 with the
standard library), as an authenticator app would.
"""

import html
from urllib.parse import quote

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse
from django.utils import translation

from incubator.models import AuditEvent, Membership
from incubator.tests.dsfr_html import attrs, elements, text, unlabelled
from incubator.tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from incubator.tests.mfa import TEST_TOTP_SECRET, enrol_totp, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
ACTIVATE = reverse("mfa_activate_totp")
AUTHENTICATE = reverse("mfa_authenticate")
PORTFOLIO = reverse("portfolio:startup_list")
ADMIN = reverse("admin:index")
MY_SPACE = reverse("incubator:my_space")
REQUIRED = (
    "Your role requires two-factor authentication: activate an authenticator app (or add a security key) to continue."
)


@pytest.fixture
def manager(db):
    """An incubator manager who has not enrolled a second factor yet."""
    return MembershipFactory(user=UserFactory(email="responsable@example.gouv.fr"), mfa=False).user


@pytest.fixture
def enrolled_manager(db):
    return MembershipFactory(user=UserFactory(email="responsable@example.gouv.fr")).user


def password_login(client, user, next_url=""):
    url = f"{LOGIN}?next={next_url}" if next_url else LOGIN
    return client.post(url, {"login": user.email, "password": TEST_PASSWORD})


def reauthenticate(client):
    """allauth asks for the password again before any change of second factor."""
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302


def signed_in(client):
    return "_auth_user_id" in client.session


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("url", [PORTFOLIO, ADMIN, MY_SPACE])
def test_manager_without_mfa_is_sent_to_the_enrolment_page(client, manager, url):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(manager)

    response = client.get(url, follow=True)

    assert response.redirect_chain[0] == (ACTIVATE, 302)
    assert REQUIRED in messages_of(response)
    translation.activate("fr")


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        (UserFactory, {"is_staff": True, "mfa": False}),
        (MembershipFactory, {"role": Membership.Role.PORTFOLIO_MANAGER, "mfa": False}),
    ],
)
def test_network_admins_and_portfolio_managers_without_mfa_are_sent_to_enrolment(client, factory, kwargs):
    made = factory(**kwargs)
    client.force_login(getattr(made, "user", made))

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response.url == ACTIVATE


def test_manager_without_mfa_may_still_sign_out_and_switch_language(client, manager):
    client.force_login(manager)

    language = client.post(reverse("set_language"), {"language": "en", "next": ACTIVATE})
    logout = client.post(reverse("account_logout"))

    assert language.status_code == 302
    assert language.url == ACTIVATE
    assert logout.status_code == 302
    assert logout.url == reverse("incubator:home")
    assert not signed_in(client)


def test_a_post_to_a_manager_page_changes_nothing_before_enrolment(client, manager):
    client.force_login(manager)

    response = client.post(reverse("portfolio:startup_create"), {"name": "Interdit"})

    assert response.status_code == 302
    assert response.url == ACTIVATE


def test_a_network_coordinator_enrols_a_second_factor_before_the_cockpit(client):
    coordinator = UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True, mfa=False)
    client.force_login(coordinator)

    response = client.get(reverse("portfolio:cockpit"))

    assert response.status_code == 302
    assert response.url == ACTIVATE


def test_non_privileged_users_are_not_forced(client):
    juror = MembershipFactory(role=Membership.Role.JURY).user
    client.force_login(juror)

    response = client.get(MY_SPACE)

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=juror).exists()


def test_manager_enrols_with_a_totp_code_and_reaches_the_manager_pages(
    client, manager, django_capture_on_commit_callbacks
):
    assert password_login(client, manager).url == MY_SPACE
    assert client.get(PORTFOLIO).url == ACTIVATE
    assert client.get(ACTIVATE).url == f"{reverse('account_reauthenticate')}?next={quote(ACTIVATE, safe='')}"
    reauthenticate(client)
    page = client.get(ACTIVATE)
    secret = page.context["form"].secret

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == reverse("mfa_view_recovery_codes")
    assert set(Authenticator.objects.filter(user=manager).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }
    assert client.get(PORTFOLIO).status_code == 200
    assert client.get(ADMIN, follow=True).status_code == 403  # not staff: the admin refuses, no loop


def test_a_wrong_code_does_not_enrol(client, manager):
    password_login(client, manager)
    reauthenticate(client)
    secret = client.get(ACTIVATE).context["form"].secret
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post(ACTIVATE, {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Code incorrect."]}
    assert not Authenticator.objects.filter(user=manager).exists()
    assert client.get(PORTFOLIO).url == ACTIVATE


def test_login_of_an_enrolled_manager_asks_for_the_code(client, enrolled_manager):
    response = password_login(client, enrolled_manager, next_url=PORTFOLIO)

    assert response.status_code == 302
    assert response.url == AUTHENTICATE
    assert not signed_in(client)
    assert client.get(PORTFOLIO).status_code == 302

    response = client.post(AUTHENTICATE, {"code": totp_code(TEST_TOTP_SECRET)})

    assert response.status_code == 302
    assert response.url == PORTFOLIO
    assert signed_in(client)
    assert client.get(PORTFOLIO).status_code == 200


def test_a_wrong_code_at_login_is_refused(client, enrolled_manager):
    password_login(client, enrolled_manager)
    wrong = f"{(int(totp_code(TEST_TOTP_SECRET)) + 1) % 1_000_000:06d}"

    response = client.post(AUTHENTICATE, {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Code incorrect."]}
    assert not signed_in(client)


def test_a_totp_code_is_accepted_once(client, enrolled_manager):
    code = totp_code(TEST_TOTP_SECRET)
    password_login(client, enrolled_manager)
    client.post(AUTHENTICATE, {"code": code})
    client.post(reverse("account_logout"))
    password_login(client, enrolled_manager)

    response = client.post(AUTHENTICATE, {"code": code})

    assert response.status_code == 200
    assert not signed_in(client)


def test_a_recovery_code_works_once(client, enrolled_manager):
    [recovery] = Authenticator.objects.filter(user=enrolled_manager, type=Authenticator.Type.RECOVERY_CODES)
    code = RecoveryCodes(recovery).get_unused_codes()[0]

    password_login(client, enrolled_manager)
    first = client.post(AUTHENTICATE, {"code": code})
    assert first.status_code == 302
    assert first.url == MY_SPACE
    assert signed_in(client)
    client.post(reverse("account_logout"))

    password_login(client, enrolled_manager)
    second = client.post(AUTHENTICATE, {"code": code})

    assert second.status_code == 200
    assert second.context["form"].errors == {"code": ["Code incorrect."]}
    assert not signed_in(client)
    recovery.refresh_from_db()
    assert len(RecoveryCodes(recovery).get_unused_codes()) == 9


def test_a_manager_cannot_deactivate_the_last_second_factor(client, enrolled_manager):
    password_login(client, enrolled_manager)
    client.post(AUTHENTICATE, {"code": totp_code(TEST_TOTP_SECRET)})
    reauthenticate(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert "Vous ne pouvez pas désactiver l'authentification à deux facteurs." in html.unescape(response.text)
    assert Authenticator.objects.filter(user=enrolled_manager, type=Authenticator.Type.TOTP).exists()


def test_a_user_without_a_role_may_deactivate_it(client, django_capture_on_commit_callbacks):
    agent = UserFactory()
    enrol_totp(agent)
    password_login(client, agent)
    client.post(AUTHENTICATE, {"code": totp_code(TEST_TOTP_SECRET)})
    reauthenticate(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=agent, type=Authenticator.Type.TOTP).exists()


# The pages, in the portal's DSFR layout -----------------------------------------------------------


def dsfr_main(response, h1):
    assert response.status_code == 200
    page = elements(response.content.decode())
    assert [text(e) for e in page if e.name == "h1"] == [h1]
    assert unlabelled(page) == []
    [main] = [e for e in page if e.name == "main" and attrs(e).get("id") == "content"]
    return elements(main)


def test_activation_page_shows_the_qr_code_with_a_text_alternative_and_the_secret(client, manager):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    password_login(client, manager)
    reauthenticate(client)

    response = client.get(ACTIVATE)

    main = dsfr_main(response, "Activate Authenticator App")
    [qr] = [e for e in main if e.name == "img"]
    assert attrs(qr)["src"].startswith("data:image/svg+xml;base64,")
    assert attrs(qr)["alt"] == "QR code to scan with your authenticator app"
    secret = response.context["form"].secret
    [field] = [e for e in main if attrs(e).get("id") == "authenticator_secret"]
    assert attrs(field)["value"] == secret
    assert "readonly" in attrs(field)
    assert secret not in attrs(qr)["alt"]
    [code] = [e for e in main if attrs(e).get("name") == "code"]
    assert attrs(code)["autocomplete"] == "one-time-code"
    translation.activate("fr")


def test_code_page_of_the_login_renders_in_dsfr_layout(client, enrolled_manager):
    password_login(client, enrolled_manager)

    response = client.get(AUTHENTICATE)

    main = dsfr_main(response, "Authentification à deux facteurs")
    assert [attrs(e)["name"] for e in main if e.name == "input" and attrs(e).get("type") == "text"] == ["code"]
    assert not [e for e in main if attrs(e).get("id") == "mfa_webauthn_authenticate"]  # no key: no key button


@pytest.mark.parametrize(
    ("url_name", "h1"),
    [
        ("mfa_index", "Two-Factor Authentication"),
        ("mfa_view_recovery_codes", "Recovery Codes"),
        ("mfa_generate_recovery_codes", "Recovery Codes"),
        ("mfa_deactivate_totp", "Deactivate Authenticator App"),
        ("mfa_add_webauthn", "Add Security Key"),
    ],
)
def test_mfa_management_pages_render_in_dsfr_layout(client, enrolled_manager, url_name, h1):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    password_login(client, enrolled_manager)
    client.post(AUTHENTICATE, {"code": totp_code(TEST_TOTP_SECRET)})
    reauthenticate(client)

    response = client.get(reverse(url_name))

    dsfr_main(response, h1)
    translation.activate("fr")


Action = AuditEvent.Action


def test_mfa_events_are_audited(client, enrolled_manager):
    password_login(client, enrolled_manager)
    client.post(AUTHENTICATE, {"code": "000000" if totp_code(TEST_TOTP_SECRET) != "000000" else "111111"})
    client.post(AUTHENTICATE, {"code": totp_code(TEST_TOTP_SECRET)})

    actions = list(AuditEvent.objects.filter(actor_id=enrolled_manager.pk).values_list("action", flat=True))

    assert sorted(actions) == sorted(
        [AuditEvent.Action.MFA_FAILED, AuditEvent.Action.MFA_USED, AuditEvent.Action.LOGIN]
    )


# Access table of the second-factor pages --------------------------------------------------------

MFA_PAGES = ["mfa_index", "mfa_activate_totp", "mfa_view_recovery_codes", "mfa_add_webauthn", "mfa_list_webauthn"]


@pytest.mark.parametrize("url_name", MFA_PAGES)
def test_mfa_pages_send_anonymous_visitors_to_the_login(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url.startswith(f"{LOGIN}?next=")


def test_the_code_page_without_a_pending_login_goes_back_to_the_login(client):
    response = client.get(AUTHENTICATE)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


@pytest.mark.parametrize("url_name", ["mfa_index", "mfa_list_webauthn"])
def test_mfa_pages_open_to_a_signed_in_user(client, url_name):
    client.force_login(UserFactory())

    assert client.get(reverse(url_name)).status_code == 200

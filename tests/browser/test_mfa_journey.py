"""A manager's first sign-in: sent to the enrolment of an authenticator app, then the manager
pages open; the next sign-in asks for a code (here, one of the recovery codes shown)."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from playwright.sync_api import expect

from incubator.models import Membership
from incubator.tests.factories import TEST_PASSWORD, IncubatorFactory, MembershipFactory, UserFactory
from incubator.tests.mfa import totp_code

from .accessibility import console_collector, format_violations

pytestmark = [pytest.mark.browser]


@pytest.fixture
def new_manager(transactional_db):
    manager = UserFactory(email="responsable-a@example.gouv.fr")
    MembershipFactory(
        user=manager, incubator=IncubatorFactory(slug="fabrique-a"), role=Membership.Role.MANAGER, mfa=False
    )
    return manager


def password_step(page, live_server, user):
    page.goto(live_server.url + reverse("account_login"))
    form = page.locator("form:has(input[name='password'])")
    form.locator("input[name='login']").fill(user.email)
    form.locator("input[name='password']").fill(TEST_PASSWORD)
    form.locator("[type='submit']").click()


def test_manager_enrols_an_authenticator_app_then_signs_in_with_a_code(live_server, new_manager, page, axe_check):
    console_errors = console_collector(page)
    blocking = {}
    url = lambda name: live_server.url + reverse(name)  # noqa: E731

    # The first sign-in lands on the activation, through the confirmation of the password.
    password_step(page, live_server, new_manager)
    page.wait_for_url(re.compile(r"/compte/reauthenticate/"))
    expect(page.locator(".fr-alert--warning")).to_contain_text("authentification à deux facteurs")
    blocking["confirm-access"] = axe_check("confirm-access")
    page.locator("input[name='password']").fill(TEST_PASSWORD)
    page.locator("form:has(input[name='password']) [type='submit']").click()
    expect(page).to_have_url(url("mfa_activate_totp"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    blocking["activation"] = axe_check("activation")

    # The manager pages stay closed until then.
    page.goto(url("portfolio:startup_list"))
    expect(page).to_have_url(url("mfa_activate_totp"))

    # The app's code, computed from the secret the page shows.
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name='code']").fill(totp_code(secret))
    page.locator("form:has(input[name='code']) [type='submit']").click()
    expect(page).to_have_url(url("mfa_view_recovery_codes"))
    blocking["recovery-codes"] = axe_check("recovery-codes")
    recovery_code = page.locator("#recovery_codes").input_value().split()[0]
    assert Authenticator.objects.filter(user=new_manager, type=Authenticator.Type.TOTP).exists()

    page.goto(url("portfolio:startup_list"))
    expect(page).to_have_url(url("portfolio:startup_list"))

    # Signed out and back: the password, then a code (a recovery code, once).
    page.locator(".fr-header__tools form[action$='/compte/logout/'] button").first.click()
    password_step(page, live_server, new_manager)
    expect(page).to_have_url(url("mfa_authenticate"))
    blocking["code"] = axe_check("code")
    page.locator("input[name='code']").fill(recovery_code)
    page.locator("form:has(input[name='code']) button[type='submit']:not([form])").click()
    expect(page).to_have_url(url("incubator:my_space"))

    assert {name: [v["id"] for v in violations] for name, violations in blocking.items()} == {
        "confirm-access": [],
        "activation": [],
        "recovery-codes": [],
        "code": [],
    }, "\n".join(f"{name}:\n{format_violations(violations)}" for name, violations in blocking.items() if violations)
    assert console_errors == []

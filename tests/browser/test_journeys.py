"""A visitor's journey in a real browser: home, sign in, "Mon espace", each page checked by axe-core."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from incubator.models import Membership
from incubator.tests.factories import TEST_PASSWORD, IncubatorFactory, MembershipFactory, UserFactory

from .accessibility import console_collector, format_violations

pytestmark = [pytest.mark.browser]


@pytest.fixture
def journey_data(transactional_db):
    """Two published incubators, a hidden one, and a coach of the first one."""
    fabrique_a = IncubatorFactory(slug="fabrique-a", title="Fabrique A")
    IncubatorFactory(slug="fabrique-b", title="Fabrique B")
    IncubatorFactory(slug="fabrique-fermee", title="Fabrique fermée", is_active=False)
    user = UserFactory(email="coach-a@example.gouv.fr")
    membership = MembershipFactory(user=user, incubator=fabrique_a, role=Membership.Role.COACH)
    return user, membership


def test_journey_home_sign_in_my_space_without_serious_accessibility_violations(
    live_server, journey_data, page, axe_check
):
    user, membership = journey_data
    console_errors = console_collector(page)
    blocking = {}

    # Home: one h1, the published incubators only.
    page.goto(live_server.url + reverse("incubator:home"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator(".portal-card-list .fr-card__title")).to_have_text(["Fabrique A", "Fabrique B"])
    blocking["home"] = axe_check("home")

    # Sign in from the header link, with the email and password of a verified account.
    # (DSFR's script copies the header tools into the mobile menu: take the desktop ones.)
    page.locator(f".fr-header__tools-links a[href='{reverse('account_login')}']").click()
    expect(page).to_have_url(live_server.url + reverse("account_login"))
    expect(page.locator("h1")).to_have_count(1)
    blocking["login"] = axe_check("login")
    login_form = page.locator("form:has(input[name='password'])")
    login_form.locator("input[name='login']").fill(user.email)
    login_form.locator("input[name='password']").fill(TEST_PASSWORD)
    login_form.locator("[type='submit']").click()

    # "Mon espace": the user's incubator and role.
    expect(page).to_have_url(live_server.url + reverse("incubator:my_space"))
    expect(page.locator("h1")).to_have_count(1)
    with translation.override("fr"):
        role = str(membership.get_role_display())
    expect(page.locator("main table tbody tr")).to_have_count(1)
    cells = page.locator("main table tbody tr td")
    expect(cells).to_have_text(["Fabrique A", membership.incubator.owner.acronym, role])
    blocking["my-space"] = axe_check("my-space")

    found = {name: [violation["id"] for violation in violations] for name, violations in blocking.items()}
    assert found == {"home": [], "login": [], "my-space": []}, "\n".join(
        f"axe-core, serious/critical violations on {name}:\n{format_violations(violations)}"
        for name, violations in blocking.items()
        if violations
    )
    assert console_errors == [], "errors in the browser console (a CSP refusal shows up here)"

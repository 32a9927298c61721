"""An action that cannot be undone asks first, in a DSFR dialog (no ``window.confirm``).

The question names who it is about, written as text: a hostile name stays text.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from incubator.models import Membership
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from portfolio.models import TeamMembership
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

from .accessibility import format_violations
from .test_portfolio_journey import sign_in

pytestmark = [pytest.mark.browser]
HOSTILE = '<img src=x onerror="document.title=1">'


@pytest.fixture
def team(transactional_db):
    fabrique = IncubatorFactory(slug="fabrique-a", title="Fabrique A")
    manager = UserFactory(email="responsable-a@example.gouv.fr")
    MembershipFactory(user=manager, incubator=fabrique, role=Membership.Role.MANAGER)
    product = StartupFactory(slug="carte", name="Carte des arbres", incubator=fabrique)
    member = TeamMembershipFactory(startup=product, user=UserFactory(first_name=HOSTILE, last_name="Martin"))
    return manager, product, member


def test_removing_a_team_member_asks_in_a_dsfr_dialog_and_cancel_keeps_them(live_server, team, page, axe_check):
    manager, product, member = team
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server, manager)
    page.goto(live_server.url + reverse("portfolio:startup_detail", kwargs={"slug": product.slug}))
    remove = page.locator("main form[data-confirm] button[type='submit']")
    dialog = page.locator("dialog#portal-confirm")

    remove.click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("#portal-confirm-question")).to_have_text(f"Retirer {HOSTILE} Martin de l'équipe ?")
    violations = axe_check("confirm-dialog")
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    assert TeamMembership.objects.filter(pk=member.pk).exists()

    remove.click()
    dialog.get_by_role("button", name="Confirmer").click()
    expect(page.locator("main")).to_contain_text("de l'équipe")

    assert not TeamMembership.objects.filter(pk=member.pk).exists()
    assert native == []  # no window.confirm
    assert page.title() != "1"
    assert violations == [], format_violations(violations)

"""Lists clicked through as a person would: the directory's page 2, the committee tabs, the CSV.

Before: every query-string link was ``??page=2`` (the templates wrote a ``?`` before Django's
``{% querystring %}``, which starts with one), so none of these clicks reached what it named.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from committees.models import Committee
from committees.tests.factories import CommitteeFactory
from incubator.models import Membership
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from portfolio.tests.factories import StartupFactory

from .accessibility import format_violations
from .test_portfolio_journey import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def lists(transactional_db):
    fabrique = IncubatorFactory(slug="fabrique-a", title="Fabrique A")
    manager = UserFactory(email="responsable-a@example.gouv.fr")
    MembershipFactory(user=manager, incubator=fabrique, role=Membership.Role.MANAGER)
    products = [StartupFactory(incubator=fabrique, slug=f"produit-{n:02}", name=f"Produit {n:02}") for n in range(30)]
    soon = timezone.now() + datetime.timedelta(days=10)
    CommitteeFactory(startup=products[0], scheduled_at=soon, status=Committee.Status.PLANNED)
    CommitteeFactory(startup=products[1], scheduled_at=soon - datetime.timedelta(days=40), status=Committee.Status.HELD)
    return manager


def test_a_visitor_pages_the_directory_and_a_manager_switches_tabs_and_exports(live_server, lists, page, axe_check):
    violations = []

    page.goto(live_server.url + reverse("portfolio:directory"))
    expect(page.locator("main")).to_contain_text("Produit 24")
    page.locator("nav.fr-pagination").get_by_role("link", name="2", exact=True).click()

    expect(page).to_have_url(live_server.url + reverse("portfolio:directory") + "?page=2")
    expect(page.locator("main")).to_contain_text("Produit 29")
    expect(page.locator("main")).not_to_contain_text("Produit 00")
    violations += axe_check("directory-page-2")

    sign_in(page, live_server, lists)
    page.goto(live_server.url + reverse("committees:committee_list"))
    page.locator("main").get_by_role("link", name="Tenus").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('committees:committee_list')}?section=held")
    expect(page.locator("main a[aria-current='page']")).to_contain_text("Tenus (1)")
    expect(page.locator("main")).to_contain_text("Produit 01")
    violations += axe_check("committees-held")

    page.goto(live_server.url + reverse("portfolio:startup_list"))
    with page.expect_download() as download:
        page.locator("main").get_by_role("link", name="Exporter la liste (CSV)").click()
    exported = download.value.path().read_text(encoding="utf-8-sig")

    assert exported.splitlines()[0].startswith("Nom;")
    assert len(exported.splitlines()) == 31  # the header and every product, not only page 1
    assert "??" not in page.content()
    assert violations == [], format_violations(violations)

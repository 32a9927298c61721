"""A manager's journey through the portfolio: filter, open a product, move it to the next phase."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from incubator.tests.factories import TEST_PASSWORD
from portfolio.models import Phase, Startup
from portfolio.tests.factories import IndicatorFactory, MeasurementFactory, StartupFactory

from .accessibility import assert_no_blocking_violations, console_collector
from .mfa import enter_code_if_asked
from .world import fabrique_and_manager, trees_map

pytestmark = [pytest.mark.browser]


@pytest.fixture
def portfolio_data(transactional_db):
    fabrique, manager = fabrique_and_manager()
    product = trees_map(fabrique)
    MeasurementFactory(
        indicator=IndicatorFactory(startup=product, name="Usagers actifs"), date=datetime.date(2025, 5, 1)
    )
    StartupFactory(slug="guichet", name="Guichet unique", incubator=fabrique, phase=Phase.INVESTIGATION)
    return manager, product


def sign_in(page, live_server, user):
    page.goto(live_server.url + reverse("account_login"))
    form = page.locator("form:has(input[name='password'])")
    form.locator("input[name='login']").fill(user.email)
    form.locator("input[name='password']").fill(TEST_PASSWORD)
    form.locator("[type='submit']").click()
    enter_code_if_asked(page)  # managers: their second factor
    expect(page).to_have_url(live_server.url + reverse("incubator:my_space"))


def test_manager_filters_opens_and_moves_a_product_to_the_next_phase(live_server, portfolio_data, page, axe_check):
    manager, product = portfolio_data
    console_errors = console_collector(page)
    blocking = {}
    sign_in(page, live_server, manager)

    # The portfolio, filtered on the construction phase.
    page.goto(live_server.url + reverse("portfolio:startup_list"))
    expect(page.locator("main tbody tr")).to_have_count(2)
    page.locator("select[name='phase']").select_option("construction")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("main tbody tr")).to_have_count(1)
    blocking["list"] = axe_check("list")

    # The product page, then the phase form.
    page.get_by_role("link", name="Carte des arbres").click()
    expect(page.locator("h1")).to_have_text("Carte des arbres")
    blocking["product"] = axe_check("product")
    page.get_by_role("link", name="Changer de phase").first.click()
    page.locator("select[name='phase']").select_option("acceleration")
    page.locator("input[name='start']").fill("2025-09-01")
    page.get_by_role("button", name="Changer de phase").click()

    # Back on the product page: the new period is on the timeline.
    expect(page).to_have_url(live_server.url + product.get_absolute_url())
    current = page.locator(".portal-timeline__step--current")
    expect(current).to_contain_text("Accélération")
    expect(current).to_contain_text("Depuis le 01/09/2025")
    expect(page.locator(".portal-timeline__step")).to_have_count(2)
    assert Startup.objects.get(pk=product.pk).phase == Phase.ACCELERATION

    page.goto(live_server.url + reverse("portfolio:directory"))
    expect(page.locator("h1")).to_have_count(1)
    blocking["directory"] = axe_check("directory")

    assert_no_blocking_violations(blocking, ["list", "product", "directory"])
    assert console_errors == []

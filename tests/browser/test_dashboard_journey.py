"""The steering pages in a browser: a manager opens their incubator's dashboard and follows a figure
to the filtered list behind it; a network admin opens the cockpit, the portfolio as of a day and an
incubator's dashboard from the comparison. axe-core checks every page; the charts are SVG images
with a title and a data table.

Selectors use ids, names and URLs rather than texts: the French catalogue of these pages is filled
later, and the test must not depend on it.
"""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from calls.models import Application
from calls.tests.factories import ApplicationFactory, CallFactory
from committees.models import Committee
from committees.tests.factories import CommitteeFactory, paris
from incubator.tests.factories import IncubatorFactory, UserFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory

from .accessibility import assert_no_blocking_violations, console_collector
from .test_portfolio_journey import sign_in
from .world import fabrique_and_manager

pytestmark = [pytest.mark.browser]


@pytest.fixture
def network(transactional_db):
    fabrique, manager = fabrique_and_manager()
    other = IncubatorFactory(slug="fabrique-b", title="Fabrique <B> & Cie")
    admin = UserFactory(email="admin@example.gouv.fr", is_staff=True, is_superuser=True)
    for n, phase in enumerate([Phase.INVESTIGATION, Phase.CONSTRUCTION, Phase.CONSTRUCTION, Phase.ACCELERATION]):
        product = StartupFactory(
            slug=f"produit-a-{n}",
            name=f"Produit A{n}",
            incubator=fabrique,
            phase=phase,
            phase_start=datetime.date(2025, 3, 1),
        )
        if n:
            CommitteeFactory(
                startup=product,
                status=Committee.Status.HELD,
                scheduled_at=paris(datetime.date.today() - datetime.timedelta(days=30 * n)),
            )
    StartupFactory(slug="produit-b", name="Produit <script>B</script>", incubator=other, phase=Phase.CONSTRUCTION)
    return fabrique, manager, admin


def test_manager_and_network_admin_steer_with_the_dashboards(live_server, network, page, axe_check):
    fabrique, manager, admin = network
    console_errors = console_collector(page)
    blocking = {}
    sign_in(page, live_server, manager)

    # The manager's dashboard: charts with their title and table, then a figure's list.
    page.goto(live_server.url + reverse("portfolio:dashboard", args=[fabrique.slug]))
    expect(page.locator("h1")).to_have_count(1)
    chart = page.locator("#figure-products_by_phase ~ figure svg[role='img']")
    expect(chart).to_have_count(1)
    expect(chart.locator("title")).to_have_count(1)
    expect(page.locator("#chart-products-by-phase-table tbody tr")).to_have_count(len(Phase))
    blocking["dashboard"] = axe_check("dashboard")
    page.locator("#chart-products-by-phase-table a[href*='phase=construction']").click()
    expect(page).to_have_url(
        live_server.url + reverse("portfolio:startup_list") + "?incubator=fabrique-a&phase=construction"
    )
    expect(page.locator("main tbody tr")).to_have_count(2)
    blocking["filtered_list"] = axe_check("filtered_list")

    # The network admin: the cockpit, the portfolio as of a day, an incubator's dashboard.
    page.context.clear_cookies()
    sign_in(page, live_server, admin)
    page.goto(live_server.url + reverse("portfolio:cockpit"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#chart-products-by-incubator-table tbody tr")).to_have_count(2)
    assert page.locator("script:has-text('alert')").count() == 0
    blocking["cockpit"] = axe_check("cockpit")

    page.goto(live_server.url + reverse("portfolio:as_of"))
    page.locator("input[name='date']").fill("2025-06-01")
    page.locator("main form button[type='submit']").click()
    expect(page).to_have_url(live_server.url + reverse("portfolio:as_of") + "?date=2025-06-01")
    expect(page.locator("main table").last.locator("tbody tr")).to_have_count(5)
    blocking["as_of"] = axe_check("as_of")

    page.goto(live_server.url + reverse("portfolio:as_of") + "?date=2099-01-01")
    expect(page.locator("input[name='date']")).to_have_value("2099-01-01")
    expect(page.locator(".fr-error-text, .fr-alert--error").first).to_be_visible()
    blocking["as_of_error"] = axe_check("as_of_error")

    page.goto(live_server.url + reverse("portfolio:data_quality"))
    blocking["data_quality"] = axe_check("data_quality")

    page.goto(live_server.url + reverse("portfolio:cockpit"))
    page.locator(f"main table a[href='{reverse('portfolio:dashboard', args=[fabrique.slug])}']").first.click()
    expect(page).to_have_url(live_server.url + reverse("portfolio:dashboard", args=[fabrique.slug]))
    blocking["drill_down"] = axe_check("drill_down")

    assert_no_blocking_violations(
        blocking, ["dashboard", "filtered_list", "cockpit", "as_of", "as_of_error", "data_quality", "drill_down"]
    )
    # The day refused answers 400 on purpose (the browser logs it): nothing else.
    assert [error for error in console_errors if "?date=2099-01-01" not in error[0]] == []


def test_coordinator_reads_every_incubator_and_manager_opens_a_funnel_stage(live_server, network, page, axe_check):
    """A network coordinator reads the cockpit, another incubator's dashboard, the calendar behind a
    figure and a product page with nothing to change; the manager follows a call funnel's stage to
    the applications it counts."""
    fabrique, manager, _admin = network
    coordinator = UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True)
    call = CallFactory(incubator=fabrique, slug="appel-a", title="Appel A")
    for status in (Application.Status.SUBMITTED, Application.Status.SUBMITTED, Application.Status.DRAFT):
        ApplicationFactory(call=call, status=status)
    console_errors = console_collector(page)
    blocking = {}

    sign_in(page, live_server, coordinator)
    page.goto(live_server.url + reverse("portfolio:cockpit"))
    expect(page.locator("h1")).to_have_count(1)
    blocking["coordinator_cockpit"] = axe_check("coordinator_cockpit")
    page.goto(live_server.url + reverse("portfolio:dashboard", args=["fabrique-b"]))
    expect(page.locator("h1")).to_have_count(1)
    # The call funnel without links for them (the applications are the managers').
    expect(page.locator(f"main a[href^='{reverse('calls:manage_application_list')}']")).to_have_count(0)
    blocking["coordinator_dashboard"] = axe_check("coordinator_dashboard")
    page.goto(live_server.url + reverse("portfolio:dashboard", args=[fabrique.slug]))
    page.locator(f"main a[href^='{reverse('committees:committee_list')}']").first.click()
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main tbody tr").first).to_be_visible()
    page.goto(live_server.url + reverse("portfolio:startup_detail", args=["produit-a-1"]))
    expect(page.locator("main form[method='post']")).to_have_count(0)
    blocking["coordinator_product"] = axe_check("coordinator_product")

    page.context.clear_cookies()
    sign_in(page, live_server, manager)
    page.goto(live_server.url + reverse("portfolio:dashboard", args=[fabrique.slug]))
    page.locator("#chart-call-funnel-table a[href*='stage=submitted']").click()
    expect(page).to_have_url(
        live_server.url + reverse("calls:manage_application_list") + "?incubator=fabrique-a&stage=submitted"
    )
    expect(page.locator("#application-table tbody tr")).to_have_count(2)
    blocking["funnel_stage"] = axe_check("funnel_stage")

    assert_no_blocking_violations(
        blocking, ["coordinator_cockpit", "coordinator_dashboard", "coordinator_product", "funnel_stage"]
    )
    assert console_errors == []

""" "Mon espace" as what needs the user today: a manager reads the list, follows the missing deck to
its upload page; a team member reads their product's next committee; someone with nothing to do
reads that the list is empty. axe-core checks each page; the screenshots are in test-artifacts/.

Selectors use ids and URLs rather than texts: the French catalogue of these strings is merged later.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from committees.tests.factories import CommitteeFactory, paris
from incubator.tests.factories import UserFactory
from portfolio.models import Phase, Startup
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

from .accessibility import assert_no_blocking_violations, console_collector
from .test_portfolio_journey import sign_in
from .world import fabrique_and_manager, trees_map

pytestmark = [pytest.mark.browser]


@pytest.fixture
def todo_data(transactional_db):
    today = timezone.localdate()
    started = today - datetime.timedelta(days=60)  # no phase longer than usual
    fabrique, manager = fabrique_and_manager()
    trees = trees_map(fabrique, since=started)
    teammate = UserFactory(email="ines@example.gouv.fr", first_name="Inès", last_name="Intra")
    TeamMembershipFactory(startup=trees, user=teammate)
    soon = CommitteeFactory(startup=trees, scheduled_at=paris(today + datetime.timedelta(days=6), 14))
    counter = StartupFactory(
        slug="guichet", name="Guichet unique", incubator=fabrique, phase=Phase.ACCELERATION, phase_start=started
    )
    CommitteeFactory(startup=counter, scheduled_at=paris(today - datetime.timedelta(days=1), 14))
    compass = StartupFactory(
        slug="boussole", name="Boussole", incubator=fabrique, phase=Phase.CONSTRUCTION, phase_start=started
    )
    Startup.objects.filter(pk=compass.pk).update(next_committee_due=today + datetime.timedelta(days=40))
    nobody = UserFactory(email="agent@example.gouv.fr")
    return manager, teammate, nobody, soon


def test_my_space_lists_what_needs_each_person_today(live_server, todo_data, page, axe_check, browser):
    manager, teammate, nobody, soon = todo_data
    console_errors = console_collector(page)
    blocking = {}

    # The manager: the decision of yesterday's committee (late) first, the deck, the committee to
    # plan and the standards its product still lacks.
    sign_in(page, live_server, manager)
    expect(page.locator("h1")).to_have_count(1)
    items = page.locator("#todo-list > li")
    expect(items).to_have_count(4)
    expect(items.nth(0)).to_contain_text("Guichet unique")
    expect(items.nth(0).locator(".fr-badge--error")).to_have_count(1)  # late, in text
    expect(items.nth(1)).to_contain_text("Carte des arbres")
    expect(items.nth(2)).to_contain_text("Boussole")
    expect(items.nth(2).locator("a")).to_have_attribute(
        "href", reverse("committees:committee_plan", kwargs={"slug": "boussole"})
    )
    expect(items.nth(3).locator("a")).to_have_attribute(
        "href", reverse("standards:scorecard_edit", kwargs={"slug": "boussole"})
    )
    blocking["manager"] = axe_check("manager")
    add_deck = reverse("committees:document_add", kwargs={"pk": soon.pk})
    page.locator(f"#todo-list a[href='{add_deck}']").click()
    expect(page).to_have_url(live_server.url + add_deck)

    # The team member: their product's next committee, its deck still missing.
    team_page = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(team_page, live_server, teammate)
    team_items = team_page.locator("#todo-list > li")
    expect(team_items).to_have_count(1)
    expect(team_items.nth(0)).to_contain_text("Carte des arbres")
    expect(team_items.nth(0).locator("a")).to_have_attribute("href", add_deck)
    expect(team_items.nth(0).locator("time")).to_have_attribute("datetime", soon.local_date.isoformat())
    blocking["team_member"] = axe_check("team_member", on=team_page)

    # Someone with nothing to do is told so.
    empty_page = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(empty_page, live_server, nobody)
    expect(empty_page.locator("#todo-empty")).to_be_visible()
    expect(empty_page.locator("#todo-list")).to_have_count(0)
    blocking["empty"] = axe_check("empty", on=empty_page)

    assert_no_blocking_violations(blocking, ["manager", "team_member", "empty"])
    assert console_errors == []

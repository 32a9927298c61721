"""A manager steers a product by the network's rules (issue 11): sees its flags on the product page
(committee overdue, phase longer than usual), opens the committee that took place, reads the
previous committee's promise next to the indicators measured since, records a decision beyond the
6-month rule (asked for its reason, then marked) with the next objectives, the team size and the
hypotheses, plans the next committee and finds them on its page. axe-core checks every page.

Selectors use ids, names and URLs rather than texts: the French catalogue of these pages is
filled later, and the test must not depend on it.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from committees.models import Committee, Decision
from committees.services import record_decision
from committees.tests.factories import CommitteeFactory, paris
from portfolio.models import Startup
from portfolio.tests.factories import IndicatorFactory, MeasurementFactory

from .accessibility import assert_no_blocking_violations, console_collector
from .test_portfolio_journey import sign_in
from .world import add_intrapreneur, fabrique_and_manager, trees_map

pytestmark = [pytest.mark.browser]

NEXT_OBJECTIVES = "Ouvrir le service à trois régions et publier la page de statistiques."
HYPOTHESES = "Les agents adoptent la carte sans formation."
REASON = "Marché public de capteurs à passer : le comité accorde neuf mois."


@pytest.fixture
def steering_data(transactional_db):
    """Carte des arbres: in construction for 30 months (longer than usual), its last committee held
    8 months ago (its objectives, its decision), so overdue; an indicator measured before and after."""
    today = timezone.localdate()
    fabrique, manager = fabrique_and_manager()
    product = trees_map(fabrique, since=today - datetime.timedelta(days=910))
    add_intrapreneur(product)
    held_on = today - datetime.timedelta(days=245)
    previous = CommitteeFactory(
        startup=product,
        scheduled_at=paris(held_on, 14),
        objectives="Atteindre 1 000 usagers actifs.",
        success_criteria="500 arbres signalés par mois.",
    )
    record_decision(
        committee=previous,
        actor=manager,
        outcome="continue",
        decided_on=held_on,
        next_objectives="Brancher les données des métropoles.",
        team_size=3,
    )
    indicator = IndicatorFactory(startup=product, name="Usagers actifs", unit="usagers")
    MeasurementFactory(indicator=indicator, date=held_on - datetime.timedelta(days=10), value=310)
    MeasurementFactory(indicator=indicator, date=today - datetime.timedelta(days=20), value=870)
    return manager, product


def test_manager_sees_the_flags_records_a_decision_with_objectives_and_finds_them_next_time(
    live_server, steering_data, page, axe_check
):
    manager, product = steering_data
    console_errors = console_collector(page)
    blocking = {}
    sign_in(page, live_server, manager)

    # The product page: the flags a manager acts on.
    page.goto(live_server.url + product.get_absolute_url())
    expect(page.locator("#flags")).to_be_visible()
    expect(page.locator("#flag-en-retard")).to_be_visible()
    expect(page.locator("#flag-phase-trop-longue")).to_be_visible()
    expect(page.locator("#flag-hors-regle-6-mois")).to_have_count(0)
    blocking["product_flagged"] = axe_check("product_flagged")

    # The committee took place two days ago (planned earlier); its page shows the previous promise.
    committee = CommitteeFactory(
        startup=product,
        scheduled_at=timezone.now() - datetime.timedelta(days=2),
        objectives="Atteindre 2 000 usagers actifs.",
    )
    page.goto(live_server.url + committee.get_absolute_url())
    promise = page.locator("#previous-promise")
    expect(promise).to_contain_text("Atteindre 1 000 usagers actifs.")
    expect(promise).to_contain_text("500 arbres signalés par mois.")
    expect(promise).to_contain_text("Brancher les données des métropoles.")
    indicators = page.locator("#indicators + div table")
    expect(indicators).to_contain_text("310 usagers")
    expect(indicators).to_contain_text("870 usagers")
    blocking["committee"] = axe_check("committee")

    # The decision: nine months in construction, first without a reason.
    page.locator("#record-decision").click()
    page.locator("label[for='id_outcome_0']").click()  # continue
    page.locator("input[name='granted_months']").fill("9")
    page.locator("textarea[name='next_objectives']").fill(NEXT_OBJECTIVES)
    page.locator("input[name='team_size']").fill("5")
    page.locator("textarea[name='hypotheses']").fill(HYPOTHESES)
    page.locator("main form button[type='submit']").click()
    expect(page.locator("#id_beyond_rule_reason-messages .fr-message--error")).to_be_visible()
    expect(page.locator("textarea[name='next_objectives']")).to_have_value(NEXT_OBJECTIVES)  # nothing lost
    expect(page.locator("textarea[name='hypotheses']")).to_have_value(HYPOTHESES)
    assert not Decision.objects.filter(committee=committee).exists()
    blocking["decision_refused"] = axe_check("decision_refused")
    page.locator("textarea[name='beyond_rule_reason']").fill(REASON)
    page.locator("main form button[type='submit']").click()

    # Back on the committee page: the decision, marked beyond the rule, with what it sets.
    expect(page).to_have_url(live_server.url + committee.get_absolute_url())
    expect(page.locator("#decision-beyond-rule")).to_be_visible()
    expect(page.locator("#decision")).to_contain_text(REASON)
    expect(page.locator("#decision")).to_contain_text(NEXT_OBJECTIVES)
    blocking["decided"] = axe_check("decided")
    decision = Decision.objects.get(committee=committee)
    assert (decision.granted_months, decision.beyond_rule, decision.team_size) == (9, True, 5)

    # The product page: no longer overdue, marked beyond the 6-month rule.
    page.goto(live_server.url + product.get_absolute_url())
    expect(page.locator("#flag-hors-regle-6-mois")).to_be_visible()
    expect(page.locator("#flag-en-retard")).to_have_count(0)
    expect(page.locator("#committees ~ ul").first).to_contain_text(REASON)
    blocking["product_decided"] = axe_check("product_decided")

    # The next committee, planned from the product page, shows the promise back.
    page.locator("#plan-committee").click()
    when = timezone.localdate() + datetime.timedelta(days=40)
    page.locator("input[name='scheduled_at']").fill(f"{when.isoformat()}T10:00")
    page.locator("input[name='place']").fill("DINUM, salle 2")
    page.locator("main form button[type='submit']").click()
    following = Committee.objects.get(startup=product, status=Committee.Status.PLANNED)
    expect(page).to_have_url(live_server.url + following.get_absolute_url())
    promise = page.locator("#previous-promise")
    expect(promise).to_contain_text("Atteindre 2 000 usagers actifs.")
    expect(promise).to_contain_text(NEXT_OBJECTIVES)
    expect(promise).to_contain_text(HYPOTHESES)
    expect(promise).to_contain_text("5")
    blocking["next_committee"] = axe_check("next_committee")
    assert Startup.objects.get(pk=product.pk).next_committee_due == decision.decided_on + relativedelta(months=9)

    assert_no_blocking_violations(
        blocking, ["product_flagged", "committee", "decision_refused", "decided", "product_decided", "next_committee"]
    )
    assert console_errors == []

"""A manager's journey through a committee: plan it from the product page, add the deck, record
"next phase", and see the product in acceleration; axe-core checks every page on the way.

Selectors use ids, names and URLs rather than the button texts: the French catalogue of these
pages is filled later, and the test must not depend on it.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from committees.models import Attendee, Committee, CommitteeDocument, Decision
from portfolio.models import Phase, Startup
from portfolio.tests.factories import IndicatorFactory, MeasurementFactory

from .accessibility import assert_no_blocking_violations, console_collector
from .test_portfolio_journey import sign_in
from .world import add_intrapreneur, fabrique_and_manager, trees_map

pytestmark = [pytest.mark.browser]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def committee_data(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    fabrique, manager = fabrique_and_manager(purchasing_email="achats@fabrique-a.gouv.fr")
    product = trees_map(fabrique)
    add_intrapreneur(product)
    MeasurementFactory(
        indicator=IndicatorFactory(startup=product, name="Usagers actifs", unit="usagers"),
        date=datetime.date(2025, 5, 1),
        value=420,
    )
    return manager, product


def test_manager_plans_a_committee_adds_the_deck_and_records_next_phase(live_server, committee_data, page, axe_check):
    manager, product = committee_data
    console_errors = console_collector(page)
    blocking = {}
    sign_in(page, live_server, manager)

    # The product page offers to plan a committee.
    page.goto(live_server.url + product.get_absolute_url())
    expect(page.locator("h1")).to_have_text("Carte des arbres")
    blocking["product"] = axe_check("product")
    page.locator("#plan-committee").click()

    # The planning form: the team and the manager are already invited; a sponsor is added.
    expect(page).to_have_url(live_server.url + reverse("committees:committee_plan", kwargs={"slug": product.slug}))
    expect(page.locator("input[name='attendees-0-email']")).to_have_value("ines@example.gouv.fr")
    expect(page.locator("input[name='attendees-1-email']")).to_have_value("responsable-a@example.gouv.fr")
    expect(page.locator("select[name='attendees-0-role']")).to_have_value("intrapreneur")
    # The product has no sponsor: the page says nobody from a sponsor is invited.
    expect(page.locator("#not-invited #no-sponsor")).to_be_visible()
    blocking["plan"] = axe_check("plan")
    when = timezone.localdate() + datetime.timedelta(days=21)
    page.locator("input[name='scheduled_at']").fill(f"{when.isoformat()}T14:30")
    page.locator("input[name='place']").fill("DINUM, salle 4")
    page.locator("input[name='requested_budget']").fill("240000")
    page.locator("textarea[name='objectives']").fill("1 000 usagers actifs par mois")
    page.locator("input[name='attendees-2-name']").fill("Sophie Sponsor")
    page.locator("input[name='attendees-2-email']").fill("sophie.sponsor@ministere.example.fr")
    page.locator("select[name='attendees-2-role']").select_option("sponsor")
    page.locator("main form button[type='submit']").click()

    # The committee page: agenda, request, attendees.
    committee = Committee.objects.get(startup=product)
    expect(page).to_have_url(live_server.url + committee.get_absolute_url())
    expect(page.locator("#agenda li")).to_have_count(5)
    expect(page.locator("#attendees li")).to_have_count(3)
    expect(page.locator("#request")).to_contain_text("1 000 usagers actifs par mois")
    assert set(Attendee.objects.filter(committee=committee).values_list("email", flat=True)) == {
        "ines@example.gouv.fr",
        "responsable-a@example.gouv.fr",
        "sophie.sponsor@ministere.example.fr",
    }
    blocking["committee"] = axe_check("committee")

    # The deck: a PDF, covering the impact and the roadmap.
    page.locator("#add-document").click()
    page.locator("input[name='file']").set_input_files(
        files=[{"name": "support-comite.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("label[for='id_contents_2']").click()  # impact
    page.locator("label[for='id_contents_3']").click()  # roadmap
    blocking["upload"] = axe_check("upload")
    page.locator("main form button[type='submit']").click()
    expect(page).to_have_url(live_server.url + committee.get_absolute_url())
    expect(page.locator("#documents")).to_contain_text("support-comite.pdf")
    document = CommitteeDocument.objects.get(committee=committee)
    assert document.contents == ["impact", "roadmap"]

    # Before the meeting no decision is offered; its page says when it opens.
    expect(page.locator("#record-decision")).to_have_count(0)
    expect(page.locator("#decision-opens")).to_be_visible()
    page.goto(live_server.url + reverse("committees:decision", kwargs={"pk": committee.pk}))
    expect(page.locator("#decision-not-open")).to_be_visible()
    expect(page.locator("input[name='outcome']")).to_have_count(0)
    blocking["decision_not_open"] = axe_check("decision_not_open")

    # The committee took place two days ago: the manager records "next phase".
    Committee.objects.filter(pk=committee.pk).update(scheduled_at=timezone.now() - datetime.timedelta(days=2))
    page.goto(live_server.url + committee.get_absolute_url())
    page.locator("#record-decision").click()
    blocking["decision"] = axe_check("decision")
    page.locator("label[for='id_outcome_2']").click()  # next phase
    page.locator("select[name='next_phase']").select_option("acceleration")
    page.locator("input[name='granted_amount']").fill("300000")
    page.locator("textarea[name='minutes']").fill("Passage en accélération validé à l'unanimité.")
    page.locator("main form button[type='submit']").click()

    # Back on the committee page: the decision, and the product in acceleration.
    expect(page).to_have_url(live_server.url + committee.get_absolute_url())
    expect(page.locator("#startup-phase")).to_contain_text("Accélération")
    expect(page.locator("#decision")).to_contain_text("Passage en accélération validé")
    # The message names the move, from the phase the product left to the new one.
    expect(page.locator("main .fr-alert--success")).to_contain_text("Carte des arbres")
    expect(page.locator("main .fr-alert--success")).to_contain_text("Construction")
    expect(page.locator("main .fr-alert--success")).to_contain_text("Accélération")
    blocking["decided"] = axe_check("decided")
    decision = Decision.objects.get(committee=committee)
    assert (decision.outcome, decision.next_phase) == ("next_phase", "acceleration")
    assert Startup.objects.get(pk=product.pk).phase == Phase.ACCELERATION

    page.goto(live_server.url + product.get_absolute_url())
    expect(page.locator(".portal-timeline__step--current")).to_contain_text("Accélération")

    # The calendar, on the held committees.
    page.goto(live_server.url + reverse("committees:committee_list") + "?section=held")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main tbody tr")).to_have_count(1)
    blocking["calendar"] = axe_check("calendar")

    page.goto(live_server.url + reverse("committees:my_calendar"))
    blocking["my_calendar"] = axe_check("my_calendar")

    assert_no_blocking_violations(
        blocking,
        [
            "product",
            "plan",
            "committee",
            "upload",
            "decision_not_open",
            "decision",
            "decided",
            "calendar",
            "my_calendar",
        ],
    )
    assert console_errors == []

"""Browser journeys of the community (Debian's Chromium with Playwright, axe-core on every page):

- a team member finds the FAST from their product page, requests it; the handler grants it from
  the queue; the team sees it granted;
- a person registers for a full event and is waitlisted; someone cancels (asked in the DSFR
  dialog); the person is promoted.

Selectors use ids, names and URLs, not button texts (the French catalogue is filled later).
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from community.models import Registration, ResourceRequest
from community.tests.factories import EventFactory, ResourceCategoryFactory, ResourceFactory
from incubator.tests.factories import IncubatorFactory, OrganisationFactory, UserFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory
from tests.browser.accessibility import console_collector, format_violations
from tests.browser.test_portfolio_journey import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def offer_data(transactional_db):
    fabrique = IncubatorFactory(slug="fabrique-a", title="Fabrique A")
    product = StartupFactory(
        slug="cantine-locale",
        name="Cantine locale",
        incubator=fabrique,
        phase=Phase.ACCELERATION,
        sponsors=[OrganisationFactory(acronym="DGAL", type="administration-centrale")],
    )
    member = TeamMembershipFactory(
        startup=product, user=UserFactory(email="equipe@example.gouv.fr", first_name="Théa", last_name="Équipe")
    ).user
    handler = UserFactory(email="guichet@numerique.gouv.fr", first_name="Gaël", last_name="Guichet")
    fast = ResourceFactory(
        slug="cofinancement-fast",
        title="Cofinancement par le FAST",
        category=ResourceCategoryFactory(slug="financement", name="Financement"),
        phases=[Phase.ACCELERATION],
        handlers=[handler],
    )
    return member, handler, product, fast


def test_a_team_member_requests_the_fast_from_the_product_page_and_the_handler_grants_it(
    live_server, offer_data, page, browser, axe_check
):
    member, handler, product, _fast = offer_data
    console_errors = console_collector(page)
    blocking = {}
    sign_in(page, live_server, member)

    # From the product page to what the product may use.
    page.goto(live_server.url + product.get_absolute_url())
    page.locator("#product-offer").click()
    expect(page).to_have_url(live_server.url + reverse("community:for_startup", args=[product.slug]))
    expect(page.locator("#resource-cofinancement-fast")).to_be_visible()
    blocking["for-product"] = axe_check("for-product")
    page.locator("#resource-cofinancement-fast a[href*='demander']").click()

    # The request form, for this product.
    expect(page.locator("select[name='target']")).to_have_value("produit:cantine-locale")
    blocking["request-form"] = axe_check("request-form")
    page.locator("textarea[name='message']").fill("Nous passons à 120 collectivités cette année.")
    page.locator("main form button[type='submit']").click()
    resource_request = ResourceRequest.objects.get()
    expect(page).to_have_url(live_server.url + resource_request.get_absolute_url())
    expect(page.locator("#request-message")).to_contain_text("120 collectivités")
    blocking["request"] = axe_check("request")

    # The handler, in another browser, grants it from the queue.
    handler_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    handler_page = handler_context.new_page()
    sign_in(handler_page, live_server, handler)
    handler_page.goto(live_server.url + reverse("community:queue"))
    blocking["queue"] = axe_check("queue", on=handler_page)
    handler_page.locator(f"a[href='{resource_request.get_absolute_url()}']").click()
    handler_page.locator("#transition input[name='to'][value='granted']").check(force=True)
    handler_page.locator("#transition textarea[name='comment']").fill("Accordé : dossier complet.")
    blocking["answer"] = axe_check("answer", on=handler_page)
    handler_page.locator("#transition button[type='submit']").click()
    expect(handler_page.locator("#comments")).to_contain_text("Accordé : dossier complet.")
    handler_context.close()

    # The team sees it granted.
    page.reload()
    expect(page.locator("main .fr-badge--success").first).to_be_visible()
    expect(page.locator("#comments")).to_contain_text("Accordé : dossier complet.")
    assert ResourceRequest.objects.get().status == "granted"
    assert {name: format_violations(found) for name, found in blocking.items() if found} == {}
    assert console_errors == []


def test_a_person_waitlisted_for_a_full_event_is_promoted_when_someone_cancels(
    live_server, transactional_db, page, browser, axe_check
):
    event = EventFactory(slug="formation-alpha", title="Formation Alpha", capacity=1, is_public=True)
    seated = UserFactory(email="assise@example.gouv.fr")
    waiting = UserFactory(email="attente@example.gouv.fr")
    Registration.objects.create(event=event, user=seated, status="confirmed")
    console_errors = console_collector(page)
    blocking = {}

    # The event is full: registering puts the person on the waiting list.
    sign_in(page, live_server, waiting)
    page.goto(live_server.url + event.get_absolute_url())
    blocking["event"] = axe_check("event")
    page.locator("#register button[type='submit']").click()
    expect(page.locator("#cancel-registration")).to_be_visible()
    assert Registration.objects.get(user=waiting).status == "waitlisted"
    blocking["waitlisted"] = axe_check("waitlisted")

    # The person with the seat cancels, after confirming in the dialog.
    other = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    other_page = other.new_page()
    sign_in(other_page, live_server, seated)
    other_page.goto(live_server.url + event.get_absolute_url())
    other_page.locator("#cancel-registration button[type='submit']").click()
    expect(other_page.locator("#portal-confirm")).to_be_visible()
    blocking["confirm"] = axe_check("confirm", on=other_page)
    other_page.locator("#portal-confirm [data-portal-confirm='yes']").click()
    expect(other_page.locator("#register")).to_be_visible()
    other.close()

    # The waiting person now has the seat.
    page.reload()
    expect(page.locator("#registration .fr-badge--success")).to_be_visible()
    assert Registration.objects.get(user=waiting).status == "confirmed"
    assert {name: format_violations(found) for name, found in blocking.items() if found} == {}
    assert console_errors == []

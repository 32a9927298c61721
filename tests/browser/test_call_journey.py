"""A call from end to end in a real browser: an applicant signs up, drafts, leaves, comes back and
submits; a juror ticks; the manager shortlists, draws, picks a laureate who signs the commitment,
and onboards it; the product appears in the portfolio in investigation."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from calls.models import Application
from calls.tests.factories import CallFactory
from incubator.models import Membership, OutboxMessage
from incubator.tests.factories import TEST_PASSWORD, IncubatorFactory, MembershipFactory, UserFactory
from incubator.tests.mfa import TEST_TOTP_SECRET, totp_code
from portfolio.models import Phase, Startup

from .accessibility import console_collector, format_violations

pytestmark = [pytest.mark.browser]

PASSWORD = "un-mot-de-passe-tres-long-2026"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def call_data(transactional_db):
    fabrique = IncubatorFactory(slug="fabrique-a", title="Fabrique A")
    manager = UserFactory(email="responsable-a@example.gouv.fr")
    MembershipFactory(user=manager, incubator=fabrique, role=Membership.Role.MANAGER)
    juror = UserFactory(email="jure-a@example.gouv.fr")
    call = CallFactory(slug="appel-2027", title="Appel à intrapreneurs 2027", incubator=fabrique)
    call.jurors.add(juror)
    return call, manager, juror


def new_page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions left (a juror's conflict)
    return page


def sign_in(page, live_server, email, password=TEST_PASSWORD):
    page.goto(live_server.url + reverse("account_login"))
    form = page.locator("form:has(input[name='password'])")
    form.locator("input[name='login']").fill(email)
    form.locator("input[name='password']").fill(password)
    form.locator("[type='submit']").click()
    page.wait_for_url(re.compile(r"/(compte/2fa/authenticate|mon-espace)/$"))
    if page.url.endswith("/compte/2fa/authenticate/"):  # a manager's second factor (incubator.tests.mfa)
        page.locator("input[name='code']").fill(totp_code(TEST_TOTP_SECRET))
        page.locator("form:has(input[name='code']) button[type='submit']:not([form])").click()
    expect(page).to_have_url(live_server.url + reverse("incubator:my_space"))


def test_call_from_application_to_product(live_server, call_data, browser, page, axe_check):
    call, manager, juror = call_data
    console_errors = console_collector(page)
    blocking = {}

    # The applicant reads the call, signs up, and confirms the address from the email.
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(live_server.url + call.get_absolute_url())
    blocking["call"] = axe_check("call")
    page.goto(live_server.url + reverse("account_signup"))
    signup = page.locator("form:has(input[name='password1'])")
    signup.locator("input[name='first_name']").fill("Nadia")
    signup.locator("input[name='last_name']").fill("Nouvelle")
    signup.locator("input[name='email']").fill("nadia@example.gouv.fr")
    signup.locator("input[name='password1']").fill(PASSWORD)
    signup.locator("input[name='password2']").fill(PASSWORD)
    signup.locator("[type='submit']").click()
    confirmation = OutboxMessage.objects.get(to=["nadia@example.gouv.fr"])
    page.goto(
        live_server.url + re.search(r"https?://[^/\s]+(/compte/confirm-email/\S+)", confirmation.body_text).group(1)
    )
    page.locator("main form [type='submit']").click()

    # Drafts, leaves, comes back, submits.
    page.goto(live_server.url + reverse("calls:apply", kwargs={"slug": call.slug}))
    page.locator("[name='administration']").fill("Ministère de l'Exemple")
    page.locator("[name='problem']").fill("Trois mois d'attente pour 40 000 dossiers par an.")
    page.locator("button[name='action'][value='save']").click()
    blocking["form"] = axe_check("form")
    page.goto(live_server.url + reverse("incubator:home"))
    page.goto(live_server.url + reverse("calls:my_applications"))
    blocking["my-applications"] = axe_check("my-applications")
    page.locator("main table a").first.click()
    page.locator("main a[href$='/candidater/']").click()
    expect(page.locator("[name='problem']")).to_have_value("Trois mois d'attente pour 40 000 dossiers par an.")
    for name, value in {
        "service": "Bureau des usagers",
        "role": "Chef de bureau",
        "population": "40 000 usagers",
        "solution": "Un suivi en ligne",
        "first_users": "Les agents du bureau",
    }.items():
        page.locator(f"[name='{name}']").fill(value)
    page.locator("label[for='id_consent_guide']").click()
    page.locator("label[for='id_consent_sharing']").click()
    page.locator("button[name='action'][value='submit']").click()
    application = Application.objects.get(applicant__email="nadia@example.gouv.fr")
    expect(page).to_have_url(live_server.url + application.get_absolute_url())
    assert application.status == Application.Status.SUBMITTED

    # A juror ticks it.
    juror_page = new_page(browser)
    sign_in(juror_page, live_server, juror.email)
    juror_page.goto(live_server.url + reverse("calls:jury_applications", kwargs={"slug": call.slug}))
    blocking["jury-list"] = axe_check("jury-list", on=juror_page)
    juror_page.locator(f"form[action$='/jury/candidatures/{application.pk}/vote/'] button").click()
    juror_page.goto(live_server.url + reverse("calls:jury_application", kwargs={"pk": application.pk}))
    blocking["jury-application"] = axe_check("jury-application", on=juror_page)

    # The manager closes the call before its deadline (saying why, on the confirmation page), then
    # shortlists the ticked application (confirmed), draws (confirmed), picks the laureate.
    manager_page = new_page(browser)
    sign_in(manager_page, live_server, manager.email)
    close_url = reverse("calls:manage_call_status", kwargs={"slug": call.slug, "to": "closed"})
    manager_page.goto(live_server.url + reverse("calls:manage_call", kwargs={"slug": call.slug}))
    manager_page.locator(f"main a[href='{close_url}']").click()
    expect(manager_page).to_have_url(live_server.url + close_url)
    blocking["confirm-close"] = axe_check("confirm-close", on=manager_page)
    manager_page.locator("textarea[name='reason']").fill("Le jury peut se réunir plus tôt.")
    manager_page.locator(f"form[action='{close_url}'] [type='submit']").click()
    expect(manager_page.locator("main")).to_contain_text("Le jury peut se réunir plus tôt.")  # the call's history
    call.refresh_from_db()
    assert call.status == call.Status.CLOSED

    manager_page.goto(live_server.url + reverse("calls:manage_ranking", kwargs={"slug": call.slug}))
    blocking["ranking"] = axe_check("ranking", on=manager_page)
    manager_page.locator(f"#select-{application.pk}").check()
    manager_page.locator("select[name='to']").select_option("shortlisted")
    manager_page.locator("#bulk-form [type='submit']").click()
    preselect_url = reverse("calls:manage_preselect", kwargs={"slug": call.slug})
    expect(manager_page.locator("#consequences")).to_contain_text("Nadia Nouvelle")  # who gets the email
    blocking["confirm-preselection"] = axe_check("confirm-preselection", on=manager_page)
    manager_page.locator(f"form[action='{preselect_url}'] [type='submit']").click()
    assert Application.objects.get(pk=application.pk).status == Application.Status.SHORTLISTED

    draw_url = reverse("calls:manage_draw", kwargs={"slug": call.slug})
    manager_page.goto(live_server.url + reverse("calls:manage_selection", kwargs={"slug": call.slug}))
    manager_page.locator(f"main a[href='{draw_url}']").click()
    manager_page.locator(f"form[action='{draw_url}'] [type='submit']").click()
    manager_page.locator("button[name='to'][value='laureate']").click()
    expect(manager_page.locator("main")).to_contain_text(call.title)
    assert Application.objects.get(pk=application.pk).status == Application.Status.LAUREATE

    # The laureate uploads the signed commitment form; the manager onboards the product.
    page.goto(live_server.url + application.get_absolute_url())
    page.locator("input[name='commitment_form']").set_input_files(
        files=[{"name": "engagement.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator(f"form[action$='/candidatures/{application.pk}/engagement/'] [type='submit']").click()
    manager_page.goto(live_server.url + reverse("calls:manage_application", kwargs={"pk": application.pk}))
    manager_page.locator("[name='name']").fill("Suivi des dossiers")
    manager_page.locator(f"form[action$='/candidatures/{application.pk}/integrer/'] [type='submit']").click()

    startup = Startup.objects.get(name="Suivi des dossiers")
    expect(manager_page).to_have_url(live_server.url + startup.get_absolute_url())
    assert startup.phase == Phase.INVESTIGATION
    manager_page.goto(live_server.url + reverse("portfolio:startup_list") + "?phase=investigation")
    expect(manager_page.locator("main tbody")).to_contain_text("Suivi des dossiers")

    assert {name: [v["id"] for v in violations] for name, violations in blocking.items()} == {
        name: [] for name in blocking
    }, "\n".join(f"{name}:\n{format_violations(violations)}" for name, violations in blocking.items() if violations)
    assert console_errors == []

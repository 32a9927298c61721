"""htmx on the application form, in a real browser: the portal's strict configuration is the one
htmx runs with, the autosave still works, and htmx ignores the call's and the applicant's text."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from calls.models import Application, Question
from calls.tests.factories import CallFactory, QuestionFactory
from incubator.templatetags.portal_htmx import HTMX_CONFIG
from incubator.tests.factories import TEST_PASSWORD, UserFactory

from .accessibility import console_collector
from .test_call_journey import sign_in

pytestmark = [pytest.mark.browser]

HOSTILE_HELP = '<div hx-post="/compte/email/" hx-trigger="load">x</div>'


def test_application_form_runs_htmx_strictly_and_ignores_user_text(live_server, transactional_db, page):
    call = CallFactory(slug="appel-htmx")
    QuestionFactory(call=call, kind=Question.Kind.LONG_TEXT, label="Votre idée", help_text=HOSTILE_HELP)
    applicant = UserFactory(email="agente@example.gouv.fr")
    console_errors = console_collector(page)
    requests = []
    sign_in(page, live_server, applicant.email, TEST_PASSWORD)
    page.on("request", lambda request: requests.append((request.method, request.url.removeprefix(live_server.url))))

    page.goto(live_server.url + reverse("calls:apply", kwargs={"slug": call.slug}))
    page.wait_for_function("window.htmx !== undefined")
    config = page.evaluate(f"Object.fromEntries({list(HTMX_CONFIG)}.map((name) => [name, htmx.config[name]]))")
    # A hx-* element written into the user text's container after the page loaded: htmx ignores it.
    page.evaluate(
        """() => {
            const probe = document.createElement("div");
            probe.setAttribute("hx-get", "/compte/email/");
            probe.setAttribute("hx-trigger", "load");
            document.querySelector("form [hx-disable] .fr-hint-text").append(probe);
            htmx.process(document.body);
        }"""
    )
    page.get_by_label("le problème à résoudre, chiffré").fill("Trois mois d'attente")
    expect(page.locator("#autosave-status")).to_contain_text("Brouillon enregistré")

    assert config == HTMX_CONFIG
    assert page.locator(".fr-hint-text", has_text=HOSTILE_HELP).count() == 1  # shown as text
    assert Application.objects.get(applicant=applicant).problem == "Trois mois d'attente"
    assert {(method, url) for method, url in requests if method == "POST" or "/compte/" in url} == {
        ("POST", reverse("calls:autosave", kwargs={"slug": call.slug}))
    }
    assert applicant.emailaddress_set.count() == 1
    assert console_errors == []

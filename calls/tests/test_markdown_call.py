"""A call's description: rendered on save, printed from the stored HTML, capped in the form."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from calls.models import Call
from calls.tests.factories import CallFactory
from incubator.markdown import MARKDOWN_MAX_LENGTH

pytestmark = pytest.mark.django_db


def test_saving_a_call_stores_its_rendered_description(incubator_a):
    call = CallFactory(incubator=incubator_a, description="# Qui ?\n\n<b>Vous</b> [ici](javascript:alert(1))")

    assert Call.objects.get(pk=call.pk).description_html == (
        "<h3>Qui ?</h3>\n<p>&lt;b&gt;Vous&lt;/b&gt; [ici](javascript:alert(1))</p>\n"
    )


def test_call_page_prints_the_stored_html_and_does_not_render_at_request_time(client, incubator_a):
    call = CallFactory(incubator=incubator_a, description="**source**")
    Call.objects.filter(pk=call.pk).update(description_html="<p>HTML <em>enregistré</em></p>")

    response = client.get(call.get_absolute_url())

    assert '<div class="portal-prose"><p>HTML <em>enregistré</em></p></div>' in response.text
    assert "<strong>source</strong>" not in response.text


def test_call_form_refuses_a_description_over_the_limit_in_french_and_keeps_it(sign_in, member_a, incubator_a):
    call = CallFactory(incubator=incubator_a, status=Call.Status.DRAFT, description="Texte d'origine.")
    typed = "a" * (MARKDOWN_MAX_LENGTH + 1)
    data = {
        "incubator": incubator_a.pk,
        "title": call.title,
        "slug": call.slug,
        "description": typed,
        "opens_at": "2026-03-01T09:00",
        "closes_at": "2026-04-01T18:00",
        "preselection_on": "2026-04-15",
        "selection_on": "2026-05-01",
        "investigation_starts_on": "2026-05-15",
        "investigations_planned": "3",
        "pitch_minutes": "3",
        "questions_minutes": "5",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }

    response = sign_in(member_a).post(reverse("calls:manage_call_update", args=[call.slug]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["description"] == [
        "Assurez-vous que cette valeur comporte au plus 20000 caractères (actuellement 20001)."
    ]
    assert 'maxlength="20000"' in response.text
    assert typed in response.text
    assert Call.objects.get(pk=call.pk).description == "Texte d'origine."


def test_data_migration_renders_the_existing_call_descriptions(incubator_a):
    call = CallFactory(incubator=incubator_a)
    Call.objects.filter(pk=call.pk).update(description="*Candidatez*", description_html="")
    migration = importlib.import_module("calls.migrations.0004_markdown_html")

    migration.render_descriptions(apps, schema_editor=None)

    assert Call.objects.get(pk=call.pk).description_html == "<p><em>Candidatez</em></p>\n"

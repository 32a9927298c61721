"""The list filter forms drawn without crispy-forms (``includes/_filter_form.html``) are the same
DSFR markup as ``{{ form|crispy }}``: every list page's filter form, empty, filled and in error."""

import datetime

import pytest
from django import forms
from django.template import Context, Template
from django.test.html import parse_html
from django.urls import reverse

from calls.tests.factories import CallFactory
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
LIGHT = Template('{% include "includes/_filter_form.html" %}')

# List pages with a filter form (templates/includes/_filters.html): route, its argument, persona.
PAGES = [
    ("portfolio:directory", None, None),
    ("portfolio:startup_list", None, "member_a"),
    ("committees:committee_list", None, "member_a"),
    ("calls:manage_ranking", "appel-a", "member_a"),
    ("calls:manage_application_list", None, "member_a"),
    ("community:resource_list", None, "member_a"),
    ("community:my_requests", None, "member_a"),
    ("community:queue", None, "network_admin"),
    ("community:event_list", None, "member_a"),
]


def choice_values(field):
    return [str(value) for value, _label in field.choices if value not in ("", None) and not isinstance(_label, list)]


def filled(form):
    """A plausible value for each field: the second choice, a date, a number, a word, ticked."""
    data = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if isinstance(field, forms.BooleanField) or isinstance(field.widget, forms.CheckboxInput):
            data[key] = "on"
        elif hasattr(field, "choices"):
            if choice_values(field):  # none when the list is empty (no category yet)
                data[key] = choice_values(field)[-1]
        elif isinstance(field, forms.DateField):
            data[key] = "2025-03-04"
        elif isinstance(field, forms.DecimalField | forms.IntegerField | forms.FloatField):
            data[key] = "2"
        else:
            data[key] = 'arbres "&" <forêt>'
    return data


def wrong(form):
    """Values each field refuses, where it can refuse one."""
    data = {}
    for name, field in form.fields.items():
        if hasattr(field, "choices"):
            data[form.add_prefix(name)] = "pas-un-choix"
        elif isinstance(field, forms.DateField):
            data[form.add_prefix(name)] = "2025-13-45"
        elif isinstance(field, forms.DecimalField | forms.IntegerField | forms.FloatField):
            data[form.add_prefix(name)] = "beaucoup"
    return data


@pytest.fixture
def lists(incubator_a, member_a, network_admin):
    """Something in each list: a product, a call of incubator A."""
    StartupFactory(slug="produit-a", incubator=incubator_a)
    CallFactory(slug="appel-a", incubator=incubator_a)


def page_form(sign_in, personas, route, argument, persona, params=None):
    client = sign_in(personas[persona] if persona else None)
    response = client.get(reverse(route, args=[argument] if argument else []), params or {})
    assert response.status_code in (200, 400), response.status_code
    return response, response.context["filter"].form


@pytest.mark.parametrize("state", ["empty", "filled", "wrong"])
@pytest.mark.parametrize(("route", "argument", "persona"), PAGES)
def test_filter_form_is_the_crispy_markup(sign_in, personas, lists, route, argument, persona, state):
    _response, form = page_form(sign_in, personas, route, argument, persona)
    params = {"empty": {}, "filled": filled(form), "wrong": wrong(form)}[state]
    response, form = page_form(sign_in, personas, route, argument, persona, params)

    crispy = CRISPY.render(Context({"form": form}))
    light = LIGHT.render(Context({"form": form}))

    assert parse_html(light) == parse_html(crispy)
    assert (state == "wrong") == bool(form.errors)
    assert parse_html(light) in parse_html(response.content.decode())  # the page draws it this way


def test_the_filled_values_are_kept(sign_in, personas, lists):
    _response, form = page_form(sign_in, personas, "portfolio:startup_list", None, "member_a")
    response, form = page_form(sign_in, personas, "portfolio:startup_list", None, "member_a", filled(form))

    assert response.status_code == 200
    assert 'value="arbres &quot;&amp;&quot; &lt;forêt&gt;"' in response.text


def test_a_date_filter_keeps_its_native_picker(sign_in, personas, lists):
    client = sign_in(personas["member_a"])
    day = datetime.date(2025, 3, 4).isoformat()

    response = client.get(reverse("committees:committee_list"), {"date_from": day})

    assert f'type="date" name="date_from" value="{day}"' in response.text

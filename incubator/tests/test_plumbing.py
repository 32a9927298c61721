"""The core's shared pieces that every app uses: slugs, validators, the date picker of the form pack."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.template import Context, Template

from incubator.dates import EARLIEST, LATEST
from incubator.models import Incubator
from incubator.tests.factories import IncubatorFactory
from incubator.text import unique_slug
from incubator.validators import CodeListValidator, https_by_default
from portfolio.models import Theme


@pytest.mark.django_db
def test_unique_slug_appends_a_number_to_a_taken_slug_and_falls_back_on_an_empty_one():
    IncubatorFactory(slug="fabrique-des-territoires")
    IncubatorFactory(slug="fabrique-des-territoires-2")
    incubators = Incubator.objects.all()

    assert unique_slug("Fabrique des territoires", queryset=incubators, fallback="x") == "fabrique-des-territoires-3"
    assert unique_slug("Fabrique numérique", queryset=incubators, fallback="x") == "fabrique-numerique"
    assert unique_slug("!!!", queryset=incubators, fallback="incubateur") == "incubateur"
    assert len(unique_slug("a" * 200, queryset=incubators, fallback="x")) == 70


def test_code_list_validator_accepts_a_list_of_the_vocabulary_only():
    validate = CodeListValidator(Theme)

    validate(["sante", "justice"])
    with pytest.raises(ValidationError) as unknown:
        validate(["sante", "astrologie"])
    with pytest.raises(ValidationError):
        validate("sante")
    assert unknown.value.messages == ["Valeurs inconnues : astrologie"]
    assert CodeListValidator(Theme) == validate
    assert validate.deconstruct() == ("incubator.validators.CodeListValidator", (Theme,), {})


def test_https_by_default_reads_a_url_without_scheme_as_https():
    field = https_by_default(models.URLField(name="website", blank=True))

    assert field.clean("beta.gouv.fr") == "https://beta.gouv.fr"


def test_a_plain_date_field_is_drawn_with_the_bounded_picker_of_the_core():
    class PlainForm(forms.Form):
        start = forms.DateField(label="Start date")

    html = Template("{% load dsfr_crispy %}{% dsfr_control form.start 'fr-input' %}").render(
        Context({"form": PlainForm()})
    )

    assert 'type="date"' in html
    assert f'min="{EARLIEST.isoformat()}"' in html
    assert f'max="{LATEST.isoformat()}"' in html

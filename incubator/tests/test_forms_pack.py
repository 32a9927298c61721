"""The dsfr_crispy template pack: DSFR markup, accessible errors and the error summary.

A test-only form holds every widget kind; it is rendered unbound and bound with errors, through
``{% crispy form %}`` and ``{{ form|crispy }}``. Rendering is in English for exact texts.
"""

import datetime

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils import translation
from django.utils.html import format_html

from incubator.tests.dsfr_html import attrs, by_id, classes, elements, error_summary, text, unlabelled

PHASES = [("investigation", "Investigation"), ("construction", "Construction")]
TOPICS = [("health", "Health"), ("justice", "Justice"), ("work", "Work")]


class EveryWidgetForm(forms.Form):
    name = forms.CharField(label="Product name", help_text="As on the product sheet")
    email = forms.EmailField(label="Contact email")
    secret = forms.CharField(label="Secret", widget=forms.PasswordInput)
    budget = forms.IntegerField(label="Budget", required=False)
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    pitch = forms.CharField(label="Pitch", widget=forms.Textarea(attrs={"rows": 3}))
    ministry = forms.ChoiceField(label="Ministry", choices=[("", "Choose"), ("mi", "Interior"), ("mj", "Justice")])
    charter = forms.BooleanField(label="I accept the charter")
    topics = forms.MultipleChoiceField(label="Topics", choices=TOPICS, widget=forms.CheckboxSelectMultiple)
    phase = forms.ChoiceField(label="Phase", choices=PHASES, widget=forms.RadioSelect, help_text="The current one")
    start = forms.DateField(label="Start date")
    deck = forms.FileField(label="Pitch deck", help_text="PDF")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("The committee is closed.")


INVALID_DATA = {
    "name": "",
    "email": "not-an-email",
    "secret": "s3cret",
    "budget": "a lot",
    "website": "",
    "pitch": "We help judges.",
    "ministry": "mj",
    "topics": ["justice", "work"],
    "start": "2026-02-31",
}

# The summary links to each field in error, in form order; a radio group to its first radio.
SUMMARY_LINKS = ["#id_name", "#id_email", "#id_budget", "#id_charter", "#id_phase_0", "#id_start", "#id_deck"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def render(template_code, form):
    return Template("{% load crispy_forms_tags %}" + template_code).render(
        Context({"form": form, "csrf_token": "test-csrf-token"})
    )


def group_of(found, control_id):
    """The innermost DSFR group (div or fieldset) holding the label for ``control_id``."""
    group = None
    for element in found:
        if element.name in {"div", "fieldset"} and classes(element) & {
            "fr-input-group",
            "fr-select-group",
            "fr-checkbox-group",
            "fr-upload-group",
            "fr-fieldset",
        }:
            inner = elements(element)
            if any(e.name == "label" and attrs(e).get("for") == control_id for e in inner[1:]):
                group = element
    return group  # groups come in document order: the last match is the innermost


@pytest.fixture
def unbound():
    return elements(render("{% crispy form %}", EveryWidgetForm()))


@pytest.fixture
def invalid():
    form = EveryWidgetForm(INVALID_DATA)
    return elements(render("{% crispy form %}", form))


def test_pack_unbound_form_wraps_each_kind_in_its_dsfr_group(unbound):
    expected = {
        "id_name": ("fr-input-group", "input", {"fr-input"}),
        "id_email": ("fr-input-group", "input", {"fr-input"}),
        "id_secret": ("fr-input-group", "input", {"fr-input", "fr-password__input"}),
        "id_budget": ("fr-input-group", "input", {"fr-input"}),
        "id_website": ("fr-input-group", "input", {"fr-input"}),
        "id_pitch": ("fr-input-group", "textarea", {"fr-input"}),
        "id_ministry": ("fr-select-group", "select", {"fr-select"}),
        "id_charter": ("fr-checkbox-group", "input", set()),
        "id_start": ("fr-input-group", "input", {"fr-input"}),
        "id_deck": ("fr-upload-group", "input", {"fr-upload"}),
    }

    for control_id, (group_class, tag, control_classes) in expected.items():
        control = by_id(unbound, control_id)
        assert group_class in classes(group_of(unbound, control_id)), control_id
        assert (control.name, classes(control)) == (tag, control_classes), control_id


def test_pack_unbound_inputs_keep_their_types(unbound):
    types = {name: attrs(by_id(unbound, f"id_{name}"))["type"] for name in ["name", "email", "secret", "budget"]}
    types |= {name: attrs(by_id(unbound, f"id_{name}"))["type"] for name in ["website", "start", "deck", "charter"]}

    assert types == {
        "name": "text",
        "email": "email",
        "secret": "password",
        "budget": "number",
        "website": "url",
        "start": "date",
        "deck": "file",
        "charter": "checkbox",
    }


def test_pack_unbound_controls_describe_hint_and_messages(unbound):
    assert attrs(by_id(unbound, "id_name"))["aria-describedby"] == "id_name_helptext id_name-messages"
    assert text(by_id(unbound, "id_name_helptext")) == "As on the product sheet"
    assert attrs(by_id(unbound, "id_email"))["aria-describedby"] == "id_email-messages"
    assert attrs(by_id(unbound, "id_name-messages"))["aria-live"] == "polite"
    assert "aria-invalid" not in attrs(by_id(unbound, "id_name"))


def test_pack_unbound_option_groups_are_dsfr_fieldsets(unbound):
    for name, option_group, labels in [
        ("topics", "fr-checkbox-group", ["Health", "Justice", "Work"]),
        ("phase", "fr-radio-group", ["Investigation", "Construction"]),
    ]:
        fieldset = by_id(unbound, f"id_{name}-fieldset")
        inside = elements(fieldset)
        assert fieldset.name == "fieldset"
        assert classes(fieldset) == {"fr-fieldset"}
        assert attrs(fieldset)["aria-labelledby"] == f"id_{name}-legend id_{name}-messages"
        assert by_id(inside, f"id_{name}-legend").name == "legend"
        assert [text(e) for e in inside if e.name == "label"] == labels
        assert len([e for e in inside if option_group in classes(e)]) == len(labels)
    assert text(by_id(unbound, "id_phase-legend")) == "Phase * The current one"


def test_pack_unbound_marks_required_fields_and_explains_the_asterisk(unbound):
    labels = {attrs(e)["for"]: text(e) for e in unbound if e.name == "label" and attrs(e).get("for")}

    assert labels["id_name"] == "Product name *"
    assert labels["id_budget"] == "Budget"
    assert "Fields marked with an asterisk (*) are required." in [text(e) for e in unbound if e.name == "p"]


def test_pack_unbound_form_has_labels_no_summary_and_a_multipart_form_tag(unbound):
    [form] = [e for e in unbound if e.name == "form"]

    assert unlabelled(unbound) == []
    assert not [e for e in unbound if "fr-alert--error" in classes(e)]
    assert attrs(form) == {"method": "post", "enctype": "multipart/form-data", "novalidate": None}
    assert attrs(by_id(unbound, "id_token"))["type"] == "hidden"


def test_pack_invalid_form_sets_error_state_on_each_group(invalid):
    states = {
        "id_name": "fr-input-group--error",
        "id_email": "fr-input-group--error",
        "id_budget": "fr-input-group--error",
        "id_charter": "fr-checkbox-group--error",
        "id_phase_0": "fr-fieldset--error",
        "id_start": "fr-input-group--error",
        "id_deck": "fr-upload-group--error",
    }

    for control_id, error_class in states.items():
        assert error_class in classes(group_of(invalid, control_id)), control_id
    assert "fr-input-group--error" not in classes(group_of(invalid, "id_pitch"))
    assert "fr-select-group--error" not in classes(group_of(invalid, "id_ministry"))
    assert "fr-fieldset--error" not in classes(by_id(invalid, "id_topics-fieldset"))


def test_pack_invalid_controls_are_marked_invalid_and_point_to_their_messages(invalid):
    name = attrs(by_id(invalid, "id_name"))

    assert name["aria-invalid"] == "true"
    assert name["aria-describedby"] == "id_name_helptext id_name-messages"
    assert classes(by_id(invalid, "id_name")) == {"fr-input", "fr-input--error"}
    assert text(by_id(invalid, "id_name-message-error-1")) == "This field is required."
    assert text(by_id(invalid, "id_email-message-error-1")) == "Enter a valid email address."
    assert classes(by_id(invalid, "id_email-message-error-1")) == {"fr-message", "fr-message--error"}
    assert [attrs(by_id(invalid, f"id_phase_{i}"))["aria-invalid"] for i in (0, 1)] == ["true", "true"]
    assert text(by_id(invalid, "id_phase-message-error-1")) == "This field is required."
    assert "aria-invalid" not in attrs(by_id(invalid, "id_pitch"))


def test_pack_invalid_form_summary_links_every_field_in_error(invalid):
    items, links = error_summary(invalid)

    assert links == SUMMARY_LINKS
    assert items[0] == "The committee is closed."
    assert items[1] == "Product name: This field is required."
    assert items[3] == "Budget: Enter a whole number."
    assert {link[1:] for link in links} <= {attrs(e).get("id") for e in invalid}
    [summary] = [e for e in invalid if "fr-alert--error" in classes(e)]
    assert [text(e) for e in elements(summary) if e.name == "h2"] == ["The form contains errors"]
    assert "Correct the following 8 errors:" in [text(e) for e in elements(summary) if e.name == "p"]


def test_pack_invalid_form_keeps_the_typed_values(invalid):
    selected = [attrs(e)["value"] for e in elements(by_id(invalid, "id_ministry")) if "selected" in attrs(e)]
    checked_topics = [attrs(by_id(invalid, f"id_topics_{i}")).get("checked", "no") for i in range(3)]

    assert attrs(by_id(invalid, "id_email"))["value"] == "not-an-email"
    assert attrs(by_id(invalid, "id_budget"))["value"] == "a lot"
    assert text(by_id(invalid, "id_pitch")) == "We help judges."
    assert attrs(by_id(invalid, "id_start"))["value"] == "2026-02-31"
    assert selected == ["mj"]
    assert checked_topics == ["no", None, None]
    assert "value" not in attrs(by_id(invalid, "id_secret"))


def test_pack_crispy_filter_renders_fields_and_summary_without_form_tag():
    form = EveryWidgetForm(INVALID_DATA)

    found = elements(render("{{ form|crispy }}", form))

    assert not [e for e in found if e.name == "form"]
    assert error_summary(found)[1] == SUMMARY_LINKS
    assert classes(by_id(found, "id_name")) == {"fr-input", "fr-input--error"}
    assert unlabelled(found) == []


def test_pack_date_input_shows_initial_date_in_iso_format():
    form = EveryWidgetForm(initial={"start": datetime.date(2026, 3, 9)})

    found = elements(render("{% crispy form %}", form))

    assert attrs(by_id(found, "id_start"))["value"] == "2026-03-09"


def test_pack_valid_iso_date_is_accepted():
    data = INVALID_DATA | {"start": "2026-03-09"}

    form = EveryWidgetForm(data)
    form.is_valid()

    assert "start" not in form.errors
    assert form.cleaned_data["start"] == datetime.date(2026, 3, 9)


def test_pack_helper_submit_becomes_a_dsfr_button():
    form = EveryWidgetForm()
    form.helper = FormHelper()
    form.helper.form_id = "startup-form"
    form.helper.add_input(Submit("save", "Save", css_class="portal-save"))

    found = elements(render("{% crispy form %}", form))

    [form_tag] = [e for e in found if e.name == "form"]
    button = by_id(found, "submit-id-save")
    assert attrs(form_tag)["id"] == "startup-form"
    assert (attrs(button)["type"], attrs(button)["value"]) == ("submit", "Save")
    assert classes(button) == {"fr-btn", "portal-save"}
    assert [e.name for e in found if "fr-btns-group" in classes(e)] == ["ul"]


class OptionalDocumentForm(forms.Form):
    document = forms.FileField(label="Document", required=False)


class StoredFile:
    """What a model's FileField gives a form as initial value: a name and a URL."""

    name = "decks/pitch.pdf"
    url = "/media/decks/pitch.pdf"

    def __str__(self):
        return self.name


def test_pack_clearable_file_shows_current_file_and_labelled_clear_box():
    form = OptionalDocumentForm(initial={"document": StoredFile()})

    found = elements(render("{% crispy form %}", form))

    links = [attrs(e)["href"] for e in found if e.name == "a"]
    clear = by_id(found, "document-clear_id")
    assert links == ["/media/decks/pitch.pdf"]
    assert (attrs(clear)["type"], attrs(clear)["name"]) == ("checkbox", "document-clear")
    assert attrs(by_id(found, "id_document"))["type"] == "file"
    assert unlabelled(found) == []
    assert not [e for e in found if e.name == "p" and "asterisk" in text(e)]


def test_pack_uploaded_file_clears_the_file_error():
    files = {"deck": SimpleUploadedFile("deck.pdf", b"%PDF-1.4", content_type="application/pdf")}

    form = EveryWidgetForm(INVALID_DATA, files)
    found = elements(render("{% crispy form %}", form))

    assert "#id_deck" not in error_summary(found)[1]
    assert "fr-upload-group--error" not in classes(group_of(found, "id_deck"))


class HiddenStepForm(forms.Form):
    step = forms.CharField(label="Step", widget=forms.HiddenInput)
    title = forms.CharField(label="Title", required=False)


def test_pack_hidden_field_error_is_listed_without_link():
    form = HiddenStepForm({"title": "Kick-off"})

    found = elements(render("{% crispy form %}", form))

    assert error_summary(found) == (["Step: This field is required."], [])
    assert attrs(by_id(found, "id_title"))["value"] == "Kick-off"


def test_pack_formset_renders_management_form_and_each_form():
    formset_class = forms.formset_factory(HiddenStepForm, extra=2)
    formset = formset_class(prefix="steps")

    found = elements(
        Template("{% load crispy_forms_tags %}{% crispy formset %}").render(
            Context({"formset": formset, "csrf_token": "test-csrf-token"})
        )
    )

    assert attrs(by_id(found, "id_steps-TOTAL_FORMS"))["value"] == "2"
    assert [attrs(e)["for"] for e in found if e.name == "label"] == ["id_steps-0-title", "id_steps-1-title"]
    assert unlabelled(found) == []


# Help texts, labels and choices may be written by people (a call's questions): the pack escapes
# them. HTML our code built (a SafeString: Django's password rules, allauth's link) stays HTML.
HOSTILE = '<div hx-post="/compte/email/" hx-trigger="load">x</div><img src=x onerror=alert(1)>'


class HostileForm(forms.Form):
    text = forms.CharField(label=HOSTILE, help_text=HOSTILE)
    secret = forms.CharField(label=HOSTILE, help_text=HOSTILE, widget=forms.PasswordInput)
    ticked = forms.BooleanField(label=HOSTILE, help_text=HOSTILE)
    choice = forms.ChoiceField(label=HOSTILE, help_text=HOSTILE, choices=[(HOSTILE, HOSTILE)], widget=forms.RadioSelect)
    choices = forms.MultipleChoiceField(
        label=HOSTILE, help_text=HOSTILE, choices=[(HOSTILE, HOSTILE)], widget=forms.CheckboxSelectMultiple
    )
    menu = forms.ChoiceField(label=HOSTILE, help_text=HOSTILE, choices=[(HOSTILE, HOSTILE)])
    upload = forms.FileField(label=HOSTILE, help_text=HOSTILE)


@pytest.mark.parametrize("template_code", ["{% crispy form %}", "{{ form|crispy }}"])
def test_pack_escapes_help_texts_labels_and_choices(template_code):
    html = render(template_code, HostileForm(data={}))
    found = elements(html)

    assert not [e for e in found if e.name in {"img", "div"} and {"hx-post", "onerror"} & set(attrs(e))]
    for name in HostileForm.base_fields:
        assert text(by_id(found, f"id_{name}_helptext")) == HOSTILE
    assert html.count("&lt;div hx-post=") >= 2 * len(HostileForm.base_fields)


def test_pack_keeps_help_text_html_that_our_code_built():
    class RulesForm(forms.Form):
        password = forms.CharField(
            widget=forms.PasswordInput, help_text=format_html("<ul><li>{}</li></ul>", "At least <12> characters")
        )

    found = elements(render("{% crispy form %}", RulesForm()))

    [item] = [e for e in elements(by_id(found, "id_password_helptext")) if e.name == "li"]
    assert text(item) == "At least <12> characters"

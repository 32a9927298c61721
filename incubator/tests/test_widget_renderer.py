"""The fast widget renderer writes exactly what Django's widget templates write."""

import datetime

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from incubator.dates import DateInput
from incubator.templatetags.dsfr_crispy import dsfr_control
from incubator.widget_renderer import RENDERER, FastWidgetRenderer

CHOICES = [("", "Toutes"), ("a", "Alpha & <b>"), ("b", gettext_lazy("Search")), (3, 'Trois "guillemets"')]
GROUPS = [("", "Aucun"), ("Groupe <1>", [("x", "X"), ("y", "Y")]), ("Groupe 2", [("z", "Zed")])]


class EveryWidget(forms.Form):
    text = forms.CharField(label="Texte", help_text="Une aide", max_length=20)
    optional = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": "«dupont» & co"}))
    number = forms.IntegerField(min_value=0, required=False)
    decimal = forms.DecimalField(required=False, decimal_places=2)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, disabled=True)
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))
    day = forms.DateField(required=False, widget=DateInput())
    plain_day = forms.DateField(required=False)
    when = forms.DateTimeField(required=False)
    hour = forms.TimeField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    check = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=CHOICES, required=False)
    grouped = forms.ChoiceField(choices=GROUPS)
    several = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    safe = forms.ChoiceField(choices=[("s", mark_safe("<em>sûr</em>"))], required=False)
    # Rendered by Django's templates as before: the renderer passes them on.
    radios = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect, required=False)
    boxes = forms.MultipleChoiceField(choices=CHOICES[1:], widget=forms.CheckboxSelectMultiple, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea)


DATA = {
    "text": "Valeur <script>\"x\"</script> & 'y'",
    "optional": "",
    "number": "-3",
    "decimal": "1.5",
    "email": "pas-une-adresse",
    "day": "2025-03-04",
    "plain_day": "04/03/2025",
    "when": "2025-03-04 10:00",
    "hour": "25:00",
    "hidden": "caché",
    "password": "secret&",
    "check": "on",
    "choice": "3",
    "grouped": "y",
    "several": ["a", "b"],
    "radios": "a",
    "boxes": ["a"],
    "notes": "ligne\nligne <2>",
}
INITIAL = {"day": datetime.date(2025, 1, 2), "number": 1200, "check": True, "choice": "b"}


def forms_to_render():
    return {
        "unbound": EveryWidget(),
        "initial": EveryWidget(initial=INITIAL),
        "bound": EveryWidget(data=DATA),
        "empty": EveryWidget(data={}),
        "prefixed": EveryWidget(data=DATA, prefix="filtre", auto_id="f_%s"),
    }


@pytest.mark.parametrize("state", ["unbound", "initial", "bound", "empty", "prefixed"])
@pytest.mark.parametrize("name", list(EveryWidget.base_fields))
def test_every_widget_is_written_as_django_writes_it(state, name):
    form = forms_to_render()[state]
    form.renderer = get_default_renderer()
    expected = [str(form[name]), dsfr_control(form[name], "fr-input"), form[name].as_hidden()]

    form.renderer = RENDERER
    written = [str(form[name]), dsfr_control(form[name], "fr-input"), form[name].as_hidden()]

    assert written == expected


def test_the_fast_renderer_writes_inputs_and_selects_itself():
    form = EveryWidget(data=DATA, renderer=FastWidgetRenderer())
    templates = []
    form.renderer.get_template = lambda name: templates.append(name) or get_default_renderer().get_template(name)

    for name in ("text", "number", "check", "choice", "grouped", "several", "hidden"):
        str(form[name])
    str(form["notes"])

    # Asked only to check that they are Django's own, once each; the textarea is rendered by its template.
    assert sorted(templates) == [
        "django/forms/widgets/checkbox.html",
        "django/forms/widgets/hidden.html",
        "django/forms/widgets/number.html",
        "django/forms/widgets/select.html",
        "django/forms/widgets/text.html",
        "django/forms/widgets/textarea.html",
    ]


def test_a_project_override_of_a_widget_template_is_respected(settings, tmp_path):
    override = tmp_path / "django" / "forms" / "widgets"
    override.mkdir(parents=True)
    (override / "text.html").write_text('<input class="surcharge" name="{{ widget.name }}">')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    form = EveryWidget(renderer=FastWidgetRenderer())

    assert str(form["text"]) == '<input class="surcharge" name="text">'

"""A form renderer that writes the commonest widgets in Python: the list filter forms' chrome.

Django renders each widget through templates: a ``<select>`` of 40 organisations is the select
template, then one include of the option template per choice, each looping over its attributes.
On a list page that is most of the filter form's time. ``FastWidgetRenderer`` takes the context
the widget itself built (``widget.get_context()``: the same names, values, attributes, selected
options and ``aria-*`` as always) and writes the markup of Django's own templates
(``django/forms/widgets/input.html``, ``select.html`` and ``select_option.html``), byte for byte,
whitespace included (``incubator/tests/test_widget_renderer.py`` compares them). Any other
template (radios, textareas, files, a project override...) goes to Django's templates as before.
"""

from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
# Templates that are ``{% include "django/forms/widgets/input.html" %}`` and nothing else.
INPUT_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "search",
        "tel",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "color",
        "checkbox",
    )
)
SELECT_TEMPLATE = f"{WIDGETS}select.html"
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"


def _string(value):
    """``{{ value|stringformat:'s' }}``: ``%s`` of the value, escaped unless already safe."""
    return value if isinstance(value, SafeData) else escape(f"{value}")


def _text(value):
    """``{{ value }}``: localised, then escaped unless safe."""
    return conditional_escape(localize(template_localtime(value)))


def _attrs(attrs):
    """``django/forms/widgets/attrs.html``: ``False`` left out, ``True`` as a bare name."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_input(widget):
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def render_select(widget):
    """``select.html``; None when an option has a template of its own."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            # The option template's own final newline stays: the select template adds its indent.
            parts.append(
                f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastWidgetRenderer(TemplatesSetting):
    """``TemplatesSetting`` (the project's ``FORM_RENDERER``) with inputs and selects written in
    Python, as long as the templates it stands for are Django's own (a project override of one
    of them is rendered as usual)."""

    def __init__(self):
        self._own = {}

    def is_djangos(self, template_name):
        if template_name not in self._own:
            origin = self.get_template(template_name).origin.name
            self._own[template_name] = origin.endswith(f"/django/forms/templates/{template_name}")
        return self._own[template_name]

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        html = None
        if widget is not None and template_name == widget.get("template_name"):
            if template_name in INPUT_TEMPLATES and self.is_djangos(template_name):
                html = render_input(widget)
            elif template_name == SELECT_TEMPLATE and self.is_djangos(template_name):
                html = render_select(widget)
        if html is None:
            return super().render(template_name, context, request=request)
        return mark_safe(html)  # noqa: S308 (every value above is escaped unless already safe)


RENDERER = FastWidgetRenderer()

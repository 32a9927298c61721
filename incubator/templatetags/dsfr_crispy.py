"""Helpers of the ``dsfr_crispy`` crispy-forms template pack (``templates/dsfr_crispy/``).

The templates own the markup. These helpers only do what the template language cannot: tell a
field's kind, render a widget with the DSFR class and ``aria-describedby`` merged into its own
attributes, render one option of a radio or checkbox group, and gather the error summary.

Ids follow one scheme, used by the templates too: the control has the field's ``auto_id``
(``id_email``), its help text ``<auto_id>_helptext`` (Django's own), its messages group
``<auto_id>-messages``, a fieldset legend ``<auto_id>-legend``.
"""

import copy

from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.translation import gettext

from ..dates import DateInput

register = template.Library()

# The error modifier DSFR puts on a control whose group is in error.
_ERROR_MODIFIERS = {"fr-input": "fr-input--error", "fr-select": "fr-select--error"}

# Classes crispy's Submit/Button/Reset/StrictButton carry for Bootstrap: dropped, DSFR ones added.
_BOOTSTRAP_BUTTON_CLASSES = {"btn", "btn-primary", "btn-secondary", "btn-inverse", "hidden"}


def messages_id(bound_field) -> str:
    return f"{bound_field.auto_id}-messages"


def helptext_id(bound_field) -> str:
    return f"{bound_field.auto_id}_helptext"


@register.filter
def dsfr_kind(bound_field) -> str:
    """Which DSFR component renders the field: input, password, textarea, select, checkbox,
    checkboxes, radios, file or hidden."""
    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    # CheckboxSelectMultiple is a RadioSelect and Select is the base of SelectMultiple: order matters.
    kinds = (
        (forms.CheckboxSelectMultiple, "checkboxes"),
        (forms.RadioSelect, "radios"),
        (forms.CheckboxInput, "checkbox"),
        (forms.Select, "select"),
        (forms.FileInput, "file"),
        (forms.PasswordInput, "password"),
        (forms.Textarea, "textarea"),
    )
    for widget_class, kind in kinds:
        if isinstance(widget, widget_class):
            return kind
    return "input"


def _widget_for_dsfr(widget):
    """The widget to render: a text date input becomes the core's date picker
    (``incubator.dates.DateInput``: ISO value, bounded to the date window), a clearable file
    input a bare one (the template draws the current file and the clear box)."""
    if isinstance(widget, forms.DateInput) and widget.input_type == "text":
        picker = DateInput(attrs=widget.attrs)
        picker.is_required, picker.is_localized = widget.is_required, widget.is_localized
        widget = picker
    elif isinstance(widget, forms.ClearableFileInput):
        widget = copy.copy(widget)
        widget.template_name = "django/forms/widgets/file.html"
    return widget


@register.simple_tag
def dsfr_control(bound_field, css_class=""):
    """The field's control with ``css_class`` (plus its ``--error`` modifier when the field has
    errors) added to the widget's own classes, and ``aria-describedby`` pointing to the
    widget's own description, the help text (when the template draws it outside the label)
    and the messages group."""
    widget = bound_field.field.widget
    classes = [widget.attrs.get("class", ""), css_class]
    if bound_field.errors and css_class:
        classes += [_ERROR_MODIFIERS[c] for c in css_class.split() if c in _ERROR_MODIFIERS]
    described_by = [widget.attrs.get("aria-describedby", "")]
    if bound_field.help_text and dsfr_kind(bound_field) != "checkbox":
        described_by.append(helptext_id(bound_field))
    described_by.append(messages_id(bound_field))
    attrs = {"aria-describedby": " ".join(filter(None, described_by))}
    if css_class := " ".join(filter(None, classes)):
        attrs["class"] = css_class
    return bound_field.as_widget(widget=_widget_for_dsfr(widget), attrs=attrs)


@register.simple_tag
def dsfr_option(bound_widget):
    """The bare ``<input>`` of one radio or checkbox of a group; the template draws the label.
    Its attributes (id, checked, required, aria-invalid) come from Django."""
    data = bound_widget.data
    value = "" if data["value"] is None else format_html(' value="{}"', data["value"])
    return format_html('<input type="{}" name="{}"{}{}>', data["type"], data["name"], value, flatatt(data["attrs"]))


@register.simple_tag
def dsfr_file_state(bound_field):
    """What the file template needs beyond the input: the current file (when it has a URL) and
    the clear checkbox of a ``ClearableFileInput`` on an optional field."""
    widget = bound_field.field.widget
    value = bound_field.value()
    current = value if value and getattr(value, "url", False) else None
    state = {"current": current, "can_clear": False}
    if isinstance(widget, forms.ClearableFileInput) and current and not bound_field.field.required:
        clear_name = widget.clear_checkbox_name(bound_field.html_name)
        state.update(
            can_clear=True,
            clear_name=clear_name,
            clear_id=widget.clear_checkbox_id(clear_name),
            clear_checked=bound_field.form.is_bound and clear_name in bound_field.form.data,
        )
    return state


@register.filter
def dsfr_has_required(form) -> bool:
    """Whether a visible field is required: the form then explains the asterisk."""
    return any(bound_field.field.required for bound_field in form.visible_fields())


def _anchor(bound_field) -> str:
    """The id a summary link targets: the control, or the first option of a group."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    subwidgets = bound_field.subwidgets
    return subwidgets[0].id_for_label if subwidgets else bound_field.auto_id


@register.simple_tag
def dsfr_error_summary(form):
    """``{"general": [messages], "fields": [{"anchor", "label", "errors"}]}`` for the summary at
    the top of a form. Hidden fields' errors count as general ones: there is nothing to link to."""
    general = list(form.non_field_errors())
    fields = []
    for bound_field in form:
        if not bound_field.errors:
            continue
        if bound_field.is_hidden:
            label_error = gettext("%(label)s: %(error)s")
            general += [
                label_error % {"label": bound_field.label, "error": error} if bound_field.label else error
                for error in bound_field.errors
            ]
        else:
            fields.append(
                {"anchor": _anchor(bound_field), "label": bound_field.label, "errors": list(bound_field.errors)}
            )
    return {"general": general, "fields": fields, "count": len(general) + len(fields)}


@register.filter
def dsfr_button_class(crispy_input) -> str:
    """DSFR classes for a crispy ``Submit``/``Button``/``Reset``: the primary button for a
    submit, a secondary one otherwise, plus the caller's own classes."""
    own = [c for c in crispy_input.field_classes.split() if c not in _BOOTSTRAP_BUTTON_CLASSES]
    base = ["fr-btn"] if crispy_input.input_type == "submit" else ["fr-btn", "fr-btn--secondary"]
    return " ".join(base + own)

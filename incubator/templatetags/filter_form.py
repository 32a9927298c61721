"""The list filter forms without crispy-forms: ``{% include "includes/_filter_form.html" %}``.

A filter form is redrawn on every list request. ``{{ form|crispy }}`` goes through crispy's
machinery and the pack's generic field template (a chain of ``{% if %}`` and nested includes per
field), and each widget through Django's widget templates (one include per ``<option>``). This
path draws the same DSFR markup (``templates/dsfr_crispy/``) with one small template per kind of
field, and its widgets with ``incubator.widget_renderer.FastWidgetRenderer``.
``portfolio/tests/test_filter_form.py`` renders every filter form both ways and compares them.
"""

from django import template

from ..widget_renderer import RENDERER
from .dsfr_crispy import dsfr_kind

register = template.Library()

# A kind of field (dsfr_crispy.dsfr_kind) -> its template; the others take the pack's own.
TEMPLATES = {
    "input": "includes/filter_fields/_input.html",
    "textarea": "includes/filter_fields/_input.html",
    "select": "includes/filter_fields/_select.html",
    "checkbox": "includes/filter_fields/_checkbox.html",
    "hidden": "includes/filter_fields/_hidden.html",
}
FALLBACK = "dsfr_crispy/field.html"


@register.filter
def fast_widgets(form):
    """The form, its widgets now written by the fast renderer."""
    form.renderer = RENDERER
    return form


@register.filter
def filter_field_template(bound_field):
    return TEMPLATES.get(dsfr_kind(bound_field), FALLBACK)

"""``{% render_blocks blocks %}``: the contributions of other apps (``incubator.registry.Block``), in order.

Each block's template renders with the page's context plus the block's own (as ``{% include %}``
would with ``with``): a "Mon espace" section, or the panels of one slot of a page.
"""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def render_blocks(context, blocks):
    parts = []
    for block in blocks or ():
        contribution = context.template.engine.get_template(block.template)
        with context.push(block.context):
            parts.append(contribution.render(context))
    # Each part is a template's output (autoescaped): joining them builds no markup of its own.
    return mark_safe("".join(parts))  # noqa: S308

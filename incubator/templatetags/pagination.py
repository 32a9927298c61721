"""The pages a list's pagination shows: the first and last, the current one and two either side,
with an ellipsis for the others (Django's elided range: cost independent of the page count)."""

from django import template

register = template.Library()


@register.simple_tag
def elided_page_range(page_obj):
    """The page numbers to link to, with ``paginator.ELLIPSIS`` where pages are left out."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1))

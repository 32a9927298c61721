"""``{% header_navigation as entries %}``: the header's entries for this request (``incubator.navigation``)."""

from django import template

from incubator import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def header_navigation(context):
    return navigation.for_request(context.get("request"))

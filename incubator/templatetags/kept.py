"""``{% kept "name" value... %}...{% endkept %}``: a piece of a page rendered once and kept in the
cache, for the same person, the same address and the same data.

Its key (``versions.page_key``, which a list's kept page of ids shares) holds, besides the name
and the values given (what the view computed that the piece shows: the call's pk, say):

- ``versions.WRITES``, which any write to the database replaces: a piece never outlives the rows
  it was drawn from;
- the hour (what the clock alone changes, an overdue date say, shows within the hour), the
  language, the address with its query (filters, page), and the person (``request.user.pk``),
  unless the tag ends with ``for_everyone`` (public facts only).

Only a GET (or HEAD) keeps or reads a piece: a form sent back with its errors draws them.

What is inside the tag is evaluated only when the piece is not kept: a view hands it lazy values
(querysets, callables) and saves their queries on a hit. The CSRF token is not kept: the piece is
drawn with a placeholder, replaced at each request by the request's own (masked anew, as Django
does). A cache outage costs the speed, never the page (``versions.kept``). Django's ``{% cache %}``
tag has none of this: no version, no person, the token kept, an outage raised into the page.
"""

import secrets

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from incubator import versions

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist, name, values, for_everyone):
        self.nodelist = nodelist
        self.name = name
        self.values = values
        self.for_everyone = for_everyone

    def render(self, context):
        request = context.get("request")
        person = not self.for_everyone
        values = [str(self.name.resolve(context)), *(repr(value.resolve(context)) for value in self.values)]
        key = versions.page_key(request, *values, person=person) if request is not None else None
        if key is None:  # a page drawn outside a view, a form sent back (not a GET), the cache out
            return self.nodelist.render(context)

        def draw():
            placeholder = secrets.token_hex(16)
            with context.push(csrf_token=placeholder):
                return placeholder, self.nodelist.render(context)

        placeholder, html = versions.kept(key, draw, settings.KEPT_FRAGMENT_TIMEOUT)
        if placeholder in html:
            html = html.replace(placeholder, str(context.get("csrf_token", "")))
        return mark_safe(html)  # noqa: S308 (our templates' output, escaped when drawn)


@register.tag
def kept(parser, token):
    bits = token.split_contents()
    for_everyone = bits[-1] == "for_everyone"
    if for_everyone:
        bits = bits[:-1]
    if len(bits) < 2:
        raise template.TemplateSyntaxError('{% kept %} needs a name: {% kept "name" value... [for_everyone] %}')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]], for_everyone
    )

"""htmx's configuration, given to it by ``<meta name="htmx-config">`` in the base template.

htmx reads the first such meta of the page when it starts; the base template writes it in the
``<head>``, ahead of anything a page renders, on every page (whether the page loads htmx or not,
so a page that starts using htmx is configured too). No inline script: the CSP forbids it.

The portal uses htmx for one thing (the application form's autosave: ``hx-post`` to the portal
itself, one status line swapped in). Everything else htmx can do is refused, so that markup that
would slip into a page cannot turn into requests or code.
"""

import json

from django import template
from django.utils.html import format_html

register = template.Library()

HTMX_CONFIG = {
    # No eval: no hx-on:*, no hx-vals/hx-headers "js:" values, no event filters ("[...]").
    "allowEval": False,
    # Swapped-in content never runs <script> elements.
    "allowScriptTags": False,
    # Requests only to the portal's own origin (htmx 2's default, written down).
    "selfRequestsOnly": True,
    # No history snapshots: the portal pushes no URL, and a snapshot of a page (an application
    # with personal data) would be kept in the browser's sessionStorage.
    "historyEnabled": False,
    "historyCacheSize": 0,
    # htmx's indicator styles are an inline <style>: the CSP refuses them.
    "includeIndicatorStyles": False,
    # htmx 2's answer handling, plus a 413 (a request too large) swapped in like a success:
    # the autosave's status line then says what was refused instead of keeping its last time.
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "413", "swap": True, "error": False},
        {"code": "[23]..", "swap": True},
        {"code": "[45]..", "swap": False, "error": True},
        {"code": "...", "swap": False},
    ],
}


@register.simple_tag
def htmx_config_meta():
    """The ``<meta name="htmx-config">`` of ``HTMX_CONFIG`` (JSON, escaped into the attribute)."""
    return format_html('<meta name="htmx-config" content="{}">', json.dumps(HTMX_CONFIG, separators=(",", ":")))

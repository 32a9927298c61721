"""Reading rendered HTML in tests, with Django's own parser (``django.test.html``)."""

from django.test.html import Element, parse_html


def elements(html_or_node):
    """Every element of an HTML string (or under a parsed node), in document order."""
    node = parse_html(html_or_node) if isinstance(html_or_node, str) else html_or_node
    found = [node] if isinstance(node, Element) and node.name else []
    for child in node.children:
        if isinstance(child, Element):
            found += elements(child)
    return found


def text(node):
    """The node's text, whitespace collapsed."""
    parts = [child if isinstance(child, str) else text(child) for child in node.children]
    return " ".join(" ".join(parts).split())


def attrs(element):
    return dict(element.attributes)


def classes(element):
    return set((attrs(element).get("class") or "").split())


def by_id(found, element_id):
    [element] = [e for e in found if attrs(e).get("id") == element_id]
    return element


def controls(found):
    """The fields a person fills in: inputs (but hidden ones and buttons), selects, textareas."""
    return [
        e
        for e in found
        if e.name in {"input", "select", "textarea"} and attrs(e).get("type") not in {"hidden", "submit", "button"}
    ]


def unlabelled(found):
    """Names (or ids) of the controls no ``<label for>`` points to."""
    labelled = {attrs(e).get("for") for e in found if e.name == "label"}
    return [attrs(c).get("name") or attrs(c).get("id") for c in controls(found) if attrs(c).get("id") not in labelled]


def error_summary(found):
    """(texts of the items, hrefs of the links) of the one DSFR error summary."""
    [summary] = [e for e in found if {"fr-alert", "fr-alert--error"} <= classes(e)]
    inside = elements(summary)
    return [text(e) for e in inside if e.name == "li"], [attrs(e)["href"] for e in inside if e.name == "a"]


def main(response):
    """The page's ``<main>`` element as HTML (its links and controls, without the header's)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>") + len("</main>")]

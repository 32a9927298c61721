import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "h5", "blockquote", "code", "pre"}


@register.filter
def markdown(text):
    """Markdown typed by a team, rendered and sanitised (no raw HTML, no script, safe links).

    Headings are shifted down so that the page keeps a single h1 and its h2 sections.
    """
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    for level in (4, 3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener")
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 just above)

"""The portal's one Markdown renderer: rendered once, at save, in linear time, sanitised
(docs/decisions/0004-markdown-rendered-on-save.md).

``render_markdown(text)`` turns the Markdown a team or a manager typed into HTML that is safe to
print as is:

* markdown-it-py in CommonMark mode parses it. Its cost is linear in the size of the text, also
  on the pathological shapes that make other parsers quadratic (runs of ``[``, ``*``, backticks,
  nested brackets; see bench/markdown.py). Raw HTML in the source is not interpreted
  (``html=False``): ``<script>`` comes out as the text ``&lt;script&gt;``. Blocks nest at most 20
  deep (markdown-it's ``maxNesting``): what a 21st ``>`` or list level holds is not shown.
* Headings move down two levels (``#`` becomes ``h3``, capped at ``h6``) so that a page keeps its
  single ``h1`` and its ``h2`` sections.
* Images are not shown: their alt text stays, as text. The Content-Security-Policy only allows
  images from the portal itself, and a remote image would tell a third party who reads the page
  (docs/architecture.md, "Personal data": no trackers); nobody uploads images for a description.
* nh3 then keeps only an allow-list of tags and attributes. Links keep ``href`` and ``title``,
  get ``rel="noopener noreferrer nofollow"``, and only the http, https and mailto schemes survive
  (markdown-it leaves a ``javascript:`` or ``data:`` link as text, nh3 strips the ``href`` of any
  other scheme; relative links stay).

The models that hold Markdown store the result next to the source (``RenderedMarkdownMixin``), so
a page prints stored HTML and never parses Markdown while it answers a request.
"""

import nh3
from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
HEADING_SHIFT = 2
# The longest Markdown source a form accepts, in characters: about ten pages of text, far more
# than a product sheet or a call needs, and a bound on the work of one save (at most about 0.2 s
# on the worst shapes, bench/README.md).
MARKDOWN_MAX_LENGTH = 20_000


def _shift_headings(state):
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"


def _image_as_alt_text(renderer, tokens, idx, options, env):
    return escapeHtml(renderer.renderInlineAsText(tokens[idx].children or [], options, env))


def _parser():
    md = MarkdownIt("commonmark", {"html": False})
    md.core.ruler.push("shift_headings", _shift_headings)
    md.add_render_rule("image", _image_as_alt_text)
    return md


_md = _parser()


def render_markdown(text):
    """The sanitised HTML of a Markdown text (a plain ``str``; empty for an empty text)."""
    if not text:
        return ""
    return nh3.clean(
        _md.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


class MarkdownFormField(forms.CharField):
    """A Markdown textarea. Browsers count a line break as one character against ``maxlength`` but
    send it as CRLF: the field reads it as LF, so the server counts what the browser counted."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class MarkdownField(models.TextField):
    """A Markdown source: at most ``MARKDOWN_MAX_LENGTH`` characters, checked by the model's
    validation and by its form field (whose textarea gets the ``maxlength`` attribute)."""

    def __init__(self, *args, max_length=MARKDOWN_MAX_LENGTH, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MarkdownFormField, **kwargs})


class RenderedMarkdownMixin:
    """Model mixin: on save, fills ``<name>_html`` with ``render_markdown(<name>)`` for each name.

    List the Markdown fields (``MarkdownField``) in ``markdown_fields``; each needs a
    ``<name>_html`` TextField next to it. Templates print ``obj.rendered.<name>``, never the
    source through a filter. Every writer that calls ``save()`` (forms, admin, services, demo
    data) gets the HTML; a save with ``update_fields`` renders only the sources it names, and
    saves their HTML with them. ``QuerySet.update()`` and ``bulk_create()`` skip ``save()``:
    render with ``render_markdown`` there.
    """

    markdown_fields = ()

    @property
    def rendered(self):
        """The stored HTML of each Markdown field, ready to print: ``{{ startup.rendered.description }}``."""
        # Safe: each value is render_markdown's sanitised output, written by save().
        return {name: mark_safe(getattr(self, f"{name}_html")) for name in self.markdown_fields}  # noqa: S308

    def save(self, **kwargs):
        update_fields = kwargs.get("update_fields")
        for name in self.markdown_fields:
            if update_fields is None or name in update_fields:
                setattr(self, f"{name}_html", render_markdown(getattr(self, name)))
                if update_fields is not None:
                    kwargs["update_fields"] = update_fields = {*update_fields, f"{name}_html"}
        super().save(**kwargs)

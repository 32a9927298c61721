"""Descriptions: one linear-time renderer, run on save, sanitised; pages print the stored HTML."""

import importlib
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from markdown_it import MarkdownIt

from incubator import markdown
from incubator.markdown import MARKDOWN_MAX_LENGTH, render_markdown
from portfolio.models import Startup

HREF = re.compile(r'href="([^"]*)"')


def test_renderer_is_markdown_it_in_commonmark_mode_without_raw_html():
    assert isinstance(markdown._md, MarkdownIt)
    assert markdown._md.options["html"] is False
    assert "table" not in markdown._md.get_active_rules()["block"]  # CommonMark preset: no GFM tables


def test_renderer_takes_100_kb_of_brackets_as_plain_text():
    html = render_markdown("[" * 100_000)

    assert html == "<p>" + "[" * 100_000 + "</p>\n"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        "![[" * 7_000,
        "[a](" * 5_000,
        "*a" * 10_000,
        "<a &" * 5_000,
        "> " * 10_000,
    ],
    ids=["nested-brackets", "images", "open-links", "emphasis", "html", "blockquotes"],
)
def test_renderer_takes_pathological_shapes_and_keeps_them_inert(text):
    html = render_markdown(text)

    assert "<a " not in html
    assert "<img" not in html
    assert html.startswith(("<p>", "<blockquote>"))


def test_raw_html_is_shown_as_text_never_run():
    html = render_markdown(
        '<script>alert(1)</script>\n\nTexte <img src=x onerror="alert(2)"> et <a href="javascript:alert(3)">lien</a>'
    )

    assert "<script" not in html
    assert "<img" not in html
    assert "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "[clic](java&#x09;script:alert(1))",
        "[clic](vbscript:msgbox(1))",
        "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        "[clic][ref]\n\n[ref]: javascript:alert(1)",
        "[clic](ftp://example.org/fichier)",
    ],
)
def test_links_keep_only_http_https_and_mailto(text):
    html = render_markdown(text)

    # As a browser reads an address: tabs and line breaks removed, then the scheme (none: relative).
    schemes = {urlsplit(re.sub(r"[\t\n\r]", "", href)).scheme for href in HREF.findall(html)}
    assert schemes <= {""}


def test_links_are_kept_with_rel_nofollow():
    html = render_markdown(
        '[site](https://beta.gouv.fr "Titre") [doc](http://example.org) [mail](mailto:equipe@beta.gouv.fr) '
        "[page](/produits/autre/) <https://auto.example.org>"
    )

    assert HREF.findall(html) == [
        "https://beta.gouv.fr",
        "http://example.org",
        "mailto:equipe@beta.gouv.fr",
        "/produits/autre/",
        "https://auto.example.org",
    ]
    assert html.count('rel="noopener noreferrer nofollow"') == 5
    assert 'title="Titre"' in html


def test_images_are_dropped_and_their_alt_text_kept():
    html = render_markdown("Voir ![le *logo* du produit](https://traceur.example/pixel.png) ici.")

    assert html == "<p>Voir le logo du produit ici.</p>\n"


def test_headings_move_down_two_levels_below_the_page_sections():
    html = render_markdown("# Contexte\n\n## Problème\n\n#### Détail\n\n###### Note")

    assert html == "<h3>Contexte</h3>\n<h4>Problème</h4>\n<h6>Détail</h6>\n<h6>Note</h6>\n"


def test_kept_markup_has_no_attributes_beyond_the_allow_list():
    html = render_markdown("```js\ncode()\n```\n\n3. trois\n4. quatre\n\n---\n\n> **cité** _ici_ `x`")

    assert html == (
        "<pre><code>code()\n</code></pre>\n"
        '<ol start="3">\n<li>trois</li>\n<li>quatre</li>\n</ol>\n'
        "<hr>\n"
        "<blockquote>\n<p><strong>cité</strong> <em>ici</em> <code>x</code></p>\n</blockquote>\n"
    )


@pytest.mark.django_db
def test_saving_a_product_stores_its_rendered_description(startup_a):
    startup_a.description = "Les **agents** perdent du temps."
    startup_a.save()

    assert (
        Startup.objects.get(pk=startup_a.pk).description_html
        == "<p>Les <strong>agents</strong> perdent du temps.</p>\n"
    )


@pytest.mark.django_db
def test_a_save_with_update_fields_renders_only_when_it_saves_the_description(startup_a):
    startup_a.description = "*un*"
    startup_a.save(update_fields=["description"])
    startup_a.description = "*deux*"
    startup_a.save(update_fields=["name"])

    stored = Startup.objects.get(pk=startup_a.pk)
    assert (stored.description, stored.description_html) == ("*un*", "<p><em>un</em></p>\n")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["public", "manager"])
def test_product_pages_print_the_stored_html_and_do_not_render_at_request_time(client, member_a, startup_a, page):
    startup_a.description = "**source**"
    startup_a.save()
    Startup.objects.filter(pk=startup_a.pk).update(description_html="<p>HTML <em>enregistré</em></p>")
    if page == "manager":
        client.force_login(member_a)

    response = client.get(startup_a.get_public_url() if page == "public" else startup_a.get_absolute_url())

    assert '<div class="portal-prose"><p>HTML <em>enregistré</em></p></div>' in response.text
    assert "<strong>source</strong>" not in response.text


@pytest.mark.django_db
def test_public_page_neutralises_a_javascript_link_of_a_description(client, startup_a):
    startup_a.description = '[x](javascript:alert(2)) <a href="javascript:alert(3)">y</a>'
    startup_a.save()

    response = client.get(startup_a.get_public_url())

    assert re.search(r"<a [^>]*javascript", response.text) is None
    assert '&lt;a href="javascript:alert(3)"&gt;y&lt;/a&gt;' in response.text  # text, not a tag


def sheet(description):
    return {
        "name": "Produit A",
        "pitch": "Pitch",
        "description": description,
        "accessibility_status": "non-conforme",
        "dsfr_status": "non",
    }


@pytest.mark.django_db
def test_sheet_form_refuses_a_description_over_the_limit_in_french_and_keeps_it(client, member_a, startup_a):
    client.force_login(member_a)
    typed = "é" * (MARKDOWN_MAX_LENGTH + 1)

    response = client.post(reverse("portfolio:startup_update", kwargs={"slug": startup_a.slug}), sheet(typed))

    assert response.status_code == 200
    assert "Assurez-vous que cette valeur comporte au plus 20000 caractères (actuellement 20001)." in response.text
    assert f">\n{typed}</textarea>" in response.text or f">{typed}</textarea>" in response.text
    assert Startup.objects.get(pk=startup_a.pk).description == ""


@pytest.mark.django_db
def test_sheet_form_limits_the_textarea_and_counts_a_line_break_as_the_browser_does(client, member_a, startup_a):
    client.force_login(member_a)
    url = reverse("portfolio:startup_update", kwargs={"slug": startup_a.slug})
    typed = ("a" * 99 + "\r\n") * 200  # 20,000 characters in the browser, 20,200 as sent

    page = client.get(url)
    response = client.post(url, sheet(typed))

    assert 'maxlength="20000"' in page.text
    assert response.status_code == 302
    stored = Startup.objects.get(pk=startup_a.pk)
    assert stored.description == typed.replace("\r\n", "\n").strip()
    assert stored.description_html.startswith("<p>" + "a" * 99 + "\n")


@pytest.mark.django_db
def test_model_validation_refuses_a_description_over_the_limit(startup_a):
    startup_a.description = "a" * (MARKDOWN_MAX_LENGTH + 1)

    with pytest.raises(ValidationError) as refused:
        startup_a.full_clean()

    assert list(refused.value.message_dict) == ["description"]


@pytest.mark.django_db
def test_data_migration_renders_the_existing_descriptions(startup_a):
    Startup.objects.filter(pk=startup_a.pk).update(description="## Contexte", description_html="")
    migration = importlib.import_module("portfolio.migrations.0003_markdown_html")

    migration.render_descriptions(apps, schema_editor=None)

    assert Startup.objects.get(pk=startup_a.pk).description_html == "<h4>Contexte</h4>\n"

"""The steering pages' French: the dashboard's name (no preposition before an incubator's name,
which may begin with an article), the funnel's own labels, the spacing of Mon espace's sections."""

import itertools

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from calls.models import Application
from calls.tiles import STAGE_LABELS
from committees.tests.factories import CommitteeFactory
from incubator.tests.dsfr_html import attrs, classes, elements, main, text
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db


def test_dashboard_is_named_without_a_preposition_before_the_incubator(sign_in, incubator_a, member_a):
    incubator_a.title = "Le département Accompagnement"
    incubator_a.save(update_fields=["title"])
    client = sign_in(member_a)
    named = _("Dashboard — %(name)s") % {"name": "Le département Accompagnement"}

    page = elements(main(client.get(reverse("portfolio:dashboard", args=[incubator_a.slug]))))
    my_space = elements(main(client.get(reverse("incubator:my_space"))))

    [h1] = [e for e in page if e.name == "h1"]
    assert text(h1) == named
    assert [text(e) for e in page if attrs(e).get("aria-current") == "page"] == [named]  # the breadcrumb
    assert named in [text(e) for e in my_space if e.name == "a"]


def test_call_funnel_has_plural_labels_of_its_own():
    statuses = {str(label) for label in Application.Status.labels}
    assert not statuses & {str(label) for label in STAGE_LABELS.values()}


def test_every_section_of_my_space_is_spaced_from_the_next(sign_in, network_admin):
    page = elements(main(sign_in(network_admin).get(reverse("incubator:my_space"))))

    spaced = [
        text(child)
        for section in page
        if section.name == "section" and "fr-mb-4w" in classes(section)
        for child in section.children
        if getattr(child, "name", "") == "h2"
    ]
    for heading in (_("My incubators"), _("Steering"), _("Calls for intrapreneurs"), _("My account")):
        assert heading in spaced


def unspaced_lists(response):
    """The lists directly followed by a heading, without the bottom margin that parts them."""
    found = []
    for parent in elements(main(response)):
        siblings = [child for child in parent.children if getattr(child, "name", None)]
        for before, after in itertools.pairwise(siblings):
            if after.name == "h2" and before.name in ("ul", "ol", "dl") and "fr-mb-4w" not in classes(before):
                found.append(f"{before.name} before {text(after)}")
    return found


def test_product_and_committee_pages_part_a_list_from_the_next_section(sign_in, incubator_a, member_a):
    startup = StartupFactory(incubator=incubator_a)
    committee = CommitteeFactory(startup=startup)
    client = sign_in(member_a)

    assert unspaced_lists(client.get(startup.get_absolute_url())) == []
    assert unspaced_lists(client.get(committee.get_absolute_url())) == []
    assert unspaced_lists(client.get(reverse("incubator:my_space"))) == []

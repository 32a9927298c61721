"""The scorecard on the committee page (issue 11, item 7): committees declares the page
(``committees/contributions.py``), the standards register a panel on it by its name, without
importing committees. Who sees it (an access table), what it says, its query count."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import ngettext

from committees.tests.factories import CommitteeFactory, invite_outside_attendee
from incubator import registry
from incubator.tests.factories import UserFactory
from standards.contributions import COMMITTEE_PAGE
from standards.models import ProductStandard, Status
from standards.tests.conftest import make_current_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(startup_a):
    return CommitteeFactory(startup=startup_a)


def test_the_committee_page_is_declared_by_committees_before_the_standards_register_on_it():
    apps = list(settings.INSTALLED_APPS)

    assert apps.index("committees") < apps.index("standards")
    assert "main_after_indicators" in registry.page_slots(COMMITTEE_PAGE)
    assert [panel.key for panel in registry.panels(COMMITTEE_PAGE)] == ["standards_scorecard"]


@pytest.mark.parametrize(
    ("persona", "status", "shown"),
    [
        ("anonymous", 302, False),  # to the sign-in page
        ("team_member", 200, True),
        ("attendee", 200, False),  # invited by email: reads the committee, not the product
        ("coach_a", 404, False),  # reads the product, not its committees
        ("member_a", 200, True),
        ("member_b", 404, False),
        ("network_admin", 200, True),
    ],
)
def test_the_scorecard_panel_access(client, people, committee, criteria, persona, status, shown):
    ProductStandard.objects.create(
        startup=committee.startup, standard=criteria[0], status=Status.DONE, evidence_url="https://a11y.example.fr"
    )
    users = {**people, "attendee": UserFactory(email="invitee@ministere.example.fr")}
    invite_outside_attendee(committee)
    if users[persona]:
        client.force_login(users[persona])

    response = client.get(committee.get_absolute_url())

    assert response.status_code == status
    assert ('id="standards"' in response.text) is shown
    assert ("https://a11y.example.fr" in response.text) is shown


def test_the_panel_says_what_the_committee_still_waits_for(client, member_a, committee, criteria):
    ProductStandard.objects.create(
        startup=committee.startup, standard=criteria[0], status=Status.DONE, evidence_url="https://a11y.example.fr"
    )
    ProductStandard.objects.create(startup=committee.startup, standard=criteria[1], status=Status.NOT_APPLICABLE)
    client.force_login(member_a)

    response = client.get(committee.get_absolute_url())

    missing = len(criteria) - 2
    text = response.text
    panel = text.split('<h2 id="standards">')[1]
    expected = ngettext(
        "%(counter)s criterion is neither done nor marked not applicable.",
        "%(counter)s criteria are neither done nor marked not applicable.",
        missing,
    ) % {"counter": missing}
    assert expected in panel  # template text (blocktranslate): not escaped
    assert f'id="standard-{criteria[0].key}"' in panel
    assert reverse("standards:scorecard_edit", kwargs={"slug": committee.startup.slug}) in panel
    assert text.count("<h1") == 1


def test_the_team_gets_the_link_to_update_the_standards(client, team_member, committee, criteria):
    client.force_login(team_member)

    response = client.get(committee.get_absolute_url())

    assert 'id="standards-edit"' in response.text


@pytest.mark.parametrize("count", [1, 30])
def test_the_committee_page_query_count_with_1_and_30_criteria(
    client, member_a, committee, django_assert_num_queries, count
):
    criteria = make_current_version(count)
    for criterion in criteria:
        ProductStandard.objects.create(startup=committee.startup, standard=criterion, status=Status.IN_PROGRESS)
    client.force_login(member_a)

    with django_assert_num_queries(11):  # committees/tests/test_pages.py counts them
        response = client.get(committee.get_absolute_url())

    assert response.text.count('id="standard-') == count

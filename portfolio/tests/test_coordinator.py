"""The network coordinator (issue 13, "Steering"): reads every incubator's portfolio, committees
and steering figures, changes nothing. An access table of the pages they read (200, no edit link
or form on them), a survey of every django-rules permission (all refused but the reads), and real
POSTs that are refused and change nothing."""

import datetime
from urllib.parse import urlsplit

import pytest
import rules
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.tests.factories import ApplicationFactory, CallFactory
from committees.models import Committee, Decision
from committees.tests.factories import CommitteeFactory, paris
from community.tests.factories import EventFactory, ResourceRequestFactory
from incubator.models import Incubator
from incubator.tests.access import assert_status
from incubator.tests.dsfr_html import attrs, elements, main
from incubator.tests.factories import UserFactory
from portfolio.models import Phase, Startup
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

# The permissions a coordinator holds: the reads. Every other one stays False for them.
READS = {"portfolio.view_cockpit"}
TODAY = datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)


@pytest.fixture
def coordinator(db):
    return UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True)


@pytest.fixture
def startup_b(incubator_b):
    return StartupFactory(slug="produit-b", name="Produit B", incubator=incubator_b)


@pytest.fixture
def committee_a(startup_a):
    """A committee of product A two days ago, still planned: its decision is to be recorded."""
    return CommitteeFactory(startup=startup_a, scheduled_at=paris(timezone.localdate() - datetime.timedelta(days=2)))


# What a coordinator reads -------------------------------------------------------------------------

PAGES = {
    "cockpit": lambda a, b, committee: reverse("portfolio:cockpit"),
    "cockpit_csv": lambda a, b, committee: reverse("portfolio:cockpit_csv", args=["comparaison"]),
    "as_of": lambda a, b, committee: reverse("portfolio:as_of") + "?date=2025-06-01",
    "data_quality": lambda a, b, committee: reverse("portfolio:data_quality"),
    "dashboard_a": lambda a, b, committee: reverse("portfolio:dashboard", args=[a.incubator.slug]),
    "dashboard_b": lambda a, b, committee: reverse("portfolio:dashboard", args=[b.incubator.slug]),
    "portfolio_list": lambda a, b, committee: reverse("portfolio:startup_list"),
    "product_a": lambda a, b, committee: a.get_absolute_url(),
    "product_b": lambda a, b, committee: b.get_absolute_url(),
    "committee_list": lambda a, b, committee: reverse("committees:committee_list"),
    "committee_a": lambda a, b, committee: committee.get_absolute_url(),
}


@pytest.mark.parametrize("page", PAGES)
def test_the_coordinator_reads_every_steering_page_product_and_committee(
    sign_in, coordinator, startup_a, startup_b, committee_a, page
):
    response = sign_in(coordinator).get(PAGES[page](startup_a, startup_b, committee_a))

    assert response.status_code == 200


@pytest.mark.parametrize("page", ["cockpit", "as_of", "data_quality"])
def test_every_link_of_the_cockpit_pages_opens_for_the_coordinator(
    sign_in, coordinator, startup_a, startup_b, committee_a, page
):
    client = sign_in(coordinator)
    response = client.get(PAGES[page](startup_a, startup_b, committee_a))
    links = {attrs(a)["href"] for a in elements(main(response)) if attrs(a).get("href", "").startswith("/")}

    # One link a page (the permission is the view's; the filters' links differ by their query only).
    pages = {urlsplit(url).path: url for url in sorted(links)}
    statuses = {url: client.get(url).status_code for url in pages.values()}

    assert statuses
    assert {url: status for url, status in statuses.items() if status != 200} == {}


@time_machine.travel(TODAY, tick=False)
def test_the_coordinators_committee_figures_open_the_committees_they_count(
    sign_in, coordinator, incubator_a, incubator_b
):
    """The compliance's and the budget's links go to the calendar, which lists every committee for
    a coordinator: exactly those the figures count, A's only on A's dashboard."""
    month_ago = TODAY - datetime.timedelta(days=30)
    twice = StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
    for startup, budget in [(twice, 1000), (twice, 200), (StartupFactory(incubator=incubator_a), 30)]:
        CommitteeFactory(startup=startup, status=Committee.Status.HELD, scheduled_at=month_ago, requested_budget=budget)
    CommitteeFactory(
        startup=StartupFactory(incubator=incubator_b), status=Committee.Status.HELD, scheduled_at=month_ago
    )
    client = sign_in(coordinator)

    page = client.get(reverse("portfolio:dashboard", args=[incubator_a.slug]))
    found = {figure.tile.key: figure.chart for figure in page.context["charted"]}

    label = _("With a committee held in the last 6 months")
    [(_label, url, (compliant,))] = [row for row in found["committee_compliance"].table_rows if row[0] == label]
    held = list(client.get(url).context["committees"])
    assert compliant == len({committee.startup_id for committee in held}) == 2
    assert {committee.startup.incubator_id for committee in held} == {incubator_a.pk}
    months = [row for row in found["committee_budget"].table_rows if row[2][0]]
    assert [values[0] for _label, _url, values in months] == [1230]
    [(_label, url, _values)] = months
    assert sum(committee.requested_budget for committee in client.get(url).context["committees"]) == 1230


def test_the_coordinator_lists_every_product_committee_and_incubator(
    coordinator, incubator_a, incubator_b, startup_a, startup_b, committee_a
):
    CommitteeFactory(startup=startup_b)

    assert set(Startup.objects.visible_to(coordinator)) == {startup_a, startup_b}
    assert Committee.objects.visible_to(coordinator).count() == Committee.objects.count() == 2
    assert set(Incubator.objects.visible_to(coordinator)) == {incubator_a, incubator_b}


def test_an_inactive_coordinator_reads_nothing(coordinator, startup_a, committee_a):
    coordinator.is_active = False

    assert not coordinator.reads_network
    assert not Startup.objects.visible_to(coordinator).exists()
    assert not Committee.objects.visible_to(coordinator).exists()
    assert rules.has_perm("portfolio.view_cockpit", coordinator) is False


def write_links(response):
    """The hrefs and form actions of the page's main content, and the methods of its forms."""
    found = elements(main(response))
    links = {attrs(a).get("href", "") for a in found if a.name == "a"}
    actions = {attrs(form).get("action", "") for form in found if form.name == "form"}
    methods = {(attrs(form).get("method") or "get").lower() for form in found if form.name == "form"}
    return links | actions, methods


def product_write_urls(startup):
    slug = {"slug": startup.slug}
    return {
        *(reverse(f"portfolio:{name}", kwargs=slug) for name in ("startup_update", "phase_change", "team_add")),
        *(reverse(f"portfolio:{name}", kwargs=slug) for name in ("event_add", "indicator_add")),
        reverse("committees:committee_plan", kwargs=slug),
        reverse("committees:due_date", kwargs=slug),
        reverse("standards:scorecard_edit", kwargs=slug),
    }


def committee_write_urls(committee):
    names = ("decision", "document_add", "committee_cancel", "follow_up")
    return {reverse(f"committees:{name}", kwargs={"pk": committee.pk}) for name in names}


@pytest.mark.parametrize("page", ["product", "committee"])
def test_the_product_and_committee_pages_offer_the_coordinator_no_change(
    sign_in, coordinator, member_a, startup_a, committee_a, page
):
    url, writes = {
        "product": (startup_a.get_absolute_url(), product_write_urls(startup_a)),
        "committee": (committee_a.get_absolute_url(), committee_write_urls(committee_a)),
    }[page]

    managers_links, _methods = write_links(sign_in(member_a).get(url))
    coordinators_links, methods = write_links(sign_in(coordinator).get(url))

    assert managers_links & writes  # the manager's page has them: the survey can fail
    assert coordinators_links & writes == set()
    assert "post" not in methods


# What a coordinator may not do ------------------------------------------------------------------


@pytest.fixture
def objects_of_a(incubator_a, startup_a, committee_a):
    """The object each registered permission is asked about: one of incubator A's (None: the
    permission is asked without one)."""
    request = ResourceRequestFactory(startup=startup_a)
    return {
        "incubator.change_incubator": incubator_a,
        "portfolio.add_startup": None,
        "portfolio.change_phase": startup_a,
        "portfolio.change_startup": startup_a,
        "portfolio.view_cockpit": None,
        "committees.plan_committee": startup_a,
        "committees.change_committee_due": startup_a,
        "committees.manage_committee": committee_a,
        "committees.record_decision": committee_a,
        "committees.cancel_committee": committee_a,
        "committees.add_document": committee_a,
        "calls.manage_calls": None,
        "calls.manage_call": CallFactory(incubator=incubator_a),
        "community.request_for_startup": startup_a,
        "community.request_for_incubator": incubator_a,
        "community.handle_request": request,
        "community.see_attendance": EventFactory(audience_incubator=incubator_a),
        "standards.change_scorecard": startup_a,
    }


def survey(user, objects):
    return {name: rules.has_perm(name, user, obj) for name, obj in objects.items()}


def test_the_survey_covers_every_registered_permission(objects_of_a):
    assert set(objects_of_a) == set(rules.permissions.permissions)
    assert set(objects_of_a) >= READS


def test_every_permission_but_the_reads_is_refused_to_the_coordinator(coordinator, network_admin, objects_of_a):
    # The same objects give the network admin every permission: the survey asks real questions.
    assert survey(network_admin, objects_of_a) == dict.fromkeys(objects_of_a, True)
    assert survey(AnonymousUser(), objects_of_a) == dict.fromkeys(objects_of_a, False)

    assert survey(coordinator, objects_of_a) == {name: name in READS for name in objects_of_a}


def test_the_calls_applications_and_the_community_handling_are_not_the_coordinators(sign_in, coordinator, incubator_a):
    call = CallFactory(incubator=incubator_a)
    application = ApplicationFactory(call=call)
    client = sign_in(coordinator)

    statuses = {
        name: client.get(url).status_code
        for name, url in {
            "calls": reverse("calls:manage_call_list"),
            "applications": reverse("calls:manage_application_list"),
            "call": reverse("calls:manage_call", kwargs={"slug": call.slug}),
            "application": reverse("calls:manage_application", kwargs={"pk": application.pk}),
            "queue": reverse("community:queue"),
        }.items()
    }

    # The lists refused (403), a call and an application out of their scope (404): no applicants' data.
    assert statuses == {"calls": 403, "applications": 403, "call": 404, "application": 404, "queue": 403}


def test_every_edit_page_of_a_product_and_a_committee_is_refused_to_the_coordinator(
    sign_in, coordinator, startup_a, committee_a
):
    client = sign_in(coordinator)
    create = reverse("portfolio:startup_create")

    statuses = {url: client.get(url).status_code for url in sorted(product_write_urls(startup_a) | {create})}
    statuses |= {url: client.get(url).status_code for url in sorted(committee_write_urls(committee_a))}

    post_only = reverse("committees:follow_up", kwargs={"pk": committee_a.pk})  # a GET: 405, before any rule
    assert statuses == {url: 405 if url == post_only else 403 for url in statuses}


def test_the_coordinator_has_no_django_admin(sign_in, coordinator):
    response = sign_in(coordinator).get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("who", "expected", "moved"), [("coordinator", 403, False), ("member_a", 302, True), ("member_b", 404, False)]
)
def test_a_phase_change_by_the_coordinator_is_refused_and_moves_nothing(
    sign_in, coordinator, member_a, member_b, startup_a, who, expected, moved
):
    user = {"coordinator": coordinator, "member_a": member_a, "member_b": member_b}[who]

    response = sign_in(user).post(
        reverse("portfolio:phase_change", kwargs={"slug": startup_a.slug}),
        {"phase": "acceleration", "start": "2025-09-01", "reason": ""},
    )

    assert_status(response, expected)
    startup_a.refresh_from_db()
    assert startup_a.phase == (Phase.ACCELERATION if moved else Phase.CONSTRUCTION)
    assert startup_a.periods.count() == (2 if moved else 1)


def test_the_coordinators_other_product_posts_are_refused_and_change_nothing(sign_in, coordinator, startup_a):
    client = sign_in(coordinator)
    slug = {"slug": startup_a.slug}
    updated_at = startup_a.updated_at

    sheet = client.post(reverse("portfolio:startup_update", kwargs=slug), {"name": "Renommé", "pitch": "Autre"})
    team = client.post(
        reverse("portfolio:team_add", kwargs=slug),
        {"email": "nouvelle@example.gouv.fr", "name": "Nouvelle Recrue", "role": "developer", "start": "2025-02-01"},
    )
    plan = client.post(reverse("committees:committee_plan", kwargs=slug), {"kind": "periodic"})

    assert [sheet.status_code, team.status_code, plan.status_code] == [403, 403, 403]
    startup = Startup.objects.get(pk=startup_a.pk)
    assert (startup.name, startup.updated_at) == ("Produit A", updated_at)
    assert not startup.team.filter(name="Nouvelle Recrue").exists()
    assert not startup.committees.exists()


def test_a_committee_decision_or_cancellation_by_the_coordinator_is_refused_and_changes_nothing(
    sign_in, coordinator, committee_a
):
    client = sign_in(coordinator)
    decision = {
        "outcome": "continue",
        "next_phase": "",
        "decided_on": committee_a.local_date.isoformat(),
        "granted_amount": "200000",
        "granted_months": "6",
        "minutes": "Poursuite validée.",
    }

    decided = client.post(reverse("committees:decision", kwargs={"pk": committee_a.pk}), decision)
    cancelled = client.post(reverse("committees:committee_cancel", kwargs={"pk": committee_a.pk}))

    assert [decided.status_code, cancelled.status_code] == [403, 403]
    assert not Decision.objects.filter(committee=committee_a).exists()
    assert Committee.objects.get(pk=committee_a.pk).status == Committee.Status.PLANNED


@pytest.mark.parametrize("page", ["dashboard", "cockpit"])
def test_the_steering_pages_answer_the_coordinators_post_with_a_405_and_change_nothing(
    sign_in, coordinator, incubator_a, startup_a, page
):
    url = reverse("portfolio:cockpit")
    if page == "dashboard":
        url = reverse("portfolio:dashboard", args=[incubator_a.slug])
    before = list(Startup.objects.values_list("pk", "phase", "updated_at"))

    response = sign_in(coordinator).post(url, {"phase": "acceleration"})

    assert response.status_code == 405
    assert list(Startup.objects.values_list("pk", "phase", "updated_at")) == before


# Where the coordinator finds the steering pages -----------------------------------------------------


def test_my_space_gives_the_coordinator_the_cockpit(sign_in, coordinator, incubator_a):
    response = sign_in(coordinator).get(reverse("incubator:my_space"))

    assert f'href="{reverse("portfolio:cockpit")}"' in response.text
    assert f'href="{reverse("portfolio:dashboard", args=[incubator_a.slug])}"' not in response.text  # from the cockpit
    # "My incubators" says what the role is, not that they belong to none; no link to the admin.
    coordinates = _(
        "As network coordinator, you read the portfolio, the committees and the steering figures of every "
        "incubator; you change nothing."
    )
    assert coordinates in response.text
    belongs_nowhere = _(
        "You do not belong to any incubator yet. An incubator manager or a network administrator can add you."
    )
    assert belongs_nowhere not in response.text
    assert belongs_nowhere in sign_in(UserFactory()).get(reverse("incubator:my_space")).text  # as anyone else
    assert f'href="{reverse("admin:index")}"' not in response.text


@pytest.mark.parametrize(("who", "up_to_the_cockpit"), [("coordinator", True), ("member_a", False)])
def test_the_dashboard_leads_up_to_the_cockpit_for_whoever_may_open_it(
    sign_in, coordinator, member_a, incubator_a, who, up_to_the_cockpit
):
    user = {"coordinator": coordinator, "member_a": member_a}[who]

    response = sign_in(user).get(reverse("portfolio:dashboard", args=[incubator_a.slug]))

    breadcrumb = response.text.split('class="fr-breadcrumb"')[1].split("</nav>")[0]
    assert (f'href="{reverse("portfolio:cockpit")}"' in breadcrumb) is up_to_the_cockpit

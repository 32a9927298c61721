"""The steering pages: an incubator's dashboard, the network cockpit, the portfolio as of a day and
the data-quality list. Access tables, figures built with factories, query counts, CSV files."""

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.models import Committee
from committees.tests.factories import CommitteeFactory
from incubator import versions
from incubator.models import Membership
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from portfolio.models import Phase, PhasePeriod, Startup
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

LOGIN = "/compte/login/"
TODAY = datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)


def assert_status(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)
    else:
        assert response.status_code == expected


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def dashboard(incubator):
    return reverse("portfolio:dashboard", args=[incubator.slug])


@pytest.fixture
def coach_a(incubator_a):
    """A coach of incubator A: a member who reads its portfolio, not a manager."""
    return MembershipFactory(incubator=incubator_a, role=Membership.Role.COACH).user


@pytest.fixture
def network_coordinator(db):
    """Reads every incubator (no role in any), changes nothing."""
    return UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True)


@pytest.fixture
def product_personas(product_personas, network_coordinator):
    return {**product_personas, "network_coordinator": network_coordinator}


@pytest.fixture
def personas(personas, network_coordinator):
    return {**personas, "network_coordinator": network_coordinator}


# Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("team_member", 404),
        ("member_a", 200),
        ("member_b", 404),
        ("network_admin", 200),
        ("network_coordinator", 200),
    ],
)
@pytest.mark.parametrize("page", ["dashboard", "csv"])
def test_dashboard_access(as_product_persona, incubator_a, startup_a, persona, expected, page):
    url = dashboard(incubator_a)
    if page == "csv":
        url = reverse("portfolio:dashboard_csv", args=[incubator_a.slug, "products_by_phase"])

    response = as_product_persona(persona).get(url)

    assert_status(response, expected)
    if expected == 200 and page == "dashboard":
        assert _("Dashboard — %(name)s") % {"name": "Fabrique A"} in response.text


def test_dashboard_open_to_a_coach_of_the_incubator(sign_in, incubator_a, coach_a):
    assert sign_in(coach_a).get(dashboard(incubator_a)).status_code == 200


def test_dashboard_of_an_unknown_incubator_or_tile_is_a_404(as_persona, incubator_a):
    client = as_persona("network_admin")

    assert client.get(reverse("portfolio:dashboard", args=["nulle-part"])).status_code == 404
    assert client.get(reverse("portfolio:dashboard_csv", args=[incubator_a.slug, "rien"])).status_code == 404
    # A tile without a chart has no CSV.
    assert client.get(reverse("portfolio:dashboard_csv", args=[incubator_a.slug, "open_calls"])).status_code == 404


COCKPIT_PAGES = {
    "cockpit": lambda: reverse("portfolio:cockpit"),
    "comparison_csv": lambda: reverse("portfolio:cockpit_csv", args=["comparaison"]),
    "tile_csv": lambda: reverse("portfolio:cockpit_csv", args=["committee_compliance"]),
    "as_of": lambda: reverse("portfolio:as_of") + "?date=2025-06-01",
    "data_quality": lambda: reverse("portfolio:data_quality"),
}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("team_member", 403),
        ("member_a", 403),
        ("member_b", 403),
        ("network_admin", 200),
        ("network_coordinator", 200),
    ],
)
@pytest.mark.parametrize("page", COCKPIT_PAGES)
def test_cockpit_pages_for_network_admins_and_coordinators_only(as_product_persona, startup_a, persona, expected, page):
    response = as_product_persona(persona).get(COCKPIT_PAGES[page]())

    assert_status(response, expected)


@pytest.mark.parametrize("page", ["dashboard", "cockpit"])
def test_steering_pages_answer_only_get(as_persona, incubator_a, page):
    url = dashboard(incubator_a) if page == "dashboard" else reverse("portfolio:cockpit")

    assert as_persona("network_admin").post(url).status_code == 405


# Figures ----------------------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_dashboard_counts_its_products_by_phase_with_co_incubated_ones(sign_in, incubator_a, incubator_b, member_a):
    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
    StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION)
    shared = StartupFactory(incubator=incubator_b, phase=Phase.ACCELERATION)
    shared.other_incubators.add(incubator_a)
    StartupFactory(incubator=incubator_b, phase=Phase.ACCELERATION)

    response = sign_in(member_a).get(reverse("portfolio:dashboard_csv", args=[incubator_a.slug, "products_by_phase"]))

    rows = dict(csv_rows(response)[1:])
    assert rows["Construction"] == "2"
    assert rows["Investigation"] == "1"
    assert rows["Accélération"] == "1"  # the co-incubated product counts in A too


@time_machine.travel(TODAY, tick=False)
def test_dashboard_links_each_phase_to_the_filtered_portfolio_list(sign_in, incubator_a, member_a):
    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)

    response = sign_in(member_a).get(dashboard(incubator_a))

    link = reverse("portfolio:startup_list") + "?incubator=fabrique-a&amp;phase=construction"
    assert f'<a href="{link}">Construction</a>' in response.text
    assert 'role="img"' in response.text  # the charts


@time_machine.travel(TODAY, tick=False)
def test_compliance_counts_active_products_with_a_committee_held_in_six_months(sign_in, incubator_a, member_a):
    recent, old, never = (StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION) for _ in range(3))
    StartupFactory(incubator=incubator_a, phase=Phase.ABANDONED)  # not active: not counted
    CommitteeFactory(startup=recent, status=Committee.Status.HELD, scheduled_at=TODAY - datetime.timedelta(days=60))
    CommitteeFactory(startup=old, status=Committee.Status.HELD, scheduled_at=TODAY - datetime.timedelta(days=200))
    CommitteeFactory(startup=never, status=Committee.Status.CANCELLED, scheduled_at=TODAY - datetime.timedelta(days=9))

    response = sign_in(member_a).get(
        reverse("portfolio:dashboard_csv", args=[incubator_a.slug, "committee_compliance"])
    )

    expected = [[_("Active products"), "3"], [_("With a committee held in the last 6 months"), "1"]]
    assert csv_rows(response)[1:] == expected


@time_machine.travel(TODAY, tick=False)
def test_cockpit_compares_the_incubators_one_row_each(as_persona, incubator_a, incubator_b):
    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
    StartupFactory(incubator=incubator_b, phase=Phase.CONSTRUCTION)
    StartupFactory(incubator=incubator_b, phase=Phase.TRANSFERRED)
    shared = StartupFactory(incubator=incubator_b, phase=Phase.ACCELERATION)
    shared.other_incubators.add(incubator_a)

    response = as_persona("network_admin").get(reverse("portfolio:cockpit_csv", args=["comparaison"]))

    rows = csv_rows(response)
    active = rows[0].index(_("Active products"))
    by_title = {row[0]: row for row in rows[1:]}
    assert by_title["Fabrique A"][active] == "2"  # its own and the one it co-incubates
    assert by_title["Fabrique B"][active] == "2"  # the transferred one is no longer active


@time_machine.travel(TODAY, tick=False)
def test_cockpit_drills_down_to_each_incubator_dashboard(as_persona, incubator_a):
    response = as_persona("network_admin").get(reverse("portfolio:cockpit"))

    assert f'<a href="{dashboard(incubator_a)}">Fabrique A</a>' in response.text


@time_machine.travel(TODAY, tick=False)
def test_as_of_counts_the_periods_in_force_on_the_day(as_persona, incubator_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=datetime.date(2024, 1, 1))
    PhasePeriod.objects.filter(startup=startup).update(end=datetime.date(2024, 3, 1))
    PhasePeriod.objects.create(startup=startup, phase=Phase.CONSTRUCTION, start=datetime.date(2024, 3, 1))
    Startup.objects.filter(pk=startup.pk).update(phase=Phase.CONSTRUCTION)
    client = as_persona("network_admin")

    def phases_on(day):
        response = client.get(reverse("portfolio:as_of") + f"?date={day}&format=csv")
        header, *rows = csv_rows(response)
        row = next(row for row in rows if row[0] == "Fabrique A")
        return {label: int(value) for label, value in zip(header[1:], row[1:], strict=True) if int(value)}

    assert phases_on("2024-02-29") == {"Investigation": 1}
    assert phases_on("2024-03-01") == {"Construction": 1}  # the new period starts that day
    assert phases_on("2023-12-31") == {}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2027-01-01", "Choose a day in the past or today: the phases of a future day are not known."),
        ("1999-12-31", "2000"),
        ("pas une date", "Saisissez une date valide."),
    ],
)
@time_machine.travel(TODAY, tick=False)
def test_as_of_refuses_a_bad_day_with_a_french_message_and_keeps_it(as_persona, typed, message):
    response = as_persona("network_admin").get(reverse("portfolio:as_of"), {"date": typed})

    assert response.status_code == 400
    assert _(message) in response.text
    assert f'value="{typed}"' in response.text


@time_machine.travel(TODAY, tick=False)
def test_data_quality_lists_flags_overrides_and_stale_sheets(as_persona, incubator_a):
    recently = datetime.date(2026, 6, 1)
    fine = StartupFactory(incubator=incubator_a, name="En ordre", phase=Phase.CONSTRUCTION, phase_start=recently)
    CommitteeFactory(startup=fine, status=Committee.Status.HELD, scheduled_at=TODAY - datetime.timedelta(days=30))
    Startup.objects.filter(pk=fine.pk).update(next_committee_due=datetime.date(2027, 3, 1))
    stale = StartupFactory(incubator=incubator_a, name="Fiche ancienne", phase=Phase.CONSTRUCTION, phase_start=recently)
    CommitteeFactory(startup=stale, status=Committee.Status.HELD, scheduled_at=TODAY - datetime.timedelta(days=30))
    Startup.objects.filter(pk=stale.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=120), next_committee_due=datetime.date(2027, 3, 1)
    )
    ended = StartupFactory(incubator=incubator_a, name="Transféré hors parcours", phase=Phase.TRANSFERRED)
    PhasePeriod.objects.filter(startup=ended).update(is_override=True)

    response = as_persona("network_admin").get(reverse("portfolio:data_quality"))

    assert response.status_code == 200
    assert "En ordre" not in response.text
    assert "Fiche ancienne" in response.text
    assert "Transféré hors parcours" in response.text


# Query counts -----------------------------------------------------------------------------------


def products(incubator, count):
    Startup.objects.bulk_create(
        Startup(slug=f"lot-{incubator.slug}-{n}", name=f"Lot {n}", incubator=incubator, phase=Phase.CONSTRUCTION)
        for n in range(count)
    )
    PhasePeriod.objects.bulk_create(
        PhasePeriod(startup=startup, phase=Phase.CONSTRUCTION, start=datetime.date(2025, 1, 1))
        for startup in Startup.objects.filter(incubator=incubator)
    )


def count_queries(client, url):
    """The queries of a page computing its figures (none kept from an earlier page: the kept
    figures are ``test_kept_figures``'s)."""
    versions.bump_all()  # the kept figures and the kept pieces of the page
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["member_a", "network_admin", "network_coordinator", "coach"])
@time_machine.travel(TODAY, tick=False)
def test_dashboard_queries_do_not_grow_with_products(sign_in, personas, coach_a, incubator_a, persona):
    client = sign_in(coach_a if persona == "coach" else personas[persona])
    products(incubator_a, 1)
    count_queries(client, dashboard(incubator_a))  # warm the session
    one = count_queries(client, dashboard(incubator_a))

    Startup.objects.all().delete()
    products(incubator_a, 300)
    many = count_queries(client, dashboard(incubator_a))

    assert many == one


@pytest.mark.parametrize("persona", ["network_admin", "network_coordinator"])
@pytest.mark.parametrize("page", ["cockpit", "as_of", "data_quality"])
@time_machine.travel(TODAY, tick=False)
def test_cockpit_queries_do_not_grow_with_products_or_incubators(as_persona, incubator_a, incubator_b, page, persona):
    url = {
        "cockpit": reverse("portfolio:cockpit"),
        "as_of": reverse("portfolio:as_of") + "?date=2026-01-01",
        "data_quality": reverse("portfolio:data_quality"),
    }[page]
    client = as_persona(persona)
    products(incubator_a, 1)
    count_queries(client, url)
    one = count_queries(client, url)

    Startup.objects.all().delete()
    products(incubator_a, 150)
    products(incubator_b, 150)
    many = count_queries(client, url)

    assert many == one


@pytest.mark.parametrize(("page", "extra"), [("dashboard", 1), ("cockpit", 1), ("as_of", 0), ("data_quality", 0)])
@time_machine.travel(TODAY, tick=False)
def test_a_coordinator_pays_the_queries_of_a_network_admin(as_persona, incubator_a, incubator_b, page, extra):
    """The cockpit's rule is asked of django-rules alone (no query of Django's permission tables);
    the call funnel's ``link_permission`` (``calls.manage_calls``, an admin's without a query) costs
    a coordinator one query a page, whatever the number of incubators compared."""
    url = {
        "dashboard": dashboard(incubator_a),
        "cockpit": reverse("portfolio:cockpit"),
        "as_of": reverse("portfolio:as_of") + "?date=2026-01-01",
        "data_quality": reverse("portfolio:data_quality"),
    }[page]
    products(incubator_a, 3)
    counts = {}
    for persona in ("network_admin", "network_coordinator"):
        client = as_persona(persona)
        count_queries(client, url)  # warm the session
        counts[persona] = count_queries(client, url)

    IncubatorFactory.create_batch(4)
    many_incubators = count_queries(as_persona("network_coordinator"), url)

    assert counts["network_coordinator"] == counts["network_admin"] + extra
    assert many_incubators == counts["network_coordinator"]


# Mon espace -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "dashboard_link", "cockpit_link"),
    [
        ("team_member", False, False),
        ("member_a", True, False),
        ("member_b", False, False),
        ("network_admin", False, True),
        ("network_coordinator", False, True),
    ],
)
def test_my_space_links_the_dashboards_the_user_may_open(
    as_product_persona, incubator_a, startup_a, persona, dashboard_link, cockpit_link
):
    response = as_product_persona(persona).get(reverse("incubator:my_space"))

    assert (f'href="{dashboard(incubator_a)}"' in response.text) is dashboard_link
    assert (f'href="{reverse("portfolio:cockpit")}"' in response.text) is cockpit_link


@time_machine.travel(TODAY, tick=False)
def test_every_chart_of_the_cockpit_and_the_dashboard_downloads_as_csv(as_persona, incubator_a):
    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
    client = as_persona("network_admin")
    cockpit = client.get(reverse("portfolio:cockpit"))
    dashboard_page = client.get(dashboard(incubator_a))
    links = [
        *(figure.chart.csv_url for figure in cockpit.context["charted"]),
        cockpit.context["by_incubator"].csv_url,
        reverse("portfolio:cockpit_csv", args=["comparaison"]),
        *(figure.chart.csv_url for figure in dashboard_page.context["charted"]),
    ]

    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response["Content-Type"].startswith("text/csv"), link
        assert len(csv_rows(response)) > 1, link
    assert len(links) == 2 * len(cockpit.context["charted"]) + 2

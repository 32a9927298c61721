"""The steering figures on the real sample (``seed_demo``, on 2026-12-01), against values computed
here independently: from the sample file's phase histories and from plain queries of the rows, never
from the dashboards' own functions."""

import csv
import datetime
import io
import json
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext as _

from calls.models import Application
from committees.models import Committee
from incubator import registry
from incubator.models import Incubator, Membership, User
from incubator.tests.mfa import enrol_totp
from portfolio.models import ACTIVE_PHASES, Phase, PhasePeriod, Startup

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SEED_DAY = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=PARIS)
AS_OF = datetime.date(2024, 1, 1)
SAMPLE = django_settings.BASE_DIR / "incubator" / "data" / "network-sample.json"


@pytest.fixture
def seeded(settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(SEED_DAY, tick=False)
    call_command("seed_demo")
    return json.loads(SAMPLE.read_text())


def csv_rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def phase_on(history, day):
    """The sample's phase of a product on ``day``: the last one begun by then (the loader closes a
    period when the next one begins, whatever end the sample gives)."""
    begun = [phase for phase, start, *_end in history if datetime.date.fromisoformat(start) <= day]
    return begun[-1] if begun else None


def invented():
    """The demo incubator's invented products: those that are not in the sample."""
    sample = {row["slug"] for row in json.loads(SAMPLE.read_text())["startups"]}
    return Startup.objects.exclude(slug__in=sample)


def expected_today(sample):
    expected = defaultdict(Counter)
    for row in sample["startups"]:
        expected[row["incubator"]][row["phases"][-1][0]] += 1
    for slug, phase in invented().values_list("incubator__slug", "phase"):
        expected[slug][phase] += 1
    return expected


def test_dashboards_count_each_incubators_products_by_phase(seeded, as_persona):
    client = as_persona("network_admin")
    expected = expected_today(seeded)
    assert sum(expected["dinum"].values()) == 4 + 5  # the sample's four and the five invented ones

    for incubator in Incubator.objects.all():
        url = reverse("portfolio:dashboard_csv", args=[incubator.slug, "products_by_phase"])
        shown = {label: int(count) for label, count in csv_rows(client.get(url))[1:]}

        assert shown == {phase.label: expected[incubator.slug][phase.value] for phase in Phase}, incubator.slug


def test_cockpit_compares_active_products_and_compliance(seeded, as_persona):
    client = as_persona("network_admin")
    today = SEED_DAY.date()
    since = today - relativedelta(months=6)
    held = {
        startup
        for startup, at in Committee.objects.filter(status=Committee.Status.HELD).values_list("startup", "scheduled_at")
        if since <= at.astimezone(PARIS).date() <= today
    }
    active, compliant = Counter(), Counter()
    for pk, slug, phase in Startup.objects.values_list("pk", "incubator__slug", "phase"):
        if phase in ACTIVE_PHASES:
            active[slug] += 1
            compliant[slug] += pk in held
    assert compliant["dinum"] > 0  # the demo's committees: something to check

    header, *rows = csv_rows(client.get(reverse("portfolio:cockpit_csv", args=["comparaison"])))

    by_title = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    for incubator in Incubator.objects.all():
        row = by_title[incubator.title]
        assert int(row[_("Active products")]) == active[incubator.slug], incubator.slug
        share = round(100 * compliant[incubator.slug] / active[incubator.slug]) if active[incubator.slug] else 0
        assert int(row[_("Committee in the last 6 months (percent)")]) == share, incubator.slug


def test_portfolio_as_of_2024_01_01_has_the_phases_then_in_force(seeded, as_persona):
    client = as_persona("network_admin")
    expected = defaultdict(Counter)
    for row in seeded["startups"]:
        phase = phase_on(row["phases"], AS_OF)
        if phase:
            expected[row["incubator"]][phase] += 1
    # The invented products: their periods' rows, read one by one here.
    periods = PhasePeriod.objects.filter(startup__in=invented())
    periods = periods.values_list("startup__incubator__slug", "phase", "start", "end")
    for slug, phase, start, end in periods:
        if start <= AS_OF and (end is None or end > AS_OF):
            expected[slug][phase] += 1
    assert expected["justice"] == {"acceleration": 1, "consolidation": 1, "construction": 1}

    url = reverse("portfolio:as_of") + f"?date={AS_OF.isoformat()}&format=csv"
    header, *rows = csv_rows(client.get(url))

    labels = {phase.label: phase.value for phase in Phase}
    shown = {
        row[0]: {labels[label]: int(count) for label, count in zip(header[1:], row[1:], strict=True) if int(count)}
        for row in rows
    }
    for incubator in Incubator.objects.all():
        assert shown[incubator.title] == dict(expected[incubator.slug]), incubator.slug
    page = client.get(reverse("portfolio:as_of"), {"date": AS_OF.isoformat()})
    total = sum(sum(counts.values()) for counts in expected.values())
    assert page.context["paginator"].count == total


# Each figure opens the list of what it counts (the same persona, the demo's own) ----------------
# The network coordinator (no role in any incubator, reads them all) opens the same lists as the
# network admin and the incubator's manager, and they hold what the figure counts.

LEAD = "responsable@demo.incubateurs.example"
ADMIN = "admin@demo.incubateurs.example"
COORDINATOR = "coordination@demo.incubateurs.example"


def demo_client(client, email):
    """``client`` signed in as the demo's persona ``email``, with its second factor (as a manager)."""
    user = User.objects.get(email=email)
    enrol_totp(user)
    client.force_login(user)
    return client


def rows_listed(client, url):
    """The number of rows of the list ``url`` opens (all its pages)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


def dashboard_chart(client, slug, key):
    response = client.get(reverse("portfolio:dashboard", args=[slug]))
    assert response.status_code == 200
    [found] = [figure for figure in response.context["charted"] if figure.tile.key == key]
    return found.chart


def lead_incubator():
    return Membership.objects.get(user__email=LEAD, role=Membership.Role.MANAGER).incubator


@pytest.mark.parametrize(("reader", "network_reader"), [(LEAD, ADMIN), (COORDINATOR, COORDINATOR)])
def test_active_products_figures_open_the_active_products(seeded, client, reader, network_reader):
    incubator = lead_incubator()
    chart = dashboard_chart(demo_client(client, reader), incubator.slug, "committee_compliance")
    [(_label, url, values)] = [row for row in chart.table_rows if row[0] == _("Active products")]
    assert values[0] == Startup.objects.active().filter(incubator=incubator).count() > 0
    assert rows_listed(client, url) == values[0]

    cockpit = demo_client(client, network_reader).get(reverse("portfolio:cockpit"))
    column = [tile.key for tile in cockpit.context["comparison"].tiles].index("products_by_phase")
    for row in cockpit.context["comparison"].rows:
        cell = row.cells[column]
        assert rows_listed(client, cell.link) == cell.value, row.incubator.slug


@pytest.mark.parametrize("reader", [LEAD, COORDINATOR])
def test_phase_durations_link_to_the_products_with_a_phase_longer_than_typical(seeded, client, reader):
    chart = dashboard_chart(demo_client(client, reader), lead_incubator().slug, "phase_durations")
    longer = chart.header.index(_("Periods longer than typical")) - 1
    assert any(values[longer] for _label, _url, values in chart.table_rows)  # something to check
    for label, url, values in chart.table_rows:
        assert rows_listed(client, url) == values[longer], label


def test_call_funnel_steps_link_to_the_applications_they_count(seeded, client):
    incubator = lead_incubator()
    chart = dashboard_chart(demo_client(client, LEAD), incubator.slug, "call_funnel")
    by_label = {label: (url, values[0]) for label, url, values in chart.table_rows}
    _url, submitted = by_label[_("Submitted applications")]
    assert submitted > 0
    assert submitted <= Application.objects.filter(call__incubator=incubator).count()
    for label, (url, value) in by_label.items():
        assert url, label
        listed = client.get(url)
        assert listed.status_code == 200, url
        assert listed.context["paginator"].count == value, label
        assert {application.call.incubator_id for application in listed.context["applications"]} <= {incubator.pk}


def test_cockpit_call_columns_link_to_each_incubators_calls_and_applications(seeded, client):
    cockpit = demo_client(client, ADMIN).get(reverse("portfolio:cockpit"))
    keys = [tile.key for tile in cockpit.context["comparison"].tiles]
    opened, funnel = keys.index("open_calls"), keys.index("call_funnel")
    for row in cockpit.context["comparison"].rows:
        cell = row.cells[opened]
        assert rows_listed(client, cell.link) == cell.value, row.incubator.slug
        cell = row.cells[funnel]
        assert rows_listed(client, cell.link) == cell.value, row.incubator.slug


def test_the_coordinator_sees_the_call_funnel_without_links_and_the_open_calls_with_theirs(seeded, client):
    """The calls' management (the applications, applicants' data) is not the coordinator's: the
    funnel's figures are the admin's, unlinked; the open calls link to the public list they count."""
    admin_cockpit = demo_client(client, ADMIN).get(reverse("portfolio:cockpit")).context["comparison"]
    cockpit = demo_client(client, COORDINATOR).get(reverse("portfolio:cockpit")).context["comparison"]
    keys = [tile.key for tile in cockpit.tiles]
    opened, funnel = keys.index("open_calls"), keys.index("call_funnel")
    assert [row.values for row in cockpit.rows] == [row.values for row in admin_cockpit.rows]
    assert any(row.cells[funnel].value for row in cockpit.rows)  # something unlinked to check
    for row in cockpit.rows:
        assert row.cells[funnel].link == "", row.incubator.slug
        cell = row.cells[opened]
        assert rows_listed(client, cell.link) == cell.value, row.incubator.slug
    chart = dashboard_chart(client, lead_incubator().slug, "call_funnel")
    assert chart.table_rows
    assert {url for _label, url, _values in chart.table_rows} == {""}
    assert client.get(reverse("calls:manage_call_list")).status_code == 403


def test_standards_coverage_links_to_no_list_of_products(seeded, client):
    """No list shows criteria: the coverage's rows link nowhere rather than to the products' list."""
    chart = dashboard_chart(demo_client(client, LEAD), lead_incubator().slug, "standards_coverage")
    assert [label for label, _url, _values in chart.table_rows] == [_("Criteria done"), _("Criteria applicable")]
    assert [url for _label, url, _values in chart.table_rows] == ["", ""]
    assert registry.get_tile("standards_coverage").link is None


@pytest.mark.parametrize("reader", [ADMIN, COORDINATOR])
def test_flagged_products_count_the_active_products_in_every_row(seeded, client, reader):
    demo_client(client, reader)
    response = client.get(reverse("portfolio:cockpit"))
    [found] = [figure for figure in response.context["charted"] if figure.tile.key == "products_with_flags"]
    headline, *per_flag = found.chart.table_rows
    assert rows_listed(client, headline[1]) == headline[2][0] > 0
    for label, url, values in per_flag:
        assert rows_listed(client, url) == values[0] <= headline[2][0], label

    quality = client.get(reverse("portfolio:data_quality"))
    ended = [startup for startup in quality.context["startups"] if startup.phase not in ACTIVE_PHASES]
    assert ended  # the demo's ended products with an override in their history
    for startup in ended:
        assert [flag.key for flag in startup.raised_flags] == ["hors-parcours"], startup.slug

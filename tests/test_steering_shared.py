"""The steering pages' shared queries (``portfolio.tiles.one_page``): on the cockpit, a tile's
network figure is the sum of its comparison's rows, and it is the figure the tile's own query
gives (the products of every app's tiles, co-incubated ones counted once on the network)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Application
from calls.tests.factories import ApplicationFactory, CallFactory
from calls.tiles import STAGES
from committees.contributions import overdue_count
from committees.models import Committee
from committees.tests.factories import CommitteeFactory
from incubator import registry, versions
from incubator.models import Incubator
from incubator.tests.factories import UserFactory
from portfolio import contributions, dashboards, tiles
from portfolio.models import Phase, Startup
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)


@pytest.fixture
def network(incubator_a, incubator_b):
    """Products of A and B (one of B co-incubated by A), late, overdue, with committees; a call
    of A and a network-wide call with applications."""
    late = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=datetime.date(2025, 1, 6))
    late.next_committee_due = datetime.date(2026, 6, 1)  # passed, no committee since: overdue
    late.save()
    held = StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION, phase_start=datetime.date(2026, 3, 2))
    CommitteeFactory(
        startup=held,
        status=Committee.Status.HELD,
        scheduled_at=TODAY - datetime.timedelta(days=30),
        requested_budget=Decimal("1234.40"),
    )
    shared = StartupFactory(incubator=incubator_b, phase=Phase.ACCELERATION, phase_start=datetime.date(2026, 5, 4))
    shared.other_incubators.add(incubator_a)
    CommitteeFactory(startup=shared, status=Committee.Status.HELD, scheduled_at=TODAY - datetime.timedelta(days=400))
    CommitteeFactory(
        startup=shared,
        status=Committee.Status.HELD,
        scheduled_at=TODAY - datetime.timedelta(days=20),
        requested_budget=Decimal("100.30"),
    )
    StartupFactory(incubator=incubator_b, phase=Phase.ABANDONED)
    call = CallFactory(incubator=incubator_a)
    ApplicationFactory(call=call, status=Application.Status.SUBMITTED)
    ApplicationFactory(call=call, status=Application.Status.DRAFT)
    ApplicationFactory(call=CallFactory(incubator=None), status=Application.Status.SHORTLISTED)


def cockpit_figures(user):
    """The network's figure of every tile as the cockpit computes them: after the comparison."""
    scope = registry.Scope()
    with tiles.one_page():
        dashboards.comparison(user, scope, Incubator.objects.all())
        return {figure.tile.key: figure.value for figure in dashboards.figures(user, scope)}


@pytest.fixture
def coordinator(db):
    """A network coordinator: reads every incubator, no role in any."""
    return UserFactory(email="coordination@example.gouv.fr", is_network_coordinator=True)


@time_machine.travel(TODAY, tick=False)
def test_the_cockpit_figures_are_those_of_each_tile_alone(network, network_admin):
    on_the_page = cockpit_figures(network_admin)
    alone = {tile.key: tile.compute(network_admin, registry.Scope()) for tile in registry.tiles()}

    assert on_the_page == alone


@time_machine.travel(TODAY, tick=False)
def test_the_coordinator_reads_the_network_admins_figures(network, network_admin, coordinator):
    """Every figure is the whole network's for a coordinator too, on the cockpit and in each row."""
    scope = registry.Scope()
    with tiles.one_page():
        admins = dashboards.comparison(network_admin, scope, Incubator.objects.all())
    with tiles.one_page():
        coordinators = dashboards.comparison(coordinator, scope, Incubator.objects.all())

    assert cockpit_figures(coordinator) == cockpit_figures(network_admin)
    assert [row.values for row in coordinators.rows] == [row.values for row in admins.rows]
    assert sum(cockpit_figures(coordinator)["products_by_phase"].values()) == Startup.objects.count() == 4


@time_machine.travel(TODAY, tick=False)
def test_the_network_sums_count_each_product_once(network, network_admin):
    figures = cockpit_figures(network_admin)
    everything = registry.Scope()

    # The products' figures as the scope's own queries give them (the co-incubated product once).
    assert figures["products_by_phase"] == contributions.products_by_phase(network_admin, everything)
    assert sum(figures["products_by_phase"].values()) == Startup.objects.count() == 4
    assert figures["products_with_flags"] == contributions.products_with_flags(network_admin, everything)
    assert figures["overdue_committees"] == overdue_count(network_admin, everything) == 1
    assert figures["committee_compliance"] == {"active": 3, "compliant": 2, "percent": 67}
    # November's budget: both committees, rounded once (1,234.40 + 100.30).
    assert figures["committee_budget"]["requested"]["2026-11-01"] == 1335
    assert figures["committee_budget"]["total_requested"] == 1335
    by_stage = Application.objects.aggregate(
        **{stage: Count("pk", filter=Q(status__in=statuses)) for stage, statuses in STAGES.items()}
    )
    assert figures["call_funnel"] == by_stage
    assert by_stage["submitted"] == 2  # the network-wide call's application counts on the network


@time_machine.travel(TODAY, tick=False)
def test_the_comparison_counts_a_co_incubated_product_in_both_incubators(network, network_admin, incubator_a):
    scope = registry.Scope()
    with tiles.one_page():
        compared = dashboards.comparison(network_admin, scope, Incubator.objects.all())
    values = {row.incubator.slug: row.values for row in compared.rows}

    assert values["fabrique-a"]["committee_budget"]["total_requested"] == 1335  # its own and the shared one's
    assert values["fabrique-b"]["committee_budget"]["total_requested"] == 100
    assert sum(values["fabrique-a"]["products_by_phase"].values()) == 3
    assert values["fabrique-a"]["committee_compliance"] == {"active": 3, "compliant": 2, "percent": 67}
    assert values["fabrique-a"]["call_funnel"]["submitted"] == 1  # the network-wide call's: not A's


@time_machine.travel(TODAY, tick=False)
def test_the_cockpit_computes_the_flags_once(network, as_persona):
    client = as_persona("network_admin")
    client.get(reverse("portfolio:cockpit"))
    versions.bump_all()  # the figures and the page computed again, not read from the cache

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portfolio:cockpit")).status_code == 200

    flagged = [query for query in queries if "flag_aucun_comite" in query["sql"]]
    # The principal products' (the network's figure and the comparison), the co-incubated ones'.
    assert len(flagged) == 2

"""The steering figures are kept between requests (``portfolio.tiles.kept``): a second page reads
them from the cache, and a write of a row they read (``versions.STEERING``: each app's tiles
watch their models), the turn of the hour or another scope computes them again."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Application
from calls.tests.factories import ApplicationFactory, CallFactory
from committees.models import Committee
from committees.tests.factories import CommitteeFactory
from incubator import registry
from incubator.tests.factories import IncubatorFactory
from portfolio import services
from portfolio.models import Phase, Startup
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)


def dashboard(incubator):
    return reverse("portfolio:dashboard", args=[incubator.slug])


def values(response):
    context = response.context
    return {figure.tile.key: figure.value for figure in [*context["charted"], *context["numbers"]]}


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), values(response)


@time_machine.travel(TODAY, tick=False)
def test_a_second_page_reads_the_figures_kept_by_the_first(manager, incubator_a):
    StartupFactory.create_batch(3, incubator=incubator_a, phase=Phase.CONSTRUCTION)
    computed, first = queries_of(manager, dashboard(incubator_a))

    read, second = queries_of(manager, dashboard(incubator_a))

    assert second == first
    assert computed - read >= len(registry.tiles())  # one query a tile at least, none when kept


@time_machine.travel(TODAY, tick=False)
def test_each_write_the_figures_read_shows_at_the_next_page(manager, incubator_a, member_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=datetime.date(2026, 9, 1))
    call = CallFactory(incubator=incubator_a)
    before = values(manager.get(dashboard(incubator_a)))

    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
    services.change_phase(startup=startup, phase=Phase.CONSTRUCTION, start=datetime.date(2026, 11, 2), actor=member_a)
    CommitteeFactory(
        startup=startup,
        status=Committee.Status.HELD,
        scheduled_at=TODAY - datetime.timedelta(days=20),
        requested_budget=1234,
    )
    ApplicationFactory(call=call, status=Application.Status.SUBMITTED)
    after = values(manager.get(dashboard(incubator_a)))

    assert before["products_by_phase"][Phase.CONSTRUCTION] == 0
    assert after["products_by_phase"][Phase.CONSTRUCTION] == 2
    assert after["products_by_phase"][Phase.INVESTIGATION] == 0
    assert after["call_funnel"]["submitted"] == before["call_funnel"]["submitted"] + 1
    assert after["committee_budget"]["total_requested"] == before["committee_budget"]["total_requested"] + 1234


def test_a_write_without_signal_shows_when_the_hour_turns(manager, incubator_a):
    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
    with time_machine.travel(TODAY, tick=False) as traveller:
        before = values(manager.get(dashboard(incubator_a)))
        Startup.objects.update(phase=Phase.ACCELERATION)  # no post_save: the kept figures stand
        kept = values(manager.get(dashboard(incubator_a)))
        traveller.shift(datetime.timedelta(hours=1))
        after = values(manager.get(dashboard(incubator_a)))

    assert kept == before
    assert after["products_by_phase"][Phase.ACCELERATION] == 1
    assert after["products_by_phase"][Phase.CONSTRUCTION] == 0


@time_machine.travel(TODAY, tick=False)
def test_each_scope_keeps_its_own_figures(as_persona, incubator_a, incubator_b):
    StartupFactory.create_batch(2, incubator=incubator_a, phase=Phase.CONSTRUCTION)
    StartupFactory(incubator=incubator_b, phase=Phase.CONSTRUCTION)
    client = as_persona("network_admin")

    a = values(client.get(dashboard(incubator_a)))
    b = values(client.get(dashboard(incubator_b)))
    network = values(client.get(reverse("portfolio:cockpit")))

    assert (a["products_by_phase"]["construction"], b["products_by_phase"]["construction"]) == (2, 1)
    assert network["products_by_phase"]["construction"] == 3


@time_machine.travel(TODAY, tick=False)
def test_the_cockpit_keeps_its_comparison_until_an_incubator_is_added(as_persona, incubator_a):
    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
    client = as_persona("network_admin")
    cockpit = reverse("portfolio:cockpit")
    computed, _values = queries_of(client, cockpit)
    read, _values = queries_of(client, cockpit)

    before = [row.incubator.slug for row in client.get(cockpit).context["comparison"].rows]
    IncubatorFactory(slug="fabrique-nouvelle", title="Fabrique nouvelle")
    rows = client.get(cockpit).context["comparison"].rows

    assert read < computed
    assert [row.incubator.slug for row in rows] == sorted([*before, "fabrique-nouvelle"])
    assert all(len(row.cells) == len(rows[0].cells) for row in rows)


@time_machine.travel(TODAY, tick=False)
def test_a_cache_outage_costs_the_speed_not_the_page(manager, incubator_a, settings):
    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION)
    expected = values(manager.get(dashboard(incubator_a)))
    # Nothing listens on port 9 (discard): every read and write of the cache is refused.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }

    response = manager.get(dashboard(incubator_a))

    assert response.status_code == 200
    assert values(response) == expected

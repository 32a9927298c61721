"""An incubator's public page and its results (issue 13, item 4): the panels the apps register on
``INCUBATOR_PAGE`` (its published products by phase, the committees held over twelve months, its
calls), public facts only for every visitor, checked on the network's sample, in constant queries."""

import datetime
import json
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from calls.tests.factories import CallFactory
from committees.models import Committee
from committees.public_results import committees_held
from committees.tests.factories import CommitteeFactory, paris
from incubator import registry
from incubator.contributions import INCUBATOR_PAGE
from incubator.models import Incubator
from incubator.tests.factories import IncubatorFactory
from portfolio.models import Phase, Startup
from portfolio.public_results import products_by_phase
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db

D = datetime.date
SAMPLE = Path(__file__).resolve().parents[2] / "incubator" / "data" / "network-sample.json"


def page_url(incubator):
    return reverse("incubator:incubator_detail", kwargs={"slug": incubator.slug})


def held(startup, day, kind=Committee.Kind.PERIODIC):
    return CommitteeFactory(startup=startup, scheduled_at=paris(day), status=Committee.Status.HELD, kind=kind)


@pytest.fixture
def results(incubator_a, incubator_b, time_machine):
    """Incubator A's public results on 2026-12-01, with what must not show: an unpublished product
    and its committee, B's product, old, planned and cancelled committees, a draft call, B's call."""
    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    built = StartupFactory(slug="construit", name="Construit", incubator=incubator_a, phase=Phase.CONSTRUCTION)
    StartupFactory(slug="arrete", name="Arrêté", incubator=incubator_a, phase=Phase.ABANDONED)
    shared = StartupFactory(slug="partage", name="Partagé", incubator=incubator_b, phase=Phase.ACCELERATION)
    shared.other_incubators.add(incubator_a)
    hidden = StartupFactory(slug="cache", name="Produit caché", incubator=incubator_a, is_published=False)
    StartupFactory(slug="chez-b", name="Produit de B", incubator=incubator_b)
    held(built, D(2026, 1, 5), Committee.Kind.END_OF_INVESTIGATION)  # the window's first month
    held(built, D(2026, 11, 20))
    held(shared, D(2026, 11, 3))
    held(built, D(2025, 12, 30))  # before the window
    CommitteeFactory(startup=built, scheduled_at=paris(D(2026, 12, 10)))  # planned
    CommitteeFactory(startup=shared, scheduled_at=paris(D(2026, 11, 30)))  # held yesterday, decision to record
    CommitteeFactory(startup=built, scheduled_at=paris(D(2026, 10, 1)), status=Committee.Status.CANCELLED)
    held(hidden, D(2026, 6, 1))  # an unpublished product's
    now = timezone.now()
    CallFactory(slug="ouvert", title="Appel ouvert", incubator=incubator_a)
    CallFactory(
        slug="bientot", title="Appel à venir", incubator=incubator_a, opens_at=now + relativedelta(days=5),
        closes_at=now + relativedelta(days=40),
    )  # fmt: skip
    CallFactory(
        slug="clos", title="Appel clos", incubator=incubator_a, status=Call.Status.SELECTION_DONE,
        opens_at=now - relativedelta(months=6), closes_at=now - relativedelta(months=5),
    )  # fmt: skip
    CallFactory(slug="brouillon", title="Appel en brouillon", incubator=incubator_a, status=Call.Status.DRAFT)
    CallFactory(slug="appel-b", title="Appel de B", incubator=incubator_b)
    CallFactory(slug="national", title="Appel national", incubator=None)
    return incubator_a


def test_the_products_panel_lists_the_published_products_by_phase(results):
    context = products_by_phase(results, None)

    groups = [(phase, [startup.slug for startup in startups]) for phase, startups in context["phase_groups"]]
    assert groups == [
        (Phase.CONSTRUCTION, ["construit"]),
        (Phase.ACCELERATION, ["partage"]),
        (Phase.ABANDONED, ["arrete"]),
    ]
    assert context["product_count"] == 3
    chart = context["phase_chart"]
    assert chart.rows == [
        [phase.label, {"construction": 1, "acceleration": 1, "abandon": 1}.get(phase, 0)] for phase in Phase
    ]
    assert chart.links[1] == "/produits/?incubator=fabrique-a&phase=construction"


def test_the_committees_panel_counts_those_held_per_month_over_twelve_months(results):
    context = committees_held(results, None)

    assert context["committees_since"] == D(2026, 1, 1)
    assert context["committee_count"] == 4
    chart = context["committee_chart"]
    assert chart.categories[0] == "janvier 2026"
    assert chart.categories[-1] == "décembre 2026"
    totals = [sum(series.values[month] for series in chart.series) for month in range(12)]
    assert totals == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0]
    by_kind = {series.label: series.values for series in chart.series}
    assert list(by_kind) == [Committee.Kind.END_OF_INVESTIGATION.label, Committee.Kind.PERIODIC.label]  # those held
    assert by_kind[Committee.Kind.END_OF_INVESTIGATION.label][0] == 1
    assert by_kind[Committee.Kind.PERIODIC.label][10] == 3


@pytest.mark.parametrize("persona", ["anonymous", "member_a", "member_b", "network_admin", "team_member"])
def test_every_visitor_sees_the_same_public_facts(results, as_persona, personas, persona):
    team = TeamMembershipFactory(startup=Startup.objects.get(slug="cache")).user
    personas["team_member"] = team

    response = as_persona(persona).get(page_url(results))

    assert response.status_code == 200
    html = main_of(response)  # the header names a team member's own products
    for shown in ("Construit", "Partagé", "Arrêté", "Appel ouvert", "Appel à venir", "Appel clos"):
        assert shown in html, shown
    for hidden in ("Produit caché", "Produit de B", "Appel en brouillon", "Appel de B", "Appel national"):
        assert hidden not in html, hidden
    assert 'href="/produits/construit/"' in html
    assert 'href="/appels/ouvert/"' in html
    assert 'href="/appels/clos/"' in html
    assert held_sentence(html).startswith("4 ")
    assert "2026" in held_sentence(html)
    assert "250" not in html  # no budget (the committees' requested budget)


@pytest.mark.parametrize("persona", ["anonymous", "member_a", "network_admin"])
def test_an_inactive_incubator_has_no_public_page(incubator_a, as_persona, persona):
    Incubator.objects.filter(pk=incubator_a.pk).update(is_active=False)

    assert as_persona(persona).get(page_url(incubator_a)).status_code == 404


def test_the_page_answers_only_get_and_head(client, incubator_a):
    assert client.post(page_url(incubator_a)).status_code == 405
    assert client.head(page_url(incubator_a)).status_code == 200


def test_an_incubator_without_results_says_so(client, incubator_a):
    response = client.get(page_url(incubator_a))

    html = main_of(response)
    assert 'id="incubator-products"' in html
    assert "/produits/" not in html
    assert held_sentence(html).startswith("0 ")
    assert "/appels/" not in html


def test_the_page_is_open_to_the_three_panels_in_order():
    assert registry.page_slots(INCUBATOR_PAGE) == ("results",)
    assert [panel.key for panel in registry.panels(INCUBATOR_PAGE)] == ["products_by_phase", "committees_held", "calls"]


def test_names_are_escaped_on_the_page(client, incubator_a):
    payload = '<script>alert("x")</script>'
    incubator_a.title = f"Incubateur {payload}"
    incubator_a.save()
    startup = StartupFactory(incubator=incubator_a, name=f"Produit {payload}", pitch=f"Pitch {payload}")
    held(startup, timezone.localdate() - datetime.timedelta(days=3))
    CallFactory(incubator=incubator_a, title=f"Appel {payload}")

    html = client.get(page_url(incubator_a)).content.decode()

    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 4  # title, h1, product, pitch, call


def main_of(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def held_sentence(html):
    """The text of the committees' count sentence."""
    start = html.index('id="committees-held">') + len('id="committees-held">')
    return " ".join(html[start : html.index("</p>", start)].split())


# On the network's sample ---------------------------------------------------------------------


def test_the_sample_incubators_pages_show_their_products_and_committees(client, settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    call_command("seed_demo")
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    mtes = Incubator.objects.get(slug="mtes")

    products = products_by_phase(mtes, None)
    committees = committees_held(mtes, None)
    response = client.get(page_url(mtes))

    rows = [row for row in sample["startups"] if row["incubator"] == "mtes"]
    expected = Counter(row["phases"][-1][0] for row in rows)
    assert {phase.value: len(startups) for phase, startups in products["phase_groups"]} == dict(expected)
    assert products["product_count"] == len(rows) == 5
    held_days = [
        D.fromisoformat(committee[0]) for row in rows for committee in row.get("committees", [])
    ]  # fmt: skip
    in_window = [day for day in held_days if D(2026, 1, 1) <= day <= D(2026, 12, 1)]
    assert committees["committee_count"] == len(in_window) == 2  # Zéro logement vacant in June, Pitchou in July
    html = response.content.decode()
    for row in rows:
        assert f'href="/produits/{row["slug"]}/"' in html


# Queries: constant with the number of products, committees and calls -----------------------------


def many_results(incubator, count):
    for n in range(count):
        startup = StartupFactory(incubator=incubator, phase=list(Phase)[n % len(Phase)])
        held(startup, timezone.localdate() - datetime.timedelta(days=1 + n % 300))
        CallFactory(incubator=incubator, status=Call.Status.PUBLISHED if n % 2 else Call.Status.CLOSED)


@pytest.mark.parametrize("count", [1, 30])
def test_incubator_page_query_count(client, incubator_a, django_assert_num_queries, count):
    many_results(incubator_a, count)

    # the incubator, then one query per panel: products, committees, calls
    with django_assert_num_queries(4):
        response = client.get(page_url(incubator_a))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 300])
def test_incubator_page_query_count_with_300_products(client, incubator_a, django_assert_num_queries, count):
    Startup.objects.bulk_create(
        Startup(slug=f"volume-{n}", name=f"Produit {n}", pitch="Un service.", incubator=incubator_a)
        for n in range(count)
    )
    other = IncubatorFactory()
    Startup.objects.bulk_create(
        Startup(slug=f"autre-{n}", name=f"Autre {n}", pitch="Un service.", incubator=other) for n in range(count)
    )

    with django_assert_num_queries(4):
        response = client.get(page_url(incubator_a))

    assert response.content.decode().count('href="/produits/volume-') == count


# The charts' CSV files -------------------------------------------------------------------------


def csv_url(incubator, key):
    return reverse("incubator:incubator_chart_csv", kwargs={"slug": incubator.slug, "key": key})


def csv_rows(response):
    return [line.split(";") for line in response.content.decode("utf-8-sig").splitlines()]


def test_each_chart_of_the_page_downloads_as_csv(client, results):
    products = products_by_phase(results, None)["phase_chart"]
    committees = committees_held(results, None)["committee_chart"]
    html = client.get(page_url(results)).content.decode()

    for chart in (products, committees):
        assert chart.csv_url == csv_url(results, chart.key)
        assert f'href="{chart.csv_url}"' in html
        response = client.get(chart.csv_url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert f'filename="{results.slug}-{chart.key}.csv"' in response["Content-Disposition"]
        assert csv_rows(response) == [[str(cell) for cell in row] for row in [chart.header, *chart.rows]]
    assert csv_rows(client.get(products.csv_url))[2] == [str(Phase.CONSTRUCTION.label), "1"]


@pytest.mark.parametrize("persona", ["anonymous", "member_a", "member_b", "network_admin"])
def test_every_visitor_downloads_the_same_public_figures(results, as_persona, persona):
    response = as_persona(persona).get(csv_url(results, "produits-par-phase"))

    assert response.status_code == 200
    assert csv_rows(response)[1:] == [
        [str(phase.label), str({"construction": 1, "acceleration": 1, "abandon": 1}.get(phase, 0))] for phase in Phase
    ]


def test_an_unknown_chart_or_an_inactive_incubator_is_a_404(client, results):
    assert client.get(csv_url(results, "budget")).status_code == 404
    Incubator.objects.filter(pk=results.pk).update(is_active=False)
    assert client.get(csv_url(results, "produits-par-phase")).status_code == 404


def test_the_csv_answers_only_get_and_head(client, incubator_a):
    assert client.post(csv_url(incubator_a, "comites-tenus")).status_code == 405
    assert client.head(csv_url(incubator_a, "comites-tenus")).status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_incubator_chart_csv_query_count(client, incubator_a, django_assert_num_queries, count):
    many_results(incubator_a, count)

    # the incubator, then the page's panels: products, committees, calls
    with django_assert_num_queries(4):
        response = client.get(csv_url(incubator_a, "comites-tenus"))

    assert response.status_code == 200

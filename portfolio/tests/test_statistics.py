"""The network's public statistics (``portfolio/statistics.py``): the page ``/statistiques/``, its CSV
files and ``/api/statistiques.json``. The figures are checked against values computed here, by
hand, from the network's sample (``incubator/data/network-sample.json``) that ``seed_demo`` loads;
public facts only; the same figures in the page and the JSON; constant queries."""

import csv
import datetime
import io
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from portfolio.models import Phase, PhasePeriod, Startup
from portfolio.services import change_phase
from portfolio.statistics import network_statistics
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

D = datetime.date
PAGE = reverse("portfolio:statistics")
JSON = reverse("portfolio:statistics_json")
SAMPLE = Path(__file__).resolve().parents[2] / "incubator" / "data" / "network-sample.json"
TODAY = D(2026, 12, 1)

# The demo incubator's five invented products on 2026-12-01, worked out by hand from their stories
# (portfolio/demo.py's ``demo_products``, committees/demo.py's ``JOURNEYS``): an investigation lasts
# 9 weeks, each committee is held the day it is due, and its decision starts the next phase that day.
INVENTED = {
    # due in 40 days: started 23 days ago
    "boussole-formation": [("investigation", "2026-11-08")],
    # its periodic committee (6 months after construction began) was held yesterday
    "voirie-en-ligne": [("investigation", "2026-03-28"), ("construction", "2026-05-30")],
    # its committee in 6 days comes 18 months after the end of the investigation
    "cantine-locale": [("investigation", "2025-04-05"), ("construction", "2025-06-07"), ("acceleration", "2026-06-07")],
    # due in 2 months, 36 months after the end of the investigation (12 + 12 + 6 + 6 months)
    "inventaire-equipements": [
        ("investigation", "2023-11-30"),
        ("construction", "2024-02-01"),
        ("acceleration", "2025-02-01"),
        ("opere", "2026-02-01"),
    ],
    # stopped 13 months ago, after 6 months of construction
    "covoiturage-agents": [("investigation", "2025-02-27"), ("construction", "2025-05-01"), ("abandon", "2025-11-01")],
}


def sample_histories():
    """slug -> [(phase, start date)] of every product of the demo: the sample's (each period ends
    when the next begins) and the invented ones."""
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    histories = {row["slug"]: [(phase, start) for phase, start, *_end in row["phases"]] for row in sample["startups"]}
    histories.update(INVENTED)
    return {slug: [(phase, D.fromisoformat(start)) for phase, start in periods] for slug, periods in histories.items()}


def phase_on(periods, day):
    """The phase in force on ``day`` (a period runs from its start to the next one's start), or None."""
    current = None
    for phase, start in periods:
        if start <= day:
            current = phase
    return current


@pytest.fixture
def seeded(settings, time_machine):
    settings.DEBUG = True
    time_machine.move_to(datetime.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Paris")), tick=False)
    call_command("seed_demo")


def test_statistics_of_the_network_sample_match_the_hand_computed_values(seeded):
    histories = sample_histories()
    assert Startup.objects.count() == len(histories) == 33

    figures = network_statistics()

    assert figures.today == TODAY
    today = Counter(phase_on(periods, TODAY) for periods in histories.values())
    assert figures.by_phase == {phase: today[phase] for phase in Phase.values}
    assert figures.by_phase["construction"] == 8
    first_year = min(start.year for periods in histories.values() for _phase, start in periods)
    assert figures.years == list(range(first_year, 2027)) == list(range(2015, 2027))
    for year in range(2015, 2026):
        on_31_december = Counter(phase_on(periods, D(year, 12, 31)) for periods in histories.values())
        assert figures.at_year_end[year] == {phase: on_31_december[phase] for phase in Phase.values}, year
    assert figures.at_year_end[2026] == figures.by_phase
    entries = Counter((start.year, phase) for periods in histories.values() for phase, start in periods)
    assert figures.entries == {
        year: {phase: entries[year, phase] for phase in Phase.values} for year in range(2015, 2027)
    }
    investigated = {
        slug: next(start for phase, start in periods if phase == "investigation")
        for slug, periods in histories.items()
        if any(phase == "investigation" for phase, _start in periods)
    }
    launched = Counter(start.year for start in investigated.values())
    assert figures.investigations_launched == dict(sorted(launched.items()))
    assert figures.investigations_launched == {
        2018: 1, 2019: 1, 2020: 4, 2021: 2, 2022: 2, 2023: 5, 2024: 4, 2025: 3, 2026: 2
    }  # fmt: skip
    phases_of = {slug: {phase for phase, _start in histories[slug]} for slug in investigated}
    current = {slug: histories[slug][-1][0] for slug in investigated}
    beyond = {"construction", "acceleration", "consolidation", "opere", "transfere"}
    expected = {
        "launched": len(investigated),
        "reached_construction": sum(bool(phases & beyond) for phases in phases_of.values()),
        "stopped_after_investigation": sum(phase == "abandon-investigation" for phase in current.values()),
        "stopped_later": sum(phase == "abandon" for phase in current.values()),
        "transferred": sum("transfere" in phases for phases in phases_of.values()),
        "investigating": sum(phase == "investigation" for phase in current.values()),
    }
    assert figures.total.counts() == expected
    assert expected == {
        "launched": 24,
        "reached_construction": 21,
        "stopped_after_investigation": 2,
        "stopped_later": 2,
        "transferred": 1,
        "investigating": 1,
    }
    assert figures.total.share("reached_construction") == round(100 * 21 / 24, 1) == 87.5


def test_the_page_shows_the_sample_figures_and_the_json_the_same(client, seeded):
    page = client.get(PAGE)
    data = client.get(JSON).json()

    assert page.status_code == 200
    tables = html_tables(page.content.decode())
    figures = network_statistics()
    assert tables["chart-produits-par-phase-table"] == [
        [str(Phase(phase).label), str(count)] for phase, count in data["products_by_phase"].items()
    ]
    assert [row[1:] for row in tables["chart-phases-fin-d-annee-table"]] == [
        [str(n) for n in data["products_by_phase_at_year_end"][str(year)].values()] for year in figures.years
    ]
    assert [row[1:] for row in tables["chart-entrees-par-an-table"]] == [
        [str(n) for n in data["phase_entries_per_year"][str(year)].values()] for year in figures.years
    ]
    assert tables["chart-investigations-table"] == [
        [str(row["year"]), *(str(value) for key, value in row.items() if key != "year")]
        for row in data["investigations"]["per_year"]
    ]
    shares = [row[1].replace(",", ".") for row in tables["chart-devenir-des-investigations-table"]]
    assert shares == [str(share) for share in data["investigations"]["shares_percent"].values()]
    assert data["investigations"]["total"]["launched"] == 24
    assert data["investigations"]["shares_percent"]["reached_construction"] == 87.5
    outcomes = text_of(page)
    assert "24 " in outcomes
    assert "87,5 %" in outcomes


def test_a_csv_file_holds_its_chart_s_table(client, seeded):
    response = client.get(reverse("portfolio:statistics_csv", args=["investigations"]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="statistiques-investigations.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    chart = network_statistics().chart("investigations")
    assert rows[0] == [str(label) for label in chart.header]
    assert rows[1:] == [[str(cell) for cell in row] for row in chart.rows]
    assert [int(row[1]) for row in rows[1:]] == [1, 1, 4, 2, 2, 5, 4, 3, 2]  # launched, 2018 to 2026


def test_an_unknown_csv_is_a_404(client):
    assert client.get(reverse("portfolio:statistics_csv", args=["inconnu"])).status_code == 404


# Public facts only, and the year-end rule ---------------------------------------------------------


def test_an_unpublished_product_is_not_counted(client, incubator_a):
    StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=D(2024, 3, 1))
    StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=D(2024, 5, 1), is_published=False)

    figures = network_statistics(today=D(2026, 12, 1))
    data = client.get(JSON).json()

    assert figures.by_phase["investigation"] == 1
    assert figures.investigations_launched == {2024: 1}
    assert data["products_by_phase"]["investigation"] == 1
    assert data["investigations"]["total"]["launched"] == 1


def test_a_period_counts_at_the_end_of_each_year_it_is_in_force(incubator_a, member_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=D(2023, 3, 1))
    change_phase(startup=startup, phase=Phase.CONSTRUCTION, start=D(2023, 12, 31), actor=member_a)
    change_phase(startup=startup, phase=Phase.ACCELERATION, start=D(2025, 6, 1), actor=member_a)
    other = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=D(2024, 2, 1))
    change_phase(startup=other, phase=Phase.ABANDONED_INVESTIGATION, start=D(2024, 4, 1), actor=member_a)

    figures = network_statistics(today=D(2026, 1, 10))

    assert figures.years == [2023, 2024, 2025, 2026]
    in_force = {year: {p: n for p, n in phases.items() if n} for year, phases in figures.at_year_end.items()}
    assert in_force == {
        2023: {"construction": 1},  # construction began on 31 December
        2024: {"construction": 1, "abandon-investigation": 1},
        2025: {"acceleration": 1, "abandon-investigation": 1},
        2026: {"acceleration": 1, "abandon-investigation": 1},
    }
    assert figures.entries[2023] == {**dict.fromkeys(Phase.values, 0), "investigation": 1, "construction": 1}
    assert figures.total.counts() == {
        "launched": 2,
        "reached_construction": 1,
        "stopped_after_investigation": 1,
        "stopped_later": 0,
        "transferred": 0,
        "investigating": 0,
    }


def test_the_figures_stand_on_the_day_asked(incubator_a, member_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=D(2024, 1, 8))
    change_phase(startup=startup, phase=Phase.CONSTRUCTION, start=D(2024, 3, 11), actor=member_a)

    before = network_statistics(today=D(2024, 2, 1))
    after = network_statistics(today=D(2024, 6, 1))

    assert (before.by_phase["investigation"], before.by_phase["construction"]) == (1, 0)
    assert (before.total.investigating, before.total.reached_construction) == (1, 0)
    assert (after.by_phase["investigation"], after.by_phase["construction"]) == (0, 1)
    assert (after.total.investigating, after.total.reached_construction) == (0, 1)


def test_no_product_no_figures(client):
    response = client.get(PAGE)

    assert response.status_code == 200
    assert network_statistics().years == []
    assert "chart-produits-par-phase" not in response.content.decode()


# Access: the same public figures for everyone; only GET and HEAD -------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "team_member", "member_a", "member_b", "network_admin"])
def test_everyone_reads_the_same_public_figures(as_product_persona, incubator_a, persona):
    # and startup_a (the team member's), in construction too
    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION, phase_start=D(2024, 3, 1))
    StartupFactory(incubator=incubator_a, phase=Phase.CONSTRUCTION, phase_start=D(2024, 3, 1), is_published=False)
    client = as_product_persona(persona)

    page = client.get(PAGE)
    data = client.get(JSON).json()

    assert page.status_code == 200
    construction = html_tables(page.content.decode())["chart-produits-par-phase-table"][1]
    assert construction == [str(Phase.CONSTRUCTION.label), "2"]
    assert data["products_by_phase"]["construction"] == 2


@pytest.mark.parametrize("url", [PAGE, JSON, reverse("portfolio:statistics_csv", args=["produits-par-phase"])])
def test_the_statistics_answer_only_get_and_head(client, url):
    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200


def test_the_json_is_cached_with_its_etag(client, incubator_a, member_a, django_assert_num_queries):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=D(2024, 3, 1))
    first = client.get(JSON)

    with django_assert_num_queries(1):  # the fingerprint
        again = client.get(JSON, headers={"if-none-match": first["ETag"]})
    change_phase(startup=startup, phase=Phase.CONSTRUCTION, start=D(2024, 6, 1), actor=member_a)
    changed = client.get(JSON, headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304
    assert first["Cache-Control"] == "public, max-age=300"
    assert changed.status_code == 200
    assert changed.json()["products_by_phase"]["construction"] == 1


def test_the_json_is_rate_limited_with_the_other_documents(client, settings):
    settings.OPEN_DATA_RATE_LIMIT = "2/m"

    answers = [client.get(url).status_code for url in (reverse("portfolio:startups_json"), JSON, JSON)]

    assert answers == [200, 200, 429]


# Queries: constant with the number of products -------------------------------------------------


def many_products(incubator, count):
    """``count`` published products with two periods each (investigation, then construction)."""
    startups = Startup.objects.bulk_create(
        Startup(
            slug=f"volume-{n}", name=f"Produit {n}", pitch="Un service.", incubator=incubator, phase=Phase.CONSTRUCTION
        )
        for n in range(count)
    )
    PhasePeriod.objects.bulk_create(
        period
        for n, startup in enumerate(startups)
        for period in (
            PhasePeriod(
                startup=startup, phase=Phase.INVESTIGATION, start=D(2018 + n % 8, 1, 2), end=D(2018 + n % 8, 3, 5)
            ),
            PhasePeriod(startup=startup, phase=Phase.CONSTRUCTION, start=D(2018 + n % 8, 3, 5)),
        )
    )


@pytest.mark.parametrize("count", [1, 300])
def test_statistics_page_query_count(client, incubator_a, django_assert_num_queries, count):
    many_products(incubator_a, count)

    with django_assert_num_queries(2):  # the periods by phase and year, the investigations by year
        response = client.get(PAGE)

    assert response.status_code == 200
    assert network_statistics().by_phase["construction"] == count


@pytest.mark.parametrize("count", [1, 300])
def test_statistics_csv_and_json_query_count(client, incubator_a, django_assert_num_queries, count):
    many_products(incubator_a, count)

    with django_assert_num_queries(2):
        client.get(reverse("portfolio:statistics_csv", args=["phases-fin-d-annee"]))
    with django_assert_num_queries(3):  # the fingerprint, then the two of the build
        client.get(JSON)


# Helpers ----------------------------------------------------------------------------------------


class TableReader(HTMLParser):
    """{id of each table: [[cell texts] of each body row]}."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell, self.in_body = {}, None, None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.current = self.tables.setdefault(attrs.get("id"), [])
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_tables(html):
    reader = TableReader()
    reader.feed(html)
    return reader.tables


def text_of(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_outcomes_have_their_own_labels_not_the_phases(incubator_a):
    # "Transferred" as an outcome of the investigations ("Transférées", like "Passées en
    # construction") is not the phase's label ("Transféré"): two messages to translate apart.
    StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION)
    statistics = network_statistics()

    outcome_labels = {str(label) for label in statistics.chart("devenir-des-investigations").categories}
    phase_labels = {str(phase.label) for phase in Phase}

    assert len(outcome_labels) == 5
    assert outcome_labels.isdisjoint(phase_labels)

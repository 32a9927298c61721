"""An anonymous visitor reads the results in public (issue 13, item 4): an incubator's public page
(its products by phase, the committees it held, its calls), then the network's statistics from the
header, and downloads a chart's figures as CSV; axe-core checks both pages, and every chart is an
SVG with a text alternative (its title) and its data table.

Selectors use ids and URLs rather than texts: the French catalogue of these pages is merged later.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import Call
from calls.tests.factories import CallFactory
from committees.models import Committee
from committees.tests.factories import CommitteeFactory, paris
from incubator.tests.factories import IncubatorFactory
from portfolio.models import Phase
from portfolio.services import change_phase
from portfolio.tests.factories import StartupFactory

from .accessibility import console_collector, format_violations

pytestmark = [pytest.mark.browser]

D = datetime.date


@pytest.fixture
def public_results(transactional_db):
    fabrique = IncubatorFactory(slug="fabrique-a", title="Fabrique A")
    today = timezone.localdate()
    products = [
        (
            "carte-des-arbres",
            "Carte des arbres",
            [(Phase.INVESTIGATION, D(2023, 2, 6)), (Phase.CONSTRUCTION, D(2023, 4, 10))],
        ),
        ("aide-au-velo", "Aide au vélo", [(Phase.INVESTIGATION, D(2024, 9, 2))]),
        (
            "registre-des-haies",
            "Registre des haies",
            [
                (Phase.INVESTIGATION, D(2022, 3, 7)),
                (Phase.CONSTRUCTION, D(2022, 6, 1)),
                (Phase.ACCELERATION, D(2024, 1, 8)),
            ],
        ),
        (
            "bornes-a-eau",
            "Bornes à eau",
            [(Phase.INVESTIGATION, D(2024, 1, 15)), (Phase.ABANDONED_INVESTIGATION, D(2024, 3, 18))],
        ),
    ]
    for slug, name, history in products:
        (first, start), *later = history
        startup = StartupFactory(slug=slug, name=name, incubator=fabrique, phase=first, phase_start=start)
        for phase, day in later:
            change_phase(startup=startup, phase=phase, start=day, actor=None, may_override=True, reason="Historique")
    StartupFactory(slug="brouillon", name="Produit non publié", incubator=fabrique, is_published=False)
    arbres = fabrique.startups.get(slug="carte-des-arbres")
    for months_ago in (2, 5):
        CommitteeFactory(
            startup=arbres, scheduled_at=paris(today - datetime.timedelta(days=30 * months_ago)),
            status=Committee.Status.HELD,
        )  # fmt: skip
    CallFactory(slug="appel-2026", title="Appel à intrapreneurs 2026", incubator=fabrique)
    CallFactory(
        slug="appel-2025", title="Appel à intrapreneurs 2025", incubator=fabrique, status=Call.Status.ARCHIVED,
        opens_at=timezone.now() - datetime.timedelta(days=400), closes_at=timezone.now() - datetime.timedelta(days=370),
    )  # fmt: skip
    CallFactory(slug="appel-brouillon", title="Appel en préparation", incubator=fabrique, status=Call.Status.DRAFT)
    return fabrique


def test_visitor_reads_an_incubator_s_results_and_the_network_statistics(live_server, public_results, page, axe_check):
    console_errors = console_collector(page)
    blocking = {}

    # The incubator's public page: its products by phase, its committees, its calls.
    page.goto(live_server.url + reverse("incubator:incubator_detail", kwargs={"slug": "fabrique-a"}))
    main = page.locator("main")
    expect(page.locator("h1")).to_have_text("Fabrique A")
    expect(main.locator("#phase-construction + ul a")).to_have_attribute("href", "/produits/carte-des-arbres/")
    expect(main.locator("#phase-acceleration + ul")).to_contain_text("Registre des haies")
    expect(main).not_to_contain_text("Produit non publié")
    expect(main.locator("#committees-held")).to_contain_text("2")
    expect(main.locator("a[href='/appels/appel-2026/']")).to_be_visible()
    expect(main.locator("a[href='/appels/appel-2025/']")).to_be_visible()
    expect(main).not_to_contain_text("Appel en préparation")
    expect(main.locator("svg[role='img'] title")).to_have_count(2)  # products by phase, committees per month
    blocking["incubator"] = axe_check("incubator")

    # The statistics, from the header.
    page.locator("#navigation a[href='/statistiques/']").click()
    expect(page).to_have_url(live_server.url + reverse("portfolio:statistics"))
    expect(page.locator("h1")).to_have_count(1)
    figures = main.locator("figure")
    expect(figures).to_have_count(5)
    for n in range(5):
        figure = figures.nth(n)
        expect(figure.locator("svg[role='img'] title")).not_to_be_empty()
        expect(figure.locator("table tbody tr").first).to_be_visible()
    phases = main.locator("#chart-produits-par-phase-table tbody tr")
    expect(phases.nth(1)).to_contain_text("1")  # construction
    expect(main.locator("#investigation-outcomes")).to_contain_text("4")
    blocking["statistics"] = axe_check("statistics")

    # A chart's figures as CSV.
    with page.expect_download() as download:
        main.locator("a[href='/statistiques/investigations.csv']").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")), delimiter=";"))

    assert [row[:3] for row in rows[1:]] == [["2022", "1", "1"], ["2023", "1", "1"], ["2024", "2", "0"]]
    assert console_errors == []
    assert blocking == {"incubator": [], "statistics": []}, "\n".join(
        f"{name}:\n{format_violations(found)}" for name, found in blocking.items() if found
    )

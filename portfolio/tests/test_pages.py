"""What the portfolio pages show: filters, CSV, timeline, JSON, bad input, query counts."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator.tests.factories import OrganisationFactory
from portfolio.models import Measurement, Phase, Startup, TeamMembership, Theme
from portfolio.services import change_phase
from portfolio.tests.factories import IndicatorFactory, MeasurementFactory, StartupFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_list_filters_by_phase_theme_sponsor_and_search(manager, incubator_a):
    dinum = OrganisationFactory(acronym="DINUM")
    StartupFactory(slug="alpha", name="Alpha", incubator=incubator_a, phase=Phase.CONSTRUCTION, themes=[Theme.HEALTH])
    beta = StartupFactory(slug="beta", name="Beta", incubator=incubator_a, pitch="Cartographie des arbres")
    beta.sponsors.set([dinum])

    def names(**params):
        response = manager.get(reverse("portfolio:startup_list"), params)
        assert response.status_code == 200
        return [startup.name for startup in response.context["startups"]]

    assert names() == ["Alpha", "Beta"]
    assert names(phase="construction") == ["Alpha"]
    assert names(theme="sante") == ["Alpha"]
    assert names(sponsor="DINUM") == ["Beta"]
    assert names(q="arbres") == ["Beta"]
    assert names(sort="-name") == ["Beta", "Alpha"]


def test_list_filters_products_without_update_for_three_months(manager, incubator_a):
    StartupFactory(slug="recent", name="Récent", incubator=incubator_a)
    old = StartupFactory(slug="ancien", name="Ancien", incubator=incubator_a)
    Startup.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=120))

    response = manager.get(reverse("portfolio:startup_list"), {"stale": "true"})

    assert [startup.name for startup in response.context["startups"]] == ["Ancien"]


def test_unknown_filter_value_is_a_400_with_a_french_message_keeping_the_other_values(manager, incubator_a):
    StartupFactory(incubator=incubator_a)

    response = manager.get(reverse("portfolio:startup_list"), {"phase": "inconnue", "q": "arbres"})

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.text
    assert 'value="arbres"' in response.text
    assert list(response.context["startups"]) == []


def test_csv_export_follows_the_filters(manager, incubator_a):
    StartupFactory(slug="alpha", name="Alpha", incubator=incubator_a, phase=Phase.CONSTRUCTION)
    StartupFactory(slug="beta", name="Beta", incubator=incubator_a)

    response = manager.get(reverse("portfolio:startup_list"), {"phase": "construction", "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nom", "Incubateur", "Phase"]
    assert [row[0] for row in rows[1:]] == ["Alpha"]
    assert rows[1][2:4] == ["Construction", "2025-01-06"]
    assert rows[1][-1] == "http://testserver/portefeuille/alpha/"


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(1)", "\tx", "\rx"])
def test_csv_export_writes_a_team_typed_formula_as_text(manager, incubator_a, payload):
    """A name a spreadsheet would run (CSV injection) is written with a leading quote."""
    StartupFactory(slug="piege", name=payload, incubator=incubator_a)

    response = manager.get(reverse("portfolio:startup_list"), {"format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [f"'{payload}"]


def test_product_page_shows_timeline_with_durations_team_and_measurements(manager, startup_a, member_a):
    change_phase(startup=startup_a, phase=Phase.ACCELERATION, start=D(2025, 7, 7), actor=member_a)
    TeamMembershipFactory(startup=startup_a, user=None, name="Inès Intra", role=TeamMembership.Role.INTRAPRENEUR)
    MeasurementFactory(indicator=startup_a.indicators.get(), date=D(2025, 6, 1), value=120)

    response = manager.get(startup_a.get_absolute_url())

    text = response.text
    assert "Du 06/01/2025 au 07/07/2025 (6 mois)" in text
    assert "Depuis le 07/07/2025" in text
    assert "Inès Intra" in text
    assert "<polyline" in text
    assert "<td>01/06/2025</td><td>120</td>" in text
    assert "Phase « Accélération » commencée" in text


def test_phase_change_page_refuses_an_illegal_move_without_reason_and_keeps_the_input(manager, startup_a):
    response = manager.post(
        reverse("portfolio:phase_change", kwargs={"slug": startup_a.slug}),
        {"phase": "investigation", "start": "2025-05-05", "reason": ""},
    )

    assert response.status_code == 200
    assert "indiquez-en le motif" in response.text
    assert 'value="2025-05-05"' in response.text
    assert startup_a.periods.count() == 1


@pytest.mark.parametrize("start", ["2025-13-45", "pas une date"])
def test_phase_change_page_refuses_an_invalid_date(manager, startup_a, start):
    response = manager.post(
        reverse("portfolio:phase_change", kwargs={"slug": startup_a.slug}), {"phase": "acceleration", "start": start}
    )

    assert response.status_code == 200
    assert "Saisissez une date valide." in response.text
    assert startup_a.periods.count() == 1


def test_sheet_edit_refuses_an_invalid_url_and_keeps_every_value(manager, startup_a):
    response = manager.post(
        reverse("portfolio:startup_update", kwargs={"slug": startup_a.slug}),
        {
            "name": "Nom modifié",
            "pitch": "Pitch modifié",
            "website": "pas une url",
            "accessibility_status": "non-conforme",
            "dsfr_status": "non",
            "themes": ["sante"],
        },
    )

    assert response.status_code == 200
    assert "Saisissez une URL valide." in response.text
    assert 'value="Nom modifié"' in response.text
    assert 'value="pas une url"' in response.text
    assert (
        'value="sante" checked' in response.text
        or 'checked value="sante"' in response.text
        or (response.context["form"]["themes"].value() == ["sante"])
    )
    assert Startup.objects.get(pk=startup_a.pk).name == "Produit A"


def test_negative_measurement_is_refused_when_the_unit_forbids_it(manager, startup_a):
    indicator = startup_a.indicators.get()

    response = manager.post(
        reverse("portfolio:measurement_add", kwargs={"slug": startup_a.slug, "pk": indicator.pk}),
        {"date": "2025-06-01", "value": "-3"},
    )

    assert response.status_code == 200
    assert "Cet indicateur ne peut pas être négatif." in response.text
    assert 'value="-3"' in response.text
    assert not Measurement.objects.exists()


def test_negative_measurement_is_accepted_when_the_indicator_allows_it(manager, startup_a):
    indicator = IndicatorFactory(startup=startup_a, name="Écart au budget", allows_negative=True)

    response = manager.post(
        reverse("portfolio:measurement_add", kwargs={"slug": startup_a.slug, "pk": indicator.pk}),
        {"date": "2025-06-01", "value": "-3"},
    )

    assert response.status_code == 302
    assert Measurement.objects.get().value == -3


def test_public_page_hides_personal_emails_and_flags_a_stale_sheet(client, startup_a):
    TeamMembershipFactory(startup=startup_a, user=None, name="Inès Intra", email="ines.intra@example.gouv.fr")
    Startup.objects.filter(pk=startup_a.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=400), contact_email="personne@example.gouv.fr"
    )

    response = client.get(startup_a.get_public_url())

    assert "@" not in response.text.split('id="content"')[1].split('id="footer"')[0]
    assert "Cette fiche n'est peut-être plus à jour" in response.text


def test_startups_json_lists_public_fields_and_phase_history(client, startup_a, member_a):
    change_phase(startup=startup_a, phase=Phase.ACCELERATION, start=D(2025, 7, 7), actor=member_a)
    startup_a.contact_email = "personne@example.gouv.fr"
    startup_a.save()

    data = client.get(reverse("portfolio:startups_json")).json()

    (entry,) = data["startups"]
    assert entry["slug"] == "produit-a"
    assert entry["phases"] == [
        {"phase": "construction", "start": "2025-01-06", "end": "2025-07-07"},
        {"phase": "acceleration", "start": "2025-07-07", "end": None},
    ]
    assert "contact_email" not in entry
    assert "personne@example.gouv.fr" not in str(data)


def test_incubators_json_lists_active_incubators(client, incubator_a, incubator_b):
    incubator_b.is_active = False
    incubator_b.save()

    data = client.get(reverse("portfolio:incubators_json")).json()

    assert [incubator["slug"] for incubator in data["incubators"]] == ["fabrique-a"]


def make_products(incubator, count):
    sponsor = OrganisationFactory(acronym="SPONSOR")
    for startup in StartupFactory.create_batch(count, incubator=incubator):
        startup.sponsors.set([sponsor])
        TeamMembershipFactory(startup=startup, user=None, name="Quelqu'un")


@pytest.mark.parametrize("count", [1, 30])
def test_portfolio_list_query_count(manager, incubator_a, django_assert_num_queries, count):
    make_products(incubator_a, count)

    with django_assert_num_queries(9):  # session, user, perms, count, page, sponsors, filter choices, header
        manager.get(reverse("portfolio:startup_list"))


@pytest.mark.parametrize("count", [1, 30])
def test_csv_export_query_count(manager, incubator_a, django_assert_num_queries, count):
    make_products(incubator_a, count)

    with django_assert_num_queries(5):  # with the audit log's row
        manager.get(reverse("portfolio:startup_list"), {"format": "csv"})


@pytest.mark.parametrize("count", [1, 30])
def test_public_directory_query_count(client, incubator_a, django_assert_num_queries, count):
    make_products(incubator_a, count)

    with django_assert_num_queries(4):
        client.get(reverse("portfolio:directory"))


@pytest.mark.parametrize("count", [1, 30])
def test_product_page_query_count(manager, startup_a, member_a, django_assert_num_queries, count):
    indicator = startup_a.indicators.get()
    for day in range(count):
        TeamMembershipFactory(startup=startup_a, user=None, name=f"Membre {day}")
        MeasurementFactory(indicator=indicator, date=D(2025, 2, 1) + datetime.timedelta(days=day), value=day)
    phases = [Phase.ACCELERATION, Phase.CONSOLIDATION, Phase.OPERATED][: min(count, 3)]
    for offset, phase in enumerate(phases):
        change_phase(
            startup=startup_a, phase=phase, start=D(2025, 6, 1) + datetime.timedelta(days=offset), actor=member_a
        )

    # The page's own 14 (its events among them; the rules' one query), the header's facts, and one
    # query for each panel and time line source: the committees (their panel, their time line
    # entries), the call application it came from, the standards' scorecard, the community's
    # suggestions and open requests.
    with django_assert_num_queries(21):
        manager.get(startup_a.get_absolute_url())


@pytest.mark.parametrize("count", [1, 30])
def test_public_product_page_query_count(client, startup_a, django_assert_num_queries, count):
    for day in range(count):
        TeamMembershipFactory(startup=startup_a, user=None, name=f"Membre {day}")

    with django_assert_num_queries(5):  # the product, its periods, its public events, its incubators, its sponsors
        client.get(startup_a.get_public_url())


def test_description_markdown_is_rendered_and_sanitised(client, startup_a):
    startup_a.description = (
        "# Contexte\n\nLes **agents** perdent du temps.\n\n<script>alert(1)</script>\n\n- un\n- deux"
    )
    startup_a.save()

    response = client.get(startup_a.get_public_url())

    assert "<h3>Contexte</h3>" in response.text
    assert "<strong>agents</strong>" in response.text
    assert "<li>un</li>" in response.text
    assert "<script>alert(1)" not in response.text  # raw HTML is shown as text, never run
    assert response.text.count("<h1") == 1


def test_a_url_typed_without_scheme_is_read_as_https(manager, startup_a):
    manager.post(
        reverse("portfolio:startup_update", kwargs={"slug": startup_a.slug}),
        {
            "name": "Produit A",
            "pitch": "Pitch",
            "website": "produit-a.beta.gouv.fr",
            "accessibility_status": "non-conforme",
            "dsfr_status": "non",
        },
    )

    assert Startup.objects.get(pk=startup_a.pk).website == "https://produit-a.beta.gouv.fr"


def test_history_names_the_changed_fields_as_people_read_them(manager, startup_a):
    manager.post(
        reverse("portfolio:startup_update", kwargs={"slug": startup_a.slug}),
        {
            "name": "Produit A",
            "pitch": "Un autre pitch",
            "accessibility_status": "non-conforme",
            "dsfr_status": "non",
            "is_published": "on",
        },
    )

    response = manager.get(startup_a.get_absolute_url())

    assert "Fiche modifiée</strong> — phrase de présentation" in response.text


@pytest.mark.parametrize("sort", ["-next_committee", "name,-next_committee"])
def test_the_list_sorts_by_another_apps_sort_alone_or_after_another(manager, incubator_a, sort):
    # The other apps' annotations are built as soon as a filter or a sort is asked (PortfolioListView).
    make_products(incubator_a, 2)

    response = manager.get(reverse("portfolio:startup_list"), {"sort": sort})

    assert response.status_code == 200
    assert len(response.context["startups"]) == 2

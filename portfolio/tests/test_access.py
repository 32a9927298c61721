"""Access tables of every portfolio page, for GET and POST, with the product personas."""

import datetime

import pytest
from django.urls import reverse

from incubator.tests.access import assert_status
from portfolio.models import Measurement, Phase, Startup, TeamMembership

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "team_member", "member_a", "member_b", "network_admin"]


def url(name, startup, **kwargs):
    return reverse(f"portfolio:{name}", kwargs={"slug": startup.slug, **kwargs})


@pytest.mark.parametrize(
    ("persona", "expected", "lists_product"),
    [
        ("anonymous", "login", False),
        ("team_member", 200, True),
        ("member_a", 200, True),
        ("member_b", 200, False),
        ("network_admin", 200, True),
    ],
)
def test_portfolio_list_access(as_product_persona, startup_a, persona, expected, lists_product):
    response = as_product_persona(persona).get(reverse("portfolio:startup_list"))

    assert_status(response, expected)
    assert ("Produit A" in response.text) is lists_product


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", "login"), ("team_member", 200), ("member_a", 200), ("member_b", 404), ("network_admin", 200)],
)
@pytest.mark.parametrize("page", ["startup_detail", "startup_update", "team_add", "indicator_add"])
def test_product_pages_get_access(as_product_persona, startup_a, persona, expected, page):
    response = as_product_persona(persona).get(url(page, startup_a))

    assert_status(response, expected)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", "login"), ("team_member", 403), ("member_a", 200), ("member_b", 404), ("network_admin", 200)],
)
def test_phase_page_get_access(as_product_persona, startup_a, persona, expected):
    assert_status(as_product_persona(persona).get(url("phase_change", startup_a)), expected)


@pytest.mark.parametrize(
    ("persona", "expected", "moved"),
    [
        ("anonymous", "login", False),
        ("team_member", 403, False),
        ("member_a", 302, True),
        ("member_b", 404, False),
        ("network_admin", 302, True),
    ],
)
def test_phase_change_post_access(as_product_persona, startup_a, persona, expected, moved):
    response = as_product_persona(persona).post(
        url("phase_change", startup_a), {"phase": "acceleration", "start": "2025-09-01", "reason": ""}
    )

    assert_status(response, expected)
    startup_a.refresh_from_db()
    assert startup_a.phase == (Phase.ACCELERATION if moved else Phase.CONSTRUCTION)
    assert startup_a.periods.count() == (2 if moved else 1)


@pytest.mark.parametrize(
    ("persona", "expected", "saved"),
    [
        ("anonymous", "login", False),
        ("team_member", 302, True),
        ("member_a", 302, True),
        ("member_b", 404, False),
        ("network_admin", 302, True),
    ],
)
def test_sheet_edit_post_access(as_product_persona, startup_a, persona, expected, saved):
    response = as_product_persona(persona).post(
        url("startup_update", startup_a),
        {
            "name": "Produit A renommé",
            "pitch": "Nouveau pitch",
            "accessibility_status": "non-conforme",
            "dsfr_status": "non",
        },
    )

    assert_status(response, expected)
    assert Startup.objects.get(pk=startup_a.pk).name == ("Produit A renommé" if saved else "Produit A")


@pytest.mark.parametrize(
    ("persona", "expected", "added"),
    [
        ("anonymous", "login", False),
        ("team_member", 302, True),
        ("member_a", 302, True),
        ("member_b", 404, False),
        ("network_admin", 302, True),
    ],
)
def test_team_add_post_access(as_product_persona, startup_a, persona, expected, added):
    response = as_product_persona(persona).post(
        url("team_add", startup_a),
        {"email": "nouvelle@example.gouv.fr", "name": "Nouvelle Recrue", "role": "developer", "start": "2025-02-01"},
    )

    assert_status(response, expected)
    assert startup_a.team.filter(name="Nouvelle Recrue").exists() is added


@pytest.mark.parametrize(
    ("persona", "expected", "removed"),
    [
        ("anonymous", "login", False),
        ("team_member", 302, True),
        ("member_a", 302, True),
        ("member_b", 404, False),
        ("network_admin", 302, True),
    ],
)
def test_team_remove_post_access(as_product_persona, startup_a, persona, expected, removed):
    other = TeamMembership.objects.create(startup=startup_a, name="Ancien Membre", role="designer")

    response = as_product_persona(persona).post(url("team_remove", startup_a, pk=other.pk))

    assert_status(response, expected)
    assert TeamMembership.objects.filter(pk=other.pk).exists() is not removed


@pytest.mark.parametrize(
    ("persona", "expected", "recorded"),
    [
        ("anonymous", "login", False),
        ("team_member", 302, True),
        ("member_a", 302, True),
        ("member_b", 404, False),
        ("network_admin", 302, True),
    ],
)
def test_measurement_post_access(as_product_persona, startup_a, persona, expected, recorded):
    indicator = startup_a.indicators.get()

    response = as_product_persona(persona).post(
        url("measurement_add", startup_a, pk=indicator.pk), {"date": "2025-06-01", "value": "42"}
    )

    assert_status(response, expected)
    assert Measurement.objects.filter(indicator=indicator, value=42).exists() is recorded


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", "login"), ("team_member", 403), ("member_a", 200), ("member_b", 200), ("network_admin", 200)],
)
def test_create_page_access(as_product_persona, startup_a, persona, expected):
    assert_status(as_product_persona(persona).get(reverse("portfolio:startup_create")), expected)


def test_manager_creates_a_product_only_in_an_incubator_they_manage(as_product_persona, incubator_a, incubator_b):
    client = as_product_persona("member_b")
    data = {
        "name": "Nouveau",
        "slug": "nouveau",
        "pitch": "Un pitch",
        "accessibility_status": "non-conforme",
        "dsfr_status": "non",
        "phase": "investigation",
        "phase_start": "2025-03-03",
    }

    refused = client.post(reverse("portfolio:startup_create"), {**data, "incubator": incubator_a.pk})
    accepted = client.post(reverse("portfolio:startup_create"), {**data, "incubator": incubator_b.pk})

    assert refused.status_code == 200
    assert "incubator" in refused.context["form"].errors
    assert accepted.status_code == 302
    startup = Startup.objects.get(slug="nouveau")
    assert startup.incubator == incubator_b
    assert list(startup.periods.values_list("phase", "start", "end")) == [
        ("investigation", datetime.date(2025, 3, 3), None)
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_pages_open_to_everyone(as_product_persona, startup_a, persona):
    client = as_product_persona(persona)

    assert client.get(reverse("portfolio:directory")).status_code == 200
    assert client.get(startup_a.get_public_url()).status_code == 200
    assert client.get(reverse("portfolio:startups_json")).status_code == 200
    assert client.get(reverse("portfolio:incubators_json")).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_unpublished_product_is_absent_from_public_pages(as_product_persona, startup_a, persona):
    startup_a.is_published = False
    startup_a.save()
    client = as_product_persona(persona)

    assert client.get(startup_a.get_public_url()).status_code == 404
    directory = client.get(reverse("portfolio:directory"))
    # The header may name a team member's own product; the directory's content may not.
    assert "Produit A" not in directory.text.split("<main", 1)[1]
    assert startup_a not in directory.context["startups"]
    assert client.get(reverse("portfolio:startups_json")).json() == {"startups": []}


@pytest.mark.parametrize(("persona", "status"), [("member_a", 302), ("network_admin", 200)])
@pytest.mark.parametrize("model", ["startup", "teammembership", "indicator", "measurement"])
def test_admin_pages_for_network_admins_only(as_product_persona, startup_a, persona, status, model):
    client = as_product_persona(persona)

    assert client.get(reverse(f"admin:portfolio_{model}_changelist"), {"q": "a"}).status_code == status
    assert client.get(reverse(f"admin:portfolio_{model}_add")).status_code == status


def test_admin_product_page_shows_periods_read_only(as_product_persona, startup_a):
    response = as_product_persona("network_admin").get(reverse("admin:portfolio_startup_change", args=[startup_a.pk]))

    assert response.status_code == 200
    assert "Construction" in response.text
    assert 'name="periods-0-phase"' not in response.text

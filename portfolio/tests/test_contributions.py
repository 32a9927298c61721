"""The portfolio's contributions to the core's registries: its pages open to other apps, its
dashboard tile and its personal-data provider."""

import datetime
import json

import pytest
from django.utils.translation import gettext

from incubator import personal_data, registry
from incubator.tests.factories import IncubatorFactory, UserFactory
from portfolio.contributions import PORTFOLIO_LIST, PRODUCT_PAGE, PRODUCT_SLOTS
from portfolio.models import Phase, TeamMembership
from portfolio.services import change_phase
from portfolio.tests.factories import IndicatorFactory, MeasurementFactory, StartupFactory, TeamMembershipFactory

D = datetime.date


def test_the_product_page_and_the_list_are_open_to_contributions():
    assert registry.page_slots(PRODUCT_PAGE) == PRODUCT_SLOTS
    assert registry.page_slots(PORTFOLIO_LIST) == ()


@pytest.mark.django_db
def test_products_by_phase_counts_an_incubators_products_co_incubated_included_in_one_query(
    django_assert_num_queries,
):
    mine, other = IncubatorFactory(), IncubatorFactory()
    StartupFactory.create_batch(2, incubator=mine, phase=Phase.CONSTRUCTION)
    StartupFactory(incubator=other, phase=Phase.ACCELERATION).other_incubators.add(mine)
    StartupFactory(incubator=other, phase=Phase.INVESTIGATION)
    tile = registry.get_tile("products_by_phase")

    with django_assert_num_queries(1):
        counts = tile.compute(None, registry.Scope(incubator=mine))

    assert {phase: n for phase, n in counts.items() if n} == {"construction": 2, "acceleration": 1}
    assert set(counts) == set(Phase.values)
    assert tile.compute(None, registry.Scope())["investigation"] == 1
    assert tile.link(registry.Scope(incubator=mine)) == f"/portefeuille/?incubator={mine.slug}"


@pytest.mark.django_db
def test_the_export_holds_the_persons_team_places_and_what_they_recorded_and_nothing_of_others():
    user = UserFactory(email="moi@example.gouv.fr")
    startup = StartupFactory(name="Produit A", phase=Phase.CONSTRUCTION)
    TeamMembershipFactory(startup=startup, user=user, role=TeamMembership.Role.DEVELOPER, start=D(2025, 2, 1))
    TeamMembershipFactory(startup=startup, user=None, name="Quelqu'un d'autre", email="autre@example.gouv.fr")
    MeasurementFactory(
        indicator=IndicatorFactory(startup=startup, name="Usagers"), date=D(2025, 6, 1), recorded_by=user
    )
    change_phase(startup=startup, phase=Phase.ACCELERATION, start=D(2025, 7, 1), actor=user)

    data = personal_data.get_provider("portfolio").export(user)

    assert data["team_memberships"] == [
        {"product": "Produit A", "role": "developer", "start": "2025-02-01", "end": None, "name": "", "email": ""}
    ]
    assert data["phase_changes_recorded"] == [{"product": "Produit A", "phase": "acceleration", "start": "2025-07-01"}]
    assert data["measurements_recorded"] == [{"product": "Produit A", "indicator": "Usagers", "date": "2025-06-01"}]
    text = json.dumps(data)
    assert "autre@example.gouv.fr" not in text
    assert "Quelqu'un" not in text


@pytest.mark.django_db
def test_erasure_keeps_the_teams_history_under_a_pseudonym():
    user = UserFactory(email="moi@example.gouv.fr", first_name="Camille", last_name="Martin")
    membership = TeamMembershipFactory(user=user, email="moi@example.gouv.fr")

    report = personal_data.get_provider("portfolio").erase(user, actor=user)

    membership.refresh_from_db()
    assert report["team_memberships"] == 1
    assert (membership.user, membership.name, membership.email) == (None, gettext("Former team member"), "")
    assert not TeamMembership.history.filter(user_id=user.pk).exists()
    assert set(TeamMembership.history.filter(id=membership.pk).values_list("email", flat=True)) == {""}

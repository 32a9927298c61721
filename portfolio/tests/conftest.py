import datetime

import pytest

from incubator.tests.factories import UserFactory
from portfolio.models import Phase
from portfolio.tests.factories import IndicatorFactory, StartupFactory, TeamMembershipFactory


@pytest.fixture
def startup_a(incubator_a):
    """A product of incubator A, in construction since 2025-01-06, with one indicator."""
    startup = StartupFactory(
        slug="produit-a",
        name="Produit A",
        incubator=incubator_a,
        phase=Phase.CONSTRUCTION,
        phase_start=datetime.date(2025, 1, 6),
    )
    IndicatorFactory(startup=startup, name="Usagers actifs")
    return startup


@pytest.fixture
def team_member(startup_a):
    return TeamMembershipFactory(startup=startup_a, user=UserFactory(email="equipe-a@example.gouv.fr")).user


@pytest.fixture
def product_personas(personas, team_member):
    """The personas of the product pages: anonymous, its team, its manager, another manager, an admin."""
    return {**personas, "team_member": team_member}


@pytest.fixture
def as_product_persona(sign_in, product_personas):
    return lambda name: sign_in(product_personas[name])

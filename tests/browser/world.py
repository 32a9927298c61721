"""The journeys' usual cast: Fabrique A and its manager, Rose Responsable; its product Carte des
arbres, in construction, and the product's intrapreneur, Inès Intra (no account)."""

import datetime

from incubator.models import Membership
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from portfolio.models import Phase, TeamMembership
from portfolio.tests.factories import StartupFactory


def fabrique_and_manager(**incubator_fields):
    fabrique = IncubatorFactory(slug="fabrique-a", title="Fabrique A", **incubator_fields)
    manager = UserFactory(email="responsable-a@example.gouv.fr", first_name="Rose", last_name="Responsable")
    MembershipFactory(user=manager, incubator=fabrique, role=Membership.Role.MANAGER)
    return fabrique, manager


def trees_map(fabrique, since=datetime.date(2025, 1, 6)):
    """Carte des arbres, in construction since ``since``."""
    return StartupFactory(
        slug="carte-des-arbres",
        name="Carte des arbres",
        incubator=fabrique,
        phase=Phase.CONSTRUCTION,
        phase_start=since,
    )


def add_intrapreneur(product):
    return TeamMembership.objects.create(
        startup=product, name="Inès Intra", email="ines@example.gouv.fr", role=TeamMembership.Role.INTRAPRENEUR
    )

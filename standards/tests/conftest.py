import importlib

import pytest
from django.apps import apps

from incubator.models import Membership
from incubator.tests.factories import MembershipFactory, UserFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory
from standards.models import Standard, StandardsVersion
from standards.tests.factories import StandardFactory, StandardsVersionFactory


@pytest.fixture
def criteria(db):
    """The current version as migration 0002 seeds it (again: a transactional test elsewhere may
    have emptied the table): its ten criteria, in order."""
    importlib.import_module("standards.migrations.0002_current_version").seed(apps, None)
    return list(Standard.objects.current().order_by("order", "pk"))


def make_current_version(count):
    """A new current version with ``count`` criteria (the others stop being current)."""
    StandardsVersion.objects.update(is_current=False)
    version = StandardsVersionFactory(is_current=True)
    return [StandardFactory(version=version, order=number) for number in range(count)]


@pytest.fixture
def startup_a(incubator_a):
    return StartupFactory(slug="produit-a", name="Produit A", incubator=incubator_a, phase=Phase.CONSTRUCTION)


@pytest.fixture
def team_member(startup_a):
    return TeamMembershipFactory(startup=startup_a, user=UserFactory(email="equipe-a@example.gouv.fr")).user


@pytest.fixture
def coach_a(incubator_a):
    """A coach of incubator A: sees its products, manages none."""
    return MembershipFactory(
        incubator=incubator_a, role=Membership.Role.COACH, user=UserFactory(email="coach-a@example.gouv.fr")
    ).user


@pytest.fixture
def people(personas, team_member, coach_a):
    return {**personas, "team_member": team_member, "coach_a": coach_a}

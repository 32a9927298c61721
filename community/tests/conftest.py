import pytest

from community.tests.factories import ResourceFactory, ResourceRequestFactory
from incubator.models import Membership
from incubator.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory
from tests.browser.conftest import artifacts_dir, axe_check, browser, page  # noqa: F401  (for test_browser.py)


@pytest.fixture
def handler(db):
    """The person who answers the requests of ``resource`` (no role in any incubator)."""
    return UserFactory(email="guichet@numerique.gouv.fr")


@pytest.fixture
def resource(handler):
    return ResourceFactory(slug="appui-design", title="Appui design", handlers=[handler])


@pytest.fixture
def startup_a(incubator_a):
    """A product of incubator A in acceleration, sponsored by a central administration."""
    return StartupFactory(
        slug="produit-a",
        name="Produit A",
        incubator=incubator_a,
        phase=Phase.ACCELERATION,
        sponsors=[OrganisationFactory(acronym="DGA", type="administration-centrale")],
    )


@pytest.fixture
def team_member(startup_a):
    return TeamMembershipFactory(startup=startup_a, user=UserFactory(email="equipe-a@example.gouv.fr")).user


@pytest.fixture
def other_team_member(incubator_a):
    """In the team of another product of the same incubator."""
    other = StartupFactory(slug="produit-a2", name="Produit A2", incubator=incubator_a)
    return TeamMembershipFactory(startup=other, user=UserFactory(email="equipe-a2@example.gouv.fr")).user


@pytest.fixture
def coach_a(incubator_a):
    return MembershipFactory(
        user=UserFactory(email="coach-a@example.gouv.fr"), incubator=incubator_a, role=Membership.Role.COACH
    ).user


@pytest.fixture
def request_a(resource, startup_a, team_member):
    """A submitted request of product A, by its team member."""
    return ResourceRequestFactory(resource=resource, startup=startup_a, requester=team_member)


@pytest.fixture
def community_personas(personas, team_member, other_team_member, handler, coach_a):
    """anonymous, team_member (of product A, the requester), other_team_member (another product of
    incubator A), coach_a, member_a (manager of incubator A), member_b (manager of incubator B),
    handler (answers the resource's requests), network_admin."""
    return {
        **personas,
        "team_member": team_member,
        "other_team_member": other_team_member,
        "coach_a": coach_a,
        "handler": handler,
    }


@pytest.fixture
def as_community_persona(sign_in, community_personas):
    return lambda name: sign_in(community_personas[name])

import datetime

import pytest
from django.utils import timezone

from committees.tests.factories import OUTSIDE_ATTENDEE_EMAIL, AttendeeFactory, CommitteeFactory, paris
from incubator.models import Membership
from incubator.tests.factories import MembershipFactory, UserFactory
from portfolio.models import Phase
from portfolio.tests.factories import StartupFactory, TeamMembershipFactory


@pytest.fixture
def startup_a(incubator_a):
    """A product of incubator A in construction since 2025-01-06."""
    return StartupFactory(
        slug="produit-a",
        name="Produit A",
        incubator=incubator_a,
        phase=Phase.CONSTRUCTION,
        phase_start=datetime.date(2025, 1, 6),
    )


@pytest.fixture
def team_member(startup_a):
    return TeamMembershipFactory(startup=startup_a, user=UserFactory(email="equipe-a@example.gouv.fr")).user


@pytest.fixture
def portfolio_manager_a(incubator_a):
    user = UserFactory(email="portefeuille-a@example.gouv.fr")
    MembershipFactory(user=user, incubator=incubator_a, role=Membership.Role.PORTFOLIO_MANAGER)
    return user


@pytest.fixture
def committee_a(startup_a, team_member, member_a):
    """A committee of product A in 20 days, with the intrapreneur and the manager as attendees."""
    committee = CommitteeFactory(
        startup=startup_a, scheduled_at=paris(timezone.localdate() + datetime.timedelta(days=20))
    )
    AttendeeFactory(
        committee=committee, user=team_member, name="Équipe A", email=team_member.email, role="intrapreneur"
    )
    AttendeeFactory(
        committee=committee, user=member_a, name="Manager A", email=member_a.email, role="incubator_manager"
    )
    return committee


@pytest.fixture
def committee_personas(personas, team_member, portfolio_manager_a, incubator_a):
    """anonymous, team_member (of product A), attendee (invited by email, no role anywhere: see
    ``invite_outside_attendee``), coach_a, juror_a and viewer_a (those roles in incubator A),
    member_a (manager of A), portfolio_manager_a, member_b (manager of B), network_admin."""
    others = {}
    for role in [Membership.Role.COACH, Membership.Role.JURY, Membership.Role.VIEWER]:
        name = {"jury": "juror"}.get(role, role)
        others[f"{name}_a"] = MembershipFactory(
            user=UserFactory(email=f"{name}-a@example.gouv.fr"), incubator=incubator_a, role=role
        ).user
    return {
        **personas,
        **others,
        "team_member": team_member,
        "attendee": UserFactory(email=OUTSIDE_ATTENDEE_EMAIL),
        "portfolio_manager_a": portfolio_manager_a,
    }


@pytest.fixture
def as_committee_persona(sign_in, committee_personas):
    return lambda name: sign_in(committee_personas[name])

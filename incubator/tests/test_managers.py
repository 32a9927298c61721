"""Who manages an incubator: one definition (``incubator.rules``), the same answer in every app.

A manager or a portfolio manager of an incubator manages it, and manages what belongs to it: its
calls, its products, and the products it co-incubates (``Startup.other_incubators``) with their
committees. A coach, a juror or a viewer of the same incubator manages nothing.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from calls.tests.factories import CallFactory
from committees.models import Committee
from committees.tests.factories import CommitteeFactory
from incubator.models import Incubator, Membership
from incubator.rules import managed_incubator_ids, manages_any
from incubator.tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from portfolio.models import Startup
from portfolio.tests.factories import StartupFactory

pytestmark = pytest.mark.django_db

ROLES_THAT_MANAGE = {
    Membership.Role.MANAGER: True,
    Membership.Role.PORTFOLIO_MANAGER: True,
    Membership.Role.COACH: False,
    Membership.Role.JURY: False,
    Membership.Role.VIEWER: False,
}


def member(incubator, role):
    return MembershipFactory(incubator=incubator, role=role, user=UserFactory(email=f"{role}@example.gouv.fr")).user


@pytest.mark.parametrize(("role", "manages"), ROLES_THAT_MANAGE.items())
def test_managed_incubator_ids_counts_the_manager_roles_only(incubator_a, incubator_b, role, manages):
    user = member(incubator_a, role)

    assert set(Incubator.objects.filter(pk__in=managed_incubator_ids(user))) == ({incubator_a} if manages else set())
    assert manages_any(user, [incubator_b.pk, incubator_a.pk]) is manages
    assert manages_any(user, [incubator_b.pk]) is False


def test_anonymous_and_network_admins_manage_no_incubator_by_membership(incubator_a, network_admin):
    assert not managed_incubator_ids(AnonymousUser()).exists()
    assert manages_any(AnonymousUser(), [incubator_a.pk]) is False
    assert manages_any(network_admin, [incubator_a.pk]) is False  # network admins pass by is_network_admin
    assert manages_any(network_admin, []) is False


@pytest.mark.parametrize(("role", "manages"), ROLES_THAT_MANAGE.items())
def test_a_partner_incubators_member_manages_the_co_incubated_product_as_the_rules_say(incubator_a, role, manages):
    partner = IncubatorFactory(slug="partenaire")
    startup = StartupFactory(incubator=incubator_a, name="Produit partagé")
    startup.other_incubators.add(partner)
    committee = CommitteeFactory(startup=startup)
    user = member(partner, role)

    assert user.has_perm("portfolio.change_phase", startup) is manages
    assert user.has_perm("committees.manage_committee", committee) is manages
    assert (startup in Startup.objects.managed_by(user)) is manages
    assert (committee in Committee.objects.visible_to(user)) is manages
    assert (committee in Committee.objects.in_calendar_of(user)) is manages


@pytest.mark.parametrize(("role", "manages"), ROLES_THAT_MANAGE.items())
def test_the_calls_of_an_incubator_are_managed_by_its_managers(incubator_a, incubator_b, role, manages):
    call = CallFactory(incubator=incubator_a)
    network_call = CallFactory(incubator=None)
    user = member(incubator_a, role)

    assert user.has_perm("calls.manage_calls") is manages
    assert user.has_perm("calls.manage_call", call) is manages
    assert user.has_perm("calls.manage_call", CallFactory(incubator=incubator_b)) is False
    assert user.has_perm("calls.manage_call", network_call) is False  # network admins' alone


def test_a_staff_network_admin_edits_incubators_in_the_admin_through_the_rule(client, incubator_a, member_a):
    """The admin asks ``incubator.change_incubator`` without an object: network admins (active
    staff) pass, with no model permission granted; a manager of the incubator is no staff."""
    staff = UserFactory(email="staff@example.gouv.fr", is_staff=True)
    url = reverse("admin:incubator_incubator_change", args=[incubator_a.pk])

    client.force_login(member_a)
    refused = client.get(url)
    client.force_login(staff)
    allowed = client.get(url)

    assert refused.status_code == 302
    assert allowed.status_code == 200
    assert allowed.context["original"] == incubator_a

"""Who may do what on a product (django-rules). Visibility itself is ``Startup.objects.visible_to``."""

import rules

from incubator.models import Membership
from incubator.rules import is_network_admin

from .models import TeamMembership

MANAGER_ROLES = Membership.MANAGER_ROLES


@rules.predicate
def manages_startup(user, startup):
    """A manager or portfolio manager of one of the product's incubators."""
    if not user.is_authenticated or startup is None:
        return False
    incubators = [startup.incubator_id, *startup.other_incubators.values_list("pk", flat=True)]
    return Membership.objects.filter(user=user, incubator__in=incubators, role__in=MANAGER_ROLES).exists()


@rules.predicate
def in_startup_team(user, startup):
    """A current member of the product's team with an account."""
    if not user.is_authenticated or startup is None:
        return False
    return TeamMembership.objects.current().filter(user=user, startup=startup).exists()


@rules.predicate
def manages_an_incubator(user):
    return user.is_authenticated and Membership.objects.filter(user=user, role__in=MANAGER_ROLES).exists()


can_manage = is_network_admin | manages_startup
rules.add_perm("portfolio.add_startup", is_network_admin | manages_an_incubator)
rules.add_perm("portfolio.change_phase", can_manage)
rules.add_perm("portfolio.change_startup", can_manage | in_startup_team)

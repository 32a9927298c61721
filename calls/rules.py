"""Who may do what with a call (django-rules). What exists for a manager is ``Call.objects.managed_by``:
another incubator's call is a 404 before any rule is asked.
"""

import rules

from incubator.models import Membership
from incubator.rules import is_network_admin
from portfolio.rules import MANAGER_ROLES, manages_an_incubator


@rules.predicate
def manages_call(user, call):
    """A manager or portfolio manager of the call's incubator (a network-wide call: network admins only)."""
    if not user.is_authenticated or call is None or call.incubator_id is None:
        return False
    return Membership.objects.filter(user=user, incubator_id=call.incubator_id, role__in=MANAGER_ROLES).exists()


can_manage_call = is_network_admin | manages_call

rules.add_perm("calls.manage_calls", is_network_admin | manages_an_incubator)
rules.add_perm("calls.manage_call", can_manage_call)

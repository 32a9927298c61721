"""Who may do what with a call (django-rules). What exists for a manager is ``Call.objects.managed_by``:
another incubator's call is a 404 before any rule is asked.

Who manages a call: the managers of its incubator, by the core's one definition
(``incubator.rules``); a network-wide call (no incubator) is the network admins' alone.
"""

import rules

from incubator.rules import is_network_admin, manages_an_incubator, manages_any


@rules.predicate
def manages_call(user, call):
    """A manager or portfolio manager of the call's incubator (a network-wide call: network admins only)."""
    if call is None:
        return False
    return manages_any(user, [call.incubator_id])


can_manage_call = is_network_admin | manages_call

rules.add_perm("calls.manage_calls", is_network_admin | manages_an_incubator)
rules.add_perm("calls.manage_call", can_manage_call)

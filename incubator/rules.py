"""Permission predicates of the core app (django-rules).

Querysets scoped to the user decide what exists for someone (``visible_to``); these
predicates decide what they may do with what they can see.
"""

import rules

from .models import Membership


@rules.predicate
def is_network_admin(user):
    return user.is_authenticated and user.is_network_admin


def has_incubator_role(*roles):
    """Predicate: the user holds one of ``roles`` in the incubator (any role when none given)."""

    @rules.predicate(name=f"has_incubator_role:{','.join(roles) or 'any'}")
    def predicate(user, incubator):
        if not user.is_authenticated or incubator is None:
            return False
        memberships = Membership.objects.filter(user=user, incubator=incubator)
        if roles:
            memberships = memberships.filter(role__in=roles)
        return memberships.exists()

    return predicate


is_incubator_member = has_incubator_role()
is_incubator_manager = has_incubator_role(Membership.Role.MANAGER)

rules.add_perm("incubator.view_incubator_space", is_network_admin | is_incubator_member)
rules.add_perm("incubator.change_incubator", is_network_admin | is_incubator_manager)

"""Who may do what on a product (django-rules). Visibility itself is ``Startup.objects.visible_to``.

Network coordinators read (every product, the cockpit: ``view_cockpit``) and change nothing: no
rule here that writes names them.

Who manages a product: the managers of one of its incubators, the principal one or a partner
(co-incubation), by the core's one definition (``incubator.rules``).
"""

import rules

from incubator.rules import is_network_admin, manages_an_incubator, manages_any, reads_network

from .models import TeamMembership


@rules.predicate
def manages_startup(user, startup):
    """A manager or portfolio manager of one of the product's incubators (co-incubation included)."""
    if not user.is_authenticated or startup is None:
        return False
    return manages_any(user, [startup.incubator_id, *startup.other_incubators.values_list("pk", flat=True)])


@rules.predicate
def in_startup_team(user, startup):
    """A current member of the product's team with an account."""
    if not user.is_authenticated or startup is None:
        return False
    return TeamMembership.objects.current().filter(user=user, startup=startup).exists()


can_manage = is_network_admin | manages_startup
rules.add_perm("portfolio.add_startup", is_network_admin | manages_an_incubator)
rules.add_perm("portfolio.change_phase", can_manage)
rules.add_perm("portfolio.change_startup", can_manage | in_startup_team)
# The network cockpit (portfolio/steering.py), a read: the network admins and coordinators.
rules.add_perm("portfolio.view_cockpit", reads_network)

"""Who may do what on a product (django-rules). Visibility itself is ``Startup.objects.visible_to``.

Network coordinators read (every product, the cockpit: ``view_cockpit``) and change nothing: no
rule here that writes names them.

Who manages a product: the managers of one of its incubators, the principal one or a partner
(co-incubation), by the core's one definition (``incubator.rules``).
"""

import rules
from django.db.models import Exists, OuterRef, Q

from incubator.rules import is_network_admin, managed_incubator_ids, manages_an_incubator, reads_network

from .models import Startup, TeamMembership


@rules.predicate
def manages_startup(user, startup):
    """A manager or portfolio manager of one of the product's incubators (co-incubation included):
    one query, once per product row and user (a page asks several rules of the same product)."""
    if not user.is_authenticated or startup is None:
        return False
    memo = startup.__dict__.setdefault("_managed_by", {})
    if user.pk not in memo:
        memo[user.pk] = managed(user, startup.pk, startup.incubator_id).exists()
    return memo[user.pk]


def managed(user, startup, incubator):
    """The memberships by which ``user`` manages the product (``startup``: its pk, or an ``OuterRef``)
    of principal ``incubator``."""
    partners = Startup.other_incubators.through.objects.filter(startup=startup).values("incubator")
    return managed_incubator_ids(user).filter(Q(incubator=incubator) | Q(incubator__in=partners))


def get_with_manager_rule(startups, user):
    """The one product of ``startups``, ``manages_startup(user, it)`` read in the same query."""
    startup = startups.annotate(manager_rule=Exists(managed(user, OuterRef(OuterRef("pk")), OuterRef("incubator_id"))))
    startup = startup.get()
    startup.__dict__.setdefault("_managed_by", {})[user.pk] = startup.manager_rule
    return startup


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

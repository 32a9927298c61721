"""Permission predicates of the core (django-rules), and the one definition of who manages an incubator.

Querysets scoped to the user decide what exists for someone (``visible_to``, ``managed_by``);
these predicates decide what they may do with what they can see.

Who manages an incubator: a member holding one of ``Membership.MANAGER_ROLES`` (incubator manager
or portfolio manager) in it. A thing that belongs to several incubators (a co-incubated product,
``Startup.other_incubators``) is managed by the managers of each of them: an app passes every
incubator id of the thing to ``manages_any``. Network admins are no managers by this definition:
each rule adds them with ``is_network_admin``. Network coordinators (``User.is_network_coordinator``)
read every incubator and change nothing: the visibility querysets let them see everything
(``reads_network``), and only the rules that read (``portfolio.view_cockpit``) name them, with
``reads_network``; no rule that changes data does. Every app's rules and visibility querysets go
through these helpers (``managed_incubator_ids`` inside a query, ``manages_any`` for one object);
``Incubator.objects.managed_by`` is the same definition for incubator rows, network admins
included.
"""

import rules

from .models import Membership


def managed_incubator_ids(user):
    """The ids of the incubators ``user`` manages, as a subquery (``Membership`` rows' ``incubator``
    column) to put in a filter: ``Q(incubator__in=managed_incubator_ids(user))``. None for anonymous."""
    if not user.is_authenticated:
        return Membership.objects.none().values("incubator")
    return Membership.objects.filter(user=user, role__in=Membership.MANAGER_ROLES).values("incubator")


def manages_any(user, incubator_ids):
    """Whether ``user`` manages one of the incubators ``incubator_ids`` (one query; none when empty)."""
    incubator_ids = [pk for pk in incubator_ids if pk is not None]
    if not user.is_authenticated or not incubator_ids:
        return False
    return Membership.objects.filter(user=user, incubator__in=incubator_ids, role__in=Membership.MANAGER_ROLES).exists()


@rules.predicate
def is_network_admin(user):
    return user.is_authenticated and user.is_network_admin


@rules.predicate
def reads_network(user):
    """A network admin or a network coordinator: reads every incubator's portfolio, committees and
    steering figures. For the rules that read only: a coordinator may change nothing."""
    return user.is_authenticated and user.reads_network


@rules.predicate
def manages_incubator(user, incubator):
    """A manager or portfolio manager of ``incubator``."""
    return incubator is not None and manages_any(user, [incubator.pk])


@rules.predicate
def manages_an_incubator(user):
    """A manager or portfolio manager of at least one incubator."""
    return user.is_authenticated and managed_incubator_ids(user).exists()


# The admin asks it without an object (``ModelAdmin.has_change_permission``): network admins.
rules.add_perm("incubator.change_incubator", is_network_admin | manages_incubator)

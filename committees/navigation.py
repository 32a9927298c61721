"""The committees' header entry (registered by ``CommitteesConfig.ready``): shown to those who run an
incubator (they plan committees) and to those who can see at least one committee (its team, its attendees)."""

from functools import reduce
from operator import or_

from django.db.models import BooleanField, Exists, ExpressionWrapper, Q
from django.utils.translation import gettext_lazy as _

from incubator import navigation

from .models import Committee, visibility_conditions


def sees_committees(user):
    """At least one committee visible to the user (``Committee.visible_to``), each way of seeing
    one its own ``EXISTS``: PostgreSQL stops at the first row of each, where one ``OR`` of the three
    read every committee the person's incubators hold."""
    if user.reads_network:
        return Exists(Committee.objects.all())
    ways = [Q(Exists(Committee.objects.filter(condition))) for condition in visibility_conditions(user)]
    return ExpressionWrapper(reduce(or_, ways), output_field=BooleanField())


def register_entries():
    navigation.register_fact("sees_committees", sees_committees)
    navigation.register(
        navigation.Entry(
            "committees",
            _("Committees"),
            "committees:committee_list",
            order=50,
            visible=lambda user, facts: navigation.runs_an_incubator(user, facts) or facts.sees_committees,
        )
    )

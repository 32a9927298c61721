"""The committees' header entry (registered by ``CommitteesConfig.ready``): shown to those who run an
incubator (they plan committees) and to those who can see at least one committee (its team, its attendees)."""

from django.db.models import Exists
from django.utils.translation import gettext_lazy as _

from incubator import navigation

from .models import Committee


def register_entries():
    navigation.register_fact("sees_committees", lambda user: Exists(Committee.objects.visible_to(user)))
    navigation.register(
        navigation.Entry(
            "committees",
            _("Committees"),
            "committees:committee_list",
            order=50,
            visible=lambda user, facts: navigation.runs_an_incubator(user, facts) or facts.sees_committees,
        )
    )

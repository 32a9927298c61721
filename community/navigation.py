"""The community's header entries (registered by ``CommunityConfig.ready``): the network's offer for
everyone (the catalogue, whence the events and "Mes demandes"), and the requests to answer for the
resources' handlers."""

from django.utils.translation import gettext_lazy as _

from incubator import navigation

from .models import handles_requests


def register_entries():
    navigation.register_fact("handles_requests", handles_requests)
    navigation.register(navigation.Entry("community", _("Network offer"), "community:resource_list", order=25))
    navigation.register(
        navigation.Entry(
            "community_queue",
            _("Requests to handle"),
            "community:queue",
            order=65,
            visible=lambda user, facts: facts.handles_requests,
        )
    )

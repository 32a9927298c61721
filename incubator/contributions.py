"""The core's sections of "Mon espace" (registered by ``IncubatorConfig.ready``): the person's
incubators and roles first, their account last; the apps' sections come between (``incubator.registry``)."""

from . import registry
from .models import Membership


def my_incubators(user):
    return {"memberships": Membership.objects.filter(user=user).for_list()}


def register_core_sections():
    registry.register_section(
        registry.Section("incubators", "incubator/includes/_my_incubators.html", context=my_incubators, order=10)
    )
    registry.register_section(registry.Section("account", "incubator/includes/_my_account.html", order=90))

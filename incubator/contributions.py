"""The core's sections of "Mon espace" (registered by ``IncubatorConfig.ready``): the person's
incubators and roles first, their account last; the apps' sections come between (``incubator.registry``).

``INCUBATOR_PAGE``, an incubator's public page, is open to panels (``declare_pages``). Its one slot,
``results``, under the incubator's facts, holds its public results, by ``order``: the apps add
their own (the products by phase, the committees held, the calls). A panel's template sees the
page's ``incubator``; its context is for anyone, signed in or not: public facts only, in one or two
queries whatever their number.
"""

from . import registry
from .models import Membership


def my_incubators(user):
    return {"memberships": Membership.objects.filter(user=user).for_list()}


INCUBATOR_PAGE = "incubator.incubator_detail"
INCUBATOR_SLOTS = ("results",)


def declare_pages():
    registry.declare_page(INCUBATOR_PAGE, slots=INCUBATOR_SLOTS)


def register_core_sections():
    registry.register_section(
        registry.Section("incubators", "incubator/includes/_my_incubators.html", context=my_incubators, order=10)
    )
    registry.register_section(registry.Section("account", "incubator/includes/_my_account.html", order=90))

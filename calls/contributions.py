"""What the calls add to other apps' pages (registered by ``CallsConfig.ready``; ``incubator.registry``):
their section of "Mon espace", the application a product was born from on its page, the open-calls tile."""

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from incubator import registry
from portfolio.contributions import PRODUCT_PAGE

from . import public_results
from .models import Application, Call
from .todo import todo_items


def my_space(user):
    return {"manages_calls": user.has_perm("calls.manage_calls")}


def product_origin(startup, user):
    """The call application the product was born from; no panel if it was not born from one."""
    origin = Application.objects.filter(startup=startup).select_related("call").first()
    return None if origin is None else {"origin": origin}


def open_calls(user, scope):
    """Calls open today in the scope: the incubator's and the network-wide ones, or all (one query)."""
    calls = Call.objects.open()
    if not scope.is_network:
        calls = calls.filter(Q(incubator=scope.incubator) | Q(incubator__isnull=True))
    return calls.count()


def open_calls_link(scope):
    """The public list of the open calls: the incubator's and the network-wide ones, or all."""
    link = reverse("calls:call_list")
    return link if scope.is_network else f"{link}?{urlencode({'incubator': scope.incubator.slug})}"


def register_contributions():
    public_results.register()  # the calls, on an incubator's public page
    registry.register_section(registry.Section("calls", "calls/includes/_my_space.html", context=my_space, order=50))
    registry.register_todo_source(registry.TodoSource("calls", todo_items, order=50))
    registry.register_panel(
        registry.Panel(
            PRODUCT_PAGE,
            "facts_after_incubators",
            "call_origin",
            "calls/includes/_product_origin.html",
            context=product_origin,
        )
    )
    registry.register_tile(
        registry.Tile("open_calls", _("Open calls"), compute=open_calls, order=30, link=open_calls_link)
    )

"""The header's navigation: what each person can use, registered by the apps.

Each app registers its entries from ``AppConfig.ready()`` (``<app>/navigation.py``)::

    navigation.register_fact("in_team", lambda user: Exists(TeamMembership.objects.filter(user=user)))
    navigation.register(
        navigation.Entry("team", _("My team"), "myapp:team", order=70, visible=lambda user, facts: facts.in_team)
    )

``visible(user, facts)`` decides whether the entry is shown. ``facts`` answers the registered facts
about the user (``facts.in_team``); they are computed together, in one query, the first time an
entry asks for one, and the navigation is computed once per request: a page pays at most one
query for the facts and one for an entry's own links (a team member's products). An anonymous
visitor costs none. An entry with ``links(user)`` is a menu of those links (one link: that link).
"""

from dataclasses import dataclass, field

from django.db.models import Exists
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Membership, User

_entries = {}
_facts = {}


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    url_name: str = ""
    order: int = 50
    # visible(user, facts) -> bool; None: shown to everyone, signed in or not.
    visible: object = None
    # links(user) -> [(label, url)]: a menu (its own query); the entry is hidden when there is none.
    links: object = None


@dataclass
class Link:
    key: str
    label: str
    url: str
    current: str = ""  # "page" (this page), "true" (a page under it) or ""

    is_menu = False


@dataclass
class Menu:
    key: str
    label: str
    links: list = field(default_factory=list)
    current: str = ""

    is_menu = True


def register(entry):
    """Add (or replace, by key) a header entry."""
    _entries[entry.key] = entry


def register_fact(name, expression):
    """A fact about the user: ``expression(user)`` is a boolean expression (an ``Exists``) that the
    facts query annotates on the user's row."""
    _facts[name] = expression


def entries():
    return sorted(_entries.values(), key=lambda entry: (entry.order, entry.key))


class Facts:
    """The registered facts about one user, computed together on first access (one query)."""

    def __init__(self, user):
        self._user = user
        self._values = None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in _facts:
            raise AttributeError(f"No navigation fact {name!r}: register it with register_fact().")
        if self._values is None:
            self._values = self._compute()
        return self._values[name]

    def _compute(self):
        if self._user is None or not self._user.is_authenticated:
            return dict.fromkeys(_facts, False)
        annotations = {f"nav_{name}": expression(self._user) for name, expression in _facts.items()}
        values = User.objects.filter(pk=self._user.pk).annotate(**annotations).values(*annotations).first() or {}
        return {name: bool(values.get(f"nav_{name}")) for name in _facts}


def current(path, url):
    if path == url:
        return "page"
    if url != "/" and path.startswith(url):
        return "true"
    return ""


def for_user(user, path="/"):
    """The header entries ``user`` can use (anonymous: the public ones), as ``Link`` and ``Menu``."""
    facts, shown = Facts(user), []
    for entry in entries():
        if entry.visible is not None and not (user is not None and entry.visible(user, facts)):
            continue
        if entry.links is None:
            url = reverse(entry.url_name)
            shown.append(Link(entry.key, entry.label, url, current(path, url)))
            continue
        links = [
            Link(f"{entry.key}-{n}", label, url, current(path, url)) for n, (label, url) in enumerate(entry.links(user))
        ]
        if len(links) == 1:
            shown.append(Link(entry.key, links[0].label, links[0].url, links[0].current))
        elif links:
            state = "true" if any(link.current for link in links) else ""
            shown.append(Menu(entry.key, entry.label, links, state))
    return shown


def for_request(request):
    """The entries of this request's header, computed once per request."""
    if request is None:
        return for_user(None)
    if not hasattr(request, "_portal_navigation"):
        user = getattr(request, "user", None)
        signed_in = user if user is not None and user.is_authenticated else None
        request._portal_navigation = for_user(signed_in, request.path)
    return request._portal_navigation


def signed_in(user, facts):
    return True


def network_admin(user, facts):
    return user.is_network_admin


def reads_network(user, facts):
    """A network admin or a network coordinator: every incubator's portfolio is theirs to read."""
    return user.reads_network


def runs_an_incubator(user, facts):
    """A network admin, or a manager or portfolio manager of an incubator."""
    return user.is_network_admin or facts.runs_an_incubator


def register_core_entries():
    """The core app's entries and facts (``IncubatorConfig.ready``)."""
    register_fact(
        "runs_an_incubator",
        lambda user: Exists(Membership.objects.filter(user=user, role__in=Membership.MANAGER_ROLES)),
    )
    register(Entry("home", _("Home"), "incubator:home", order=0))
    register(Entry("my_space", _("My space"), "incubator:my_space", order=90, visible=signed_in))
    register(Entry("admin", _("Administration"), "admin:index", order=100, visible=network_admin))

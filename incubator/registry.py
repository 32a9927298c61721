"""What the apps contribute to pages they do not own, registered from their ``AppConfig.ready()``.

The core names no app, and a lower app names no upper one: each app fills these registries from
``<app>/contributions.py`` (called by its ``AppConfig.ready()``, as ``<app>/navigation.py`` fills
the header and ``<app>/reminders.py`` the reminder kinds), and a page renders what is registered,
in order. ``docs/architecture.md`` tells how an app plugs into the core. Registering again under
the same key replaces the contribution.

**"Mon espace" sections** (``Section``): a template and ``context(user)``; the core's page renders
them by ``order``::

    registry.register_section(
        registry.Section("myapp", "myapp/includes/_my_space.html", context=my_space_context, order=50)
    )

``context`` returns a dict, pushed onto the page's context while the section's template renders,
or ``None`` to leave the section out (no ``context``: always shown, with the page's context).

**Pages open to contributions** (``declare_page``): a page that lets upper apps add to it declares
its name and its slots, the places where panels go; a registration for an undeclared page or slot
is an error (apps are ready in ``INSTALLED_APPS`` order: lower apps declare before upper ones
register).

**Panels** (``Panel``): a template in one slot of one page, with ``context(obj, user)`` (``obj``
is the page's object: the product on ``"portfolio.startup_detail"``). The page asks
``panels_for(page, obj, user)`` once and renders each slot with ``{% render_blocks %}``
(``portal_blocks``); the panels of a slot come by ``order``. A panel's template also sees the
page's context (the page documents what it offers, e.g. ``startup``, ``can_change_phase``). A
panel's context costs at most the one or two queries of its own data, whatever the data's size.

**Lists** of a page: an ``Annotation`` adds subqueries to the page's queryset (no query of its
own), a ``Column`` a cell of the page's table (its template, which renders the ``<td>``, reads the
row), a ``ListFilter`` a field of the page's filter form and a ``Sort`` an order of its sort field.

**Dashboard tiles** (``Tile``): a figure ``compute(user, scope)`` computed in one query, for the
dashboards; ``scope`` is a ``Scope`` (one incubator, or the whole network, on a day: ``as_of``,
today by default). The caller has checked that the user may see the scope. A tile may also say
how it is drawn (``chart(value, scope)``: an ``incubator.charts.Chart`` whose rows link to the
lists behind them, no query) and how it compares across incubators (``per_incubator(user, scope,
incubators)``: ``{incubator pk: value}`` in a few queries whatever their number, and
``summary(value)``: the one number of the network cockpit's comparison table).

**Personal views** (``register_personal_view``): URL names whose pages are for one person though
anyone holding their address may read them (never stored by a cache: ``incubator.middleware``).

**Calendar sources** (``CalendarSource``): ``events(user, since)`` returns the person's events
(``incubator.ics.CalendarEvent``) from ``since`` on, in one or two queries whatever their number;
the personal calendar feed writes the events of every source, in order, into one ``.ics``::

    registry.register_calendar_source(registry.CalendarSource("myapp", my_events, order=50))

**Flags** of a list page (``Flag``): a consistency check of its rows that a manager acts on.
``condition()`` is a boolean expression (a ``Q``) over the page's queryset, annotations included;
the owning page computes every registered flag as an annotation of its one query, shows the raised
ones and filters on them (the portfolio's ``flag`` filter, ``portfolio/flags.py``)::

    registry.register_flag(registry.Flag(page, "en-retard", _("Overdue"), lambda: Q(is_overdue=True)))

**Time line sources** (``TimelineSource``): ``entries(obj, user)`` returns the ``TimelineEntry``
items (date, kind label, text, URL) an app adds to an object's time line (the product page's:
the committees), those ``user`` may read, in one query whatever their number. The page asks
``timeline_entries(obj, user)`` once and merges them with its own; a public page asks none.

**To-do sources** (``TodoSource``): ``items(user, today)`` returns the ``TodoItem`` things that
need ``user`` now (a committee to organise, a deck missing, votes to cast...), each with its date
and the link where it is resolved, in one or two queries whatever their number. "Mon espace" asks
``todo_items(user, today)`` once and lists them all, by date::

    registry.register_todo_source(registry.TodoSource("myapp", my_todo, order=50))

What an app holds about a person (export, erasure) registers in ``incubator.personal_data``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import rules
from django.utils import timezone

_sections: dict[str, Section] = {}
_pages: dict[str, tuple[str, ...]] = {}
_panels: dict[tuple[str, str], Panel] = {}
_annotations: dict[tuple[str, str], Annotation] = {}
_columns: dict[tuple[str, str], Column] = {}
_list_filters: dict[tuple[str, str], ListFilter] = {}
_sorts: dict[tuple[str, str], Sort] = {}
_tiles: dict[str, Tile] = {}
_personal_views: set[str] = set()
_calendar_sources: dict[str, CalendarSource] = {}
_flags: dict[tuple[str, str], Flag] = {}
_timeline_sources: dict[str, TimelineSource] = {}
_todo_sources: dict[str, TodoSource] = {}


@dataclass(frozen=True)
class Block:
    """A contribution ready to render: its template and the context its function returned."""

    key: str
    template: str
    context: dict = field(default_factory=dict)


def _ordered(items):
    return sorted(items, key=lambda item: (item.order, item.key))


def _block(item, context):
    return Block(item.key, item.template, dict(context or {}))


# "Mon espace" -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    # context(user) -> dict, or None to leave the section out; None: always shown.
    context: Callable[[Any], dict | None] | None = None
    order: int = 50


def register_section(section: Section) -> None:
    _sections[section.key] = section


def sections() -> list[Section]:
    return _ordered(_sections.values())


def sections_for(user) -> list[Block]:
    """The sections of ``user``'s "Mon espace", in order, each with its context."""
    shown = []
    for section in sections():
        context = {} if section.context is None else section.context(user)
        if context is not None:
            shown.append(_block(section, context))
    return shown


# Pages and their panels ---------------------------------------------------------------------


def declare_page(page: str, *, slots: tuple[str, ...] = ()) -> None:
    """Open ``page`` to contributions; ``slots`` are where its panels go (names usable in a template)."""
    _pages[page] = tuple(slots)


def page_slots(page: str) -> tuple[str, ...]:
    return _pages[page]


def _check_page(page, slot=None):
    if page not in _pages:
        raise ValueError(f"No page {page!r} is open to contributions: the app that owns it calls declare_page().")
    if slot is not None and slot not in _pages[page]:
        raise ValueError(f"Page {page!r} has no slot {slot!r}; its slots: {', '.join(_pages[page])}.")


@dataclass(frozen=True)
class Panel:
    page: str
    slot: str
    key: str
    template: str
    # context(obj, user) -> dict, or None to leave the panel out; None: always shown.
    context: Callable[[Any, Any], dict | None] | None = None
    order: int = 50


def register_panel(panel: Panel) -> None:
    _check_page(panel.page, panel.slot)
    _panels[(panel.page, panel.key)] = panel


def panels(page: str) -> list[Panel]:
    return _ordered(panel for (name, _key), panel in _panels.items() if name == page)


class Slots(dict):
    """Slot name -> the blocks to render there; a slot without panels is an empty list."""

    def __missing__(self, slot):
        return []


def panels_for(page: str, obj, user) -> Slots:
    """The panels of ``page`` about ``obj`` that ``user`` sees, by slot and in order."""
    slots = Slots()
    for panel in panels(page):
        context = {} if panel.context is None else panel.context(obj, user)
        if context is not None:
            slots.setdefault(panel.slot, []).append(_block(panel, context))
    return slots


# Lists: annotations, columns, filters, sorts ------------------------------------------------


@dataclass(frozen=True)
class Annotation:
    """``annotate(queryset) -> queryset``: what the app's columns, filters and panels read on each
    row, added to the page's one query (subqueries)."""

    page: str
    key: str
    annotate: Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    """A column of the page's table: its header and the template of its cell (``<td>``...)."""

    page: str
    key: str
    label: str
    template: str
    order: int = 50


@dataclass(frozen=True)
class ListFilter:
    """A field of the page's filter form: ``build()`` returns a new django-filter ``Filter`` whose
    ``method`` is a function ``(queryset, name, value) -> queryset``."""

    page: str
    key: str
    build: Callable[[], Any]
    order: int = 50


@dataclass(frozen=True)
class Sort:
    """An order of the page's sort field: ``expression()`` is the value sorted on (rows without
    one come last, both ways)."""

    page: str
    key: str
    label: str
    expression: Callable[[], Any]
    order: int = 50


def register_annotation(annotation: Annotation) -> None:
    _check_page(annotation.page)
    _annotations[(annotation.page, annotation.key)] = annotation


def annotate(page: str, queryset):
    """``queryset`` with every annotation registered for ``page``."""
    for (name, _key), annotation in sorted(_annotations.items()):
        if name == page:
            queryset = annotation.annotate(queryset)
    return queryset


def register_column(column: Column) -> None:
    _check_page(column.page)
    _columns[(column.page, column.key)] = column


def columns(page: str) -> list[Column]:
    return _ordered(column for (name, _key), column in _columns.items() if name == page)


def register_list_filter(list_filter: ListFilter) -> None:
    _check_page(list_filter.page)
    _list_filters[(list_filter.page, list_filter.key)] = list_filter


def list_filters(page: str) -> list[ListFilter]:
    return _ordered(item for (name, _key), item in _list_filters.items() if name == page)


def register_sort(sort: Sort) -> None:
    _check_page(sort.page)
    _sorts[(sort.page, sort.key)] = sort


def sorts(page: str) -> list[Sort]:
    return _ordered(sort for (name, _key), sort in _sorts.items() if name == page)


# Dashboard tiles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a dashboard looks at: one incubator, or the whole network (``incubator`` None), on the
    day ``as_of`` (None: today; a tile that cannot look back ignores it)."""

    incubator: Any = None
    as_of: Any = None

    @property
    def is_network(self) -> bool:
        return self.incubator is None

    @property
    def today(self):
        return self.as_of or timezone.localdate()


@dataclass(frozen=True)
class Tile:
    """A dashboard figure. ``compute(user, scope)`` runs one query and returns a JSON-serialisable
    value (a number, or a dict of numbers); ``link(scope)``, if set, is the URL of the list behind it.

    Optional, for the dashboards' pictures and the network's comparison:

    - ``chart(value, scope)``: the ``incubator.charts.Chart`` of the value, each row linked to the
      list behind it (no query); without it the dashboard shows the number and the link;
    - ``per_incubator(user, scope, incubators)``: ``{incubator pk: value}`` for each of
      ``incubators`` (a list of rows), the value ``compute`` gives for its scope, in a few queries
      whatever their number (network ``scope``: its ``as_of``);
    - ``summary(value)``: the one number of the comparison table (default: the value itself),
      under the header ``summary_label`` (default: ``label``), linked to ``summary_link(scope)``
      (default: ``link``), the list of what that number counts;
    - ``link_permission``: the django-rules permission (asked without an object) the lists behind
      the figure require: a user without it sees the figure and its chart unlinked, never a link
      to a page that refuses them (``may_open_list``).
    """

    key: str
    label: str
    compute: Callable[[Any, Scope], Any]
    order: int = 50
    link: Callable[[Scope], str] | None = None
    chart: Callable[[Any, Scope], Any] | None = None
    per_incubator: Callable[[Any, Scope, Any], dict] | None = None
    summary: Callable[[Any], Any] | None = None
    summary_label: Any = None
    summary_link: Callable[[Scope], str] | None = None
    link_permission: str = ""

    def may_open_list(self, user) -> bool:
        return not self.link_permission or rules.has_perm(self.link_permission, user)

    def summarise(self, value):
        return value if self.summary is None else self.summary(value)


def register_tile(tile: Tile) -> None:
    _tiles[tile.key] = tile


def tiles() -> list[Tile]:
    return _ordered(_tiles.values())


def get_tile(key: str) -> Tile:
    return _tiles[key]


def extend_tile(key: str, **fields) -> Tile:
    """Complete the registered tile ``key`` (its ``chart``, ``per_incubator``...): registered again."""
    _tiles[key] = replace(_tiles[key], **fields)
    return _tiles[key]


# Personal views -----------------------------------------------------------------------------


def register_personal_view(view_name: str) -> None:
    """``view_name`` ("app:name") answers one person, whoever holds its address: never cached."""
    _personal_views.add(view_name)


def is_personal_view(view_name: str) -> bool:
    return view_name in _personal_views


# Calendar sources ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarSource:
    """What an app puts in a person's calendar feed: ``events(user, since)`` returns the
    ``incubator.ics.CalendarEvent`` of ``user`` that end after ``since`` (one or two queries)."""

    key: str
    events: Callable[[Any, Any], Iterable[Any]]
    order: int = 50


def register_calendar_source(source: CalendarSource) -> None:
    _calendar_sources[source.key] = source


def calendar_sources() -> list[CalendarSource]:
    return _ordered(_calendar_sources.values())


def calendar_events(user, since) -> list:
    """Every registered source's events of ``user`` from ``since`` on, source by source in order."""
    return [event for source in calendar_sources() for event in source.events(user, since)]


# Flags of a list page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """A consistency flag of a page's rows: ``condition()`` is a ``Q`` over the page's queryset
    with its annotations (read when the page builds its query: "today" is then). ``key`` is its
    value in the page's filter (a slug), ``level`` how it is marked: "error", "warning" or "info"."""

    page: str
    key: str
    label: str
    condition: Callable[[], Any]
    level: str = "warning"
    order: int = 50


def register_flag(flag: Flag) -> None:
    _check_page(flag.page)
    _flags[(flag.page, flag.key)] = flag


def flags(page: str) -> list[Flag]:
    return _ordered(flag for (name, _key), flag in _flags.items() if name == page)


# Time line sources ---------------------------------------------------------------------------


class TimelineEntry(NamedTuple):
    """One line of a time line: its day, the kind's label, a short text and a link (or "")."""

    date: Any
    kind: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class TimelineSource:
    """What an app adds to an object's time line: ``entries(obj, user)`` returns the
    ``TimelineEntry`` items ``user`` may read (one query, whatever their number)."""

    key: str
    entries: Callable[[Any, Any], Iterable[TimelineEntry]]
    order: int = 50


def register_timeline_source(source: TimelineSource) -> None:
    _timeline_sources[source.key] = source


def timeline_sources() -> list[TimelineSource]:
    return _ordered(_timeline_sources.values())


def timeline_entries(obj, user) -> list[TimelineEntry]:
    """Every registered source's entries about ``obj`` that ``user`` may read, source by source."""
    return [TimelineEntry(*entry) for source in timeline_sources() for entry in source.entries(obj, user)]


# To-do sources ("what needs me today") ----------------------------------------------------------


class TodoItem(NamedTuple):
    """One thing that needs a person: its day (due, or when it became late), a short kind label
    ("Comité"), the text (plain: escaped where it lands), the URL where it is resolved, and
    whether it is late (past its date)."""

    date: Any
    kind: str
    text: str
    url: str
    late: bool = False


@dataclass(frozen=True)
class TodoSource:
    """What an app asks of a person now: ``items(user, today)`` returns ``TodoItem`` items (one or
    two queries, whatever their number); an item disappears once resolved, as its query says."""

    key: str
    items: Callable[[Any, Any], Iterable[TodoItem]]
    order: int = 50


def register_todo_source(source: TodoSource) -> None:
    _todo_sources[source.key] = source


def todo_sources() -> list[TodoSource]:
    return _ordered(_todo_sources.values())


def todo_items(user, today) -> list[TodoItem]:
    """Every registered source's items for ``user``, the late ones first, then by date."""
    items = [TodoItem(*item) for source in todo_sources() for item in source.items(user, today)]
    return sorted(items, key=lambda item: (not item.late, item.date is None, item.date or today))


# Open-data fields ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDataField:
    """A field an upper app adds to each product of ``/api/startups.json``: public facts only.
    ``fetch(startups)`` gets the queryset of the published products (use it as a subquery) and
    returns ``value_of(pk)``, in one or two queries whatever their number."""

    key: str
    fetch: Callable[[Any], Callable[[Any], Any]]
    order: int = 50


_open_data_fields: dict[str, OpenDataField] = {}


def register_open_data_field(open_data_field: OpenDataField) -> None:
    _open_data_fields[open_data_field.key] = open_data_field


def open_data_fields() -> list[OpenDataField]:
    return _ordered(_open_data_fields.values())

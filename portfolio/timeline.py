"""A product's time line: its events (``ProductEvent``) and what other apps add to it.

On the managers' product page: the product's events and the entries of every registered
``incubator.registry.TimelineSource`` that the user may read (the committees add theirs: held,
awaiting a decision, planned). On the public page: the product's public events only; no source is
asked (a committee's date, decision and minutes are the steering's, not public facts; the phase
changes they decided are public through the phase history).
"""

import datetime
from dataclasses import dataclass

from incubator import registry

from .models import ProductEvent

# An entry with no known day (a FAST promotion recorded by its number only) goes last.
UNDATED = datetime.date.max


@dataclass(frozen=True)
class Entry:
    """A line of the time line. ``date`` is its day when known; ``year`` is shown instead when only
    the year is (a label); ``event`` is the portfolio's own record (its page may edit it)."""

    date: datetime.date | None
    kind: str
    text: str
    url: str = ""
    year: int | None = None
    event: ProductEvent | None = None

    @property
    def sort_key(self):
        if self.date:
            return self.date
        if self.year:
            return datetime.date(self.year, 1, 1)
        return UNDATED

    @property
    def is_public(self):
        return bool(self.event and self.event.is_public)


def of_events(events):
    entries = []
    for event in events:
        year = event.label_year if not event.date else None
        # A label without its day shows its year as the date: its summary (the year) is not repeated.
        summary = "" if year else event.summary
        text = " — ".join(part for part in (summary, event.note) if part)
        entries.append(Entry(event.date, event.get_kind_display(), text, year=year, event=event))
    return entries


def in_order(entries):
    return sorted(entries, key=lambda entry: (entry.sort_key, entry.kind))


def product_timeline(startup, user, events):
    """The managers' time line: ``events`` (fetched by the page) and every source's entries."""
    others = [
        Entry(entry.date, entry.kind, entry.text, entry.url) for entry in registry.timeline_entries(startup, user)
    ]
    return in_order([*of_events(events), *others])


def public_timeline(events):
    """The public time line: ``events`` must be the public ones (``ProductEvent.objects.public()``)."""
    return in_order(of_events(event for event in events if event.is_public))

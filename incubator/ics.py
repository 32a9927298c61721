"""The one iCalendar (``.ics``) writer of the portal: events in the portal's time zone (Paris).

An app describes its events (``CalendarEvent``) and gets the file's bytes from ``ics_file``. Each
start and end is written in local time with its ``TZID``, and the file carries the matching
``VTIMEZONE`` (RFC 5545: every TZID used must be defined in the file, or clients guess, Outlook
as UTC); ``DTSTAMP`` is in UTC, as the RFC requires. An email attachment and a subscribed feed
use the same writer.
"""

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone


@dataclass(frozen=True)
class CalendarEvent:
    """One event. ``start``/``end`` are aware date-times; ``stamp`` is when the event last changed
    (now when unknown); ``location``, ``url`` and ``status`` (``CONFIRMED``, ``CANCELLED``) are left
    out of the file when ``None``."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    stamp: datetime | None = None
    location: str | None = None
    url: str | None = None
    status: str | None = None


def ics_file(events, *, prodid, name=None):
    """An iCalendar file (bytes) publishing ``events``; ``name`` is the calendar's name in a
    subscribed feed (``X-WR-CALNAME``)."""
    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    zone = timezone.get_default_timezone()
    events = list(events)
    if events:
        years = [timezone.localtime(moment, zone).year for event in events for moment in (event.start, event.end)]
        calendar.add_component(vtimezone(min(years), max(years)))
    for event in events:
        component = Event()
        component.add("uid", event.uid)
        component.add("summary", event.summary)
        component.add("dtstart", timezone.localtime(event.start, zone))
        component.add("dtend", timezone.localtime(event.end, zone))
        component.add("dtstamp", (event.stamp or timezone.now()).astimezone(UTC))
        for prop in ("location", "url", "status"):
            if (value := getattr(event, prop)) is not None:
                component.add(prop, value)
        calendar.add_component(component)
    return calendar.to_ical()


@functools.lru_cache(maxsize=8)
def vtimezone(first_year, last_year):
    """The VTIMEZONE of the portal's time zone around these years (computed once: it costs a
    millisecond or two)."""
    return Timezone.from_tzinfo(
        timezone.get_default_timezone(),
        tzid=settings.TIME_ZONE,
        first_date=date(first_year - 1, 1, 1),
        last_date=date(last_year + 2, 1, 1),
    )

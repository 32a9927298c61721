"""The .ics of community events, in Paris time.

The core's shared builder (issue 10: ``incubator/calendar.py``) did not exist when this app was
written: this module uses icalendar directly, with the Europe/Paris VTIMEZONE RFC 5545 requires.
It is the one place to switch to the core builder.
"""

import functools
from datetime import UTC, date

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from incubator.mail import absolute_url


@functools.lru_cache(maxsize=8)
def paris_vtimezone(first_year, last_year):
    return Timezone.from_tzinfo(
        timezone.get_default_timezone(),
        tzid=settings.TIME_ZONE,
        first_date=date(first_year - 1, 1, 1),
        last_date=date(last_year + 2, 1, 1),
    )


def calendar_for(events, *, name=None):
    """An iCalendar file (bytes) with one VEVENT per community event."""
    calendar = Calendar()
    calendar.add("prodid", "-//Portail des incubateurs//Communauté//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    paris = timezone.get_default_timezone()
    events = list(events)
    starts = [timezone.localtime(event.starts_at, paris) for event in events]
    if starts:
        calendar.add_component(paris_vtimezone(min(starts).year, max(starts).year))
    for event, start in zip(events, starts, strict=True):
        entry = VEvent()
        entry.add("uid", f"community-event-{event.pk}@{settings.SITE_URL.split('://')[-1]}")
        entry.add("summary", event.title)
        entry.add("dtstart", start)
        entry.add("dtend", timezone.localtime(event.ends_at, paris))
        entry.add("dtstamp", (event.updated_at or timezone.now()).astimezone(UTC))
        entry.add("location", event.video_link or event.place)
        entry.add("url", absolute_url(event.get_absolute_url()))
        entry.add("status", "CONFIRMED")
        calendar.add_component(entry)
    return calendar.to_ical()

"""The .ics of community events, in Paris time, written by the core's builder (``incubator.ics``)."""

from django.conf import settings

from incubator.ics import CalendarEvent, ics_file
from incubator.mail import absolute_url


def calendar_for(events, *, name=None):
    """An iCalendar file (bytes) with one VEVENT per community event."""
    site = settings.SITE_URL.split("://")[-1]
    entries = (
        CalendarEvent(
            uid=f"community-event-{event.pk}@{site}",
            summary=event.title,
            start=event.starts_at,
            end=event.ends_at,
            stamp=event.updated_at,
            location=event.video_link or event.place,
            url=absolute_url(event.get_absolute_url()),
            status="CONFIRMED",
        )
        for event in events
    )
    return ics_file(entries, prodid="-//Portail des incubateurs//Communauté//FR", name=name)

"""The .ics of community events, in Paris time, written by the core's builder (``incubator.ics``)."""

from django.conf import settings

from incubator.ics import CalendarEvent, ics_file
from incubator.mail import absolute_url


def event_entries(events):
    """One ``CalendarEvent`` per community event (also the personal feed's, ``community.contributions``)."""
    site = settings.SITE_URL.split("://")[-1]
    return (
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


def calendar_for(events, *, name=None):
    """An iCalendar file (bytes) with one VEVENT per community event."""
    return ics_file(event_entries(events), prodid="-//Portail des incubateurs//Communauté//FR", name=name)

"""The community's reminder kind, declared for the core's reminder engine (``incubator.reminders``).

``community.event_reminder``: before an event (D-2 by the rule that migration 0002 seeds), to each
person with a seat, with the event's .ics. Constant queries whatever the number of events.
"""

from django.db.models import Prefetch
from django.utils import timezone

from incubator.mail import absolute_url
from incubator.reminders import Due, Recipient, ReminderKind, day_bounds, register

from .ics import calendar_for
from .models import Event, Registration


@register
class EventReminder(ReminderKind):
    """Anchored on the day an event starts (Paris time): its confirmed registrants."""

    code = "community.event_reminder"

    def due(self, rule, *, anchors_from, anchors_to):
        start, end = day_bounds(anchors_from, anchors_to)
        confirmed = Registration.objects.filter(status=Registration.Status.CONFIRMED).select_related("user")
        events = Event.objects.filter(starts_at__gte=start, starts_at__lt=end).prefetch_related(
            Prefetch("registrations", queryset=confirmed, to_attr="confirmed_registrations")
        )
        return [
            Due(
                object_key=f"community.event:{event.pk}",
                occurrence=timezone.localtime(event.starts_at).date().isoformat(),
                recipients=[
                    Recipient(registration.user.email, str(registration.user))
                    for registration in event.confirmed_registrations
                ],
                context={
                    "event": event,
                    "when": timezone.localtime(event.starts_at),
                    "ends": timezone.localtime(event.ends_at),
                    "url": absolute_url(event.get_absolute_url()),
                },
                attachments=[("evenement.ics", calendar_for([event]), "text/calendar")],
            )
            for event in events
            if event.confirmed_registrations
        ]

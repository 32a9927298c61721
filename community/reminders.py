"""The community's reminder kind, declared for the core's reminder engine (``incubator.reminders``).

``community.event_reminder``: before an event (D-2 by the rule that migration 0002 seeds), to each
person with a seat, with the event's .ics. Constant queries whatever the number of events.

``community.suggestion``: on the day a product enters a phase (its ``PhasePeriod`` starts), to its
current team, the resources ``community.suggestions`` suggests for that phase (the FAST on entering
acceleration...), minus those a member dismissed. Four queries whatever the number of products.
"""

from django.db.models import Prefetch
from django.utils import timezone

from incubator.mail import absolute_url
from incubator.reminders import Due, Recipient, ReminderKind, day_bounds, register
from portfolio.models import PhasePeriod, TeamMembership

from .ics import calendar_for
from .models import DismissedSuggestion, Event, Registration, Resource
from .suggestions import RULES, slugs_on_entering


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


@register
class SuggestionOnEnteringPhase(ReminderKind):
    """Anchored on the start of a product's phase: its current team, for the phases the rules name."""

    code = "community.suggestion"
    late_days = 3  # news of a phase entered weeks ago is no news: a planner down longer skips it

    def due(self, rule, *, anchors_from, anchors_to):
        phases = {suggestion.phase for suggestion in RULES if suggestion.phase}
        team = TeamMembership.objects.current().filter(user__isnull=False).select_related("user")
        periods = (
            PhasePeriod.objects.filter(
                phase__in=phases, start__gte=anchors_from, start__lte=anchors_to, end__isnull=True
            )
            .select_related("startup")
            .prefetch_related(Prefetch("startup__team", queryset=team, to_attr="current_team"))
        )
        periods = list(periods)
        if not periods:
            return []
        resources = {
            resource.slug: resource
            for resource in Resource.objects.published().filter(
                slug__in={slug for period in periods for slug in slugs_on_entering(period.phase)}
            )
        }
        dismissed = set(
            DismissedSuggestion.objects.filter(
                startup__in=[period.startup_id for period in periods], resource__in=resources.values()
            ).values_list("startup_id", "user_id", "resource_id")
        )
        return [due for period in periods if (due := self._due(period, resources, dismissed))]

    def _due(self, period, resources, dismissed):
        offered = [resources[slug] for slug in slugs_on_entering(period.phase) if slug in resources]
        recipients = [
            Recipient(member.user.email, str(member.user))
            for member in {member.user_id: member for member in period.startup.current_team}.values()
            if any((period.startup_id, member.user_id, resource.pk) not in dismissed for resource in offered)
        ]
        if not offered or not recipients:
            return None
        return Due(
            object_key=f"portfolio.startup:{period.startup_id}",
            occurrence=f"{period.phase}:{period.start.isoformat()}",
            recipients=recipients,
            context={
                "startup": period.startup,
                "phase": period.get_phase_display(),
                "resources": [
                    {"title": resource.title, "url": absolute_url(resource.get_absolute_url())} for resource in offered
                ],
                "url": absolute_url(period.startup.get_absolute_url()),
            },
        )

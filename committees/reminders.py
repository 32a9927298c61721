"""The committee reminder kinds, declared for the core's reminder engine
(``docs/decisions/0003-reminder-engine.md``).

Each kind answers, for a range of anchor dates, what is due and to whom, in a constant number
of queries. Rules (offsets, times, texts) are seeded by migration 0002 and edited in the admin.
"""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone

from incubator.mail import absolute_url
from incubator.models import Membership
from incubator.reminders import Due, Recipient, ReminderKind, day_bounds, register
from portfolio.models import ACTIVE_PHASES, Startup, TeamMembership

from .models import Committee, CommitteeDocument, Decision, planned_ahead
from .services import calendar_for

MANAGERS = Membership.MANAGER_ROLES


def team_recipients(startup):
    return [Recipient(member.contact_email, member.display_name) for member in startup.current_team]


def with_current_team(startups):
    team = TeamMembership.objects.current().select_related("user")
    return startups.prefetch_related(Prefetch("team", queryset=team, to_attr="current_team"))


def members_by_incubator(incubator_ids, roles):
    """incubator id -> [Recipient] of the members with one of ``roles`` (one query)."""
    people = defaultdict(list)
    memberships = Membership.objects.filter(incubator__in=incubator_ids, role__in=roles).select_related("user")
    for membership in memberships:
        people[membership.incubator_id].append(Recipient(membership.user.email, str(membership.user)))
    return people


def committee_context(committee):
    return {
        "committee": committee,
        "startup": committee.startup,
        "when": timezone.localtime(committee.scheduled_at),
        "url": absolute_url(committee.get_absolute_url()),
    }


@register
class DueWithoutCommittee(ReminderKind):
    """D-45 before the next committee is due, nothing planned: the team and the portfolio managers."""

    code = "committees.due_unplanned"

    def due(self, rule, *, anchors_from, anchors_to):
        startups = with_current_team(
            Startup.objects.filter(
                phase__in=ACTIVE_PHASES, next_committee_due__range=(anchors_from, anchors_to)
            ).exclude(planned_ahead())
        )
        startups = list(startups)
        managers = members_by_incubator({s.incubator_id for s in startups}, [Membership.Role.PORTFOLIO_MANAGER])
        return [
            Due(
                object_key=f"portfolio.startup:{startup.pk}",
                occurrence=startup.next_committee_due.isoformat(),
                recipients=team_recipients(startup) + managers[startup.incubator_id],
                context={
                    "startup": startup,
                    "due_date": startup.next_committee_due,
                    "url": absolute_url(startup.get_absolute_url()),
                },
            )
            for startup in startups
        ]


class CommitteeKind(ReminderKind):
    """Kinds anchored on the date of a committee."""

    def committees(self, anchors_from, anchors_to):
        start, end = day_bounds(anchors_from, anchors_to)
        return Committee.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end).select_related(
            "startup", "startup__incubator"
        )

    def due_item(self, committee, recipients, **extra):
        return Due(
            object_key=f"committees.committee:{committee.pk}",
            occurrence=committee.local_date.isoformat(),
            recipients=recipients,
            context=committee_context(committee),
            **extra,
        )


@register
class DeckMissing(CommitteeKind):
    """D-7 before a planned committee whose deck is not uploaded: the team."""

    code = "committees.deck_missing"

    def due(self, rule, *, anchors_from, anchors_to):
        decks = CommitteeDocument.objects.filter(committee=OuterRef("pk"), kind=CommitteeDocument.Kind.DECK)
        team = TeamMembership.objects.current().select_related("user")
        committees = (
            self.committees(anchors_from, anchors_to)
            .planned()
            .exclude(Exists(decks))
            .prefetch_related(Prefetch("startup__team", queryset=team, to_attr="current_team"))
        )
        return [self.due_item(committee, team_recipients(committee.startup)) for committee in committees]


@register
class Agenda(CommitteeKind):
    """D-7 before a planned committee: the agenda and the .ics to every attendee."""

    code = "committees.agenda"

    def due(self, rule, *, anchors_from, anchors_to):
        committees = self.committees(anchors_from, anchors_to).planned().prefetch_related("attendees")
        return [
            self.due_item(
                committee,
                [Recipient(attendee.email, attendee.name) for attendee in committee.attendees.all()],
                attachments=[("comite.ics", calendar_for([committee]), "text/calendar")],
            )
            for committee in committees
        ]


@register
class DecisionMissing(CommitteeKind):
    """D+1 after a committee with no decision recorded: the incubator's managers."""

    code = "committees.decision_missing"

    def due(self, rule, *, anchors_from, anchors_to):
        committees = list(
            self.committees(anchors_from, anchors_to)
            .exclude(status=Committee.Status.CANCELLED)
            .exclude(Exists(Decision.objects.filter(committee=OuterRef("pk"))))
        )
        managers = members_by_incubator({c.startup.incubator_id for c in committees}, MANAGERS)
        return [self.due_item(committee, managers[committee.startup.incubator_id]) for committee in committees]


@register
class PurchasingFollowUp(ReminderKind):
    """D+1 after a decision that purchasing has not been told of: the incubator's purchasing contact."""

    code = "committees.purchasing_follow_up"

    def due(self, rule, *, anchors_from, anchors_to):
        decisions = Decision.objects.filter(
            decided_on__range=(anchors_from, anchors_to), purchasing_told=False
        ).select_related("committee__startup__incubator")
        return [
            Due(
                object_key=f"committees.decision:{decision.pk}",
                occurrence=decision.decided_on.isoformat(),
                recipients=[Recipient(decision.committee.startup.incubator.purchasing_email)],
                context={**committee_context(decision.committee), "decision": decision},
            )
            for decision in decisions
            if decision.committee.startup.incubator.purchasing_email
        ]


@register
class WeeklyDigest(ReminderKind):
    """Every Monday: the incubator's overdue and unplanned committees, to its managers."""

    code = "committees.weekly_digest"
    horizon = timedelta(days=45)
    late_days = 2  # a digest is the week's: a planner down on Monday still sends it until Wednesday

    def due(self, rule, *, anchors_from, anchors_to):
        mondays = [
            anchors_from + timedelta(days=n)
            for n in range((anchors_to - anchors_from).days + 1)
            if (anchors_from + timedelta(days=n)).weekday() == 0
        ]
        if not mondays:
            return []
        startups = list(
            Startup.objects.filter(phase__in=ACTIVE_PHASES, next_committee_due__lte=mondays[-1] + self.horizon)
            .exclude(planned_ahead())
            .select_related("incubator")
            .order_by("next_committee_due")
        )
        managers = members_by_incubator({s.incubator_id for s in startups}, MANAGERS)
        dues = []
        for monday in mondays:
            by_incubator = defaultdict(lambda: {"overdue": [], "unplanned": []})
            for startup in startups:
                if startup.next_committee_due < monday:
                    by_incubator[startup.incubator]["overdue"].append(startup)
                elif startup.next_committee_due <= monday + self.horizon:
                    by_incubator[startup.incubator]["unplanned"].append(startup)
            dues += [
                Due(
                    object_key=f"incubator.incubator:{incubator.pk}",
                    occurrence=monday.isoformat(),
                    recipients=managers[incubator.pk],
                    context={
                        "incubator": incubator,
                        "monday": monday,
                        **lists,
                        "url": absolute_url(reverse("committees:committee_list")),
                    },
                )
                for incubator, lists in by_incubator.items()
            ]
        return dues

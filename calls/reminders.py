"""The call reminder kinds, declared for the core's reminder engine (``docs/decisions/0003-reminder-engine.md``).

The facts a reminder chases are defined here once and read by "Mon espace" too (``calls.todo``):
the jurors who still owe votes (``jurors_owing_votes``) and the laureates whose commitment form is
missing (``commitment_missing``, due ``commitment_offset()`` days after the decision).
"""

from itertools import groupby

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from incubator.mail import absolute_url
from incubator.models import ReminderRule
from incubator.reminders import Due, Recipient, ReminderKind, day_bounds, register

from .models import Application, Call, PreselectionVote

# Jurors tick while the applications are submitted, before the pre-selection is done.
VOTING_STATUSES = (Call.Status.PUBLISHED, Call.Status.CLOSED)
COMMITMENT_DAYS = 7  # the commitment form's delay when no active calls.commitment_missing rule says otherwise


def jurors_owing_votes():
    """The jurors a call still waits for: the ``Call.jurors`` rows (``call``, ``user``) of a call
    taking votes (published or closed, with submitted applications) whose juror has ticked none of
    its applications. Whom the ``votes_missing`` reminder chases, what the managers' to-do counts."""
    submitted = Application.objects.filter(call=OuterRef("call"), status=Application.Status.SUBMITTED)
    voted = PreselectionVote.objects.filter(application__call=OuterRef("call"), juror=OuterRef("user"))
    return Call.jurors.through.objects.filter(Exists(submitted), call__status__in=VOTING_STATUSES).exclude(
        Exists(voted)
    )


def commitment_missing():
    """The laureates whose signed commitment form is not uploaded yet."""
    return Application.objects.filter(status=Application.Status.LAUREATE)


def commitment_offset():
    """The days a laureate has for the commitment form after the decision, as an SQL expression:
    the shortest active ``commitment_missing`` rule's offset, else ``COMMITMENT_DAYS``."""
    rules = ReminderRule.objects.filter(kind=CommitmentMissing.code, is_active=True).order_by("offset_days")
    return Coalesce(Subquery(rules.values("offset_days")[:1]), Value(COMMITMENT_DAYS))


@register
class DraftBeforeDeadline(ReminderKind):
    """D-3 and D-1 before the call closes: applicants whose application is still a draft."""

    code = "calls.draft_before_deadline"

    def due(self, rule, *, anchors_from, anchors_to):
        start, end = day_bounds(anchors_from, anchors_to)
        drafts = Application.objects.filter(
            status=Application.Status.DRAFT,
            call__status=Call.Status.PUBLISHED,
            call__closes_at__gte=start,
            call__closes_at__lt=end,
        ).select_related("call", "applicant")
        return [
            Due(
                object_key=f"calls.application:{application.pk}",
                occurrence=timezone.localtime(application.call.closes_at).date().isoformat(),
                recipients=[Recipient(application.applicant.email, application.applicant.get_full_name())],
                context={
                    "application": application,
                    "call": application.call,
                    "closes_at": timezone.localtime(application.call.closes_at),
                    "url": absolute_url(application.get_absolute_url()),
                },
            )
            for application in drafts
        ]


@register
class VotesMissing(ReminderKind):
    """Before the pre-selection date: the jurors of a call who have not ticked any application yet."""

    code = "calls.votes_missing"

    def due(self, rule, *, anchors_from, anchors_to):
        owing = (
            jurors_owing_votes()
            .filter(call__preselection_on__range=(anchors_from, anchors_to))
            .annotate(
                submitted=Count("call__applications", filter=Q(call__applications__status=Application.Status.SUBMITTED))
            )
            .select_related("call", "user")
            .order_by("call", "user__last_name", "user__first_name", "user__email")
        )
        dues = []
        for _call, rows in groupby(owing, key=lambda row: row.call_id):
            rows = list(rows)
            call = rows[0].call
            dues.append(
                Due(
                    object_key=f"calls.call:{call.pk}",
                    occurrence=call.preselection_on.isoformat(),
                    recipients=[Recipient(row.user.email, row.user.get_full_name()) for row in rows],
                    context={"call": call, "count": rows[0].submitted, "url": absolute_url(call.get_absolute_url())},
                )
            )
        return dues


@register
class CommitmentMissing(ReminderKind):
    """7 days after becoming laureate: laureates whose signed commitment form is not uploaded."""

    code = "calls.commitment_missing"

    def due(self, rule, *, anchors_from, anchors_to):
        start, end = day_bounds(anchors_from, anchors_to)
        laureates = commitment_missing().filter(status_changed_at__gte=start, status_changed_at__lt=end)
        laureates = laureates.select_related("call", "applicant")
        return [
            Due(
                object_key=f"calls.application:{application.pk}",
                occurrence=timezone.localtime(application.status_changed_at).date().isoformat(),
                recipients=[Recipient(application.applicant.email, application.applicant.get_full_name())],
                context={
                    "application": application,
                    "call": application.call,
                    "url": absolute_url(application.get_absolute_url()),
                },
            )
            for application in laureates
        ]

"""The call reminder kinds, declared for the core's reminder engine (``docs/decisions/0003-reminder-engine.md``)."""

from django.db.models import Count, Q
from django.utils import timezone

from incubator.mail import absolute_url
from incubator.reminders import Due, Recipient, ReminderKind, day_bounds, register

from .models import Application, Call, PreselectionVote


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
        calls = list(
            Call.objects.filter(
                preselection_on__range=(anchors_from, anchors_to),
                status__in=[Call.Status.PUBLISHED, Call.Status.CLOSED],
            )
            .annotate(submitted=Count("applications", filter=Q(applications__status=Application.Status.SUBMITTED)))
            .filter(submitted__gt=0)
            .prefetch_related("jurors")
        )
        voted = set(
            PreselectionVote.objects.filter(application__call__in=calls).values_list("application__call", "juror")
        )
        dues = []
        for call in calls:
            missing = [juror for juror in call.jurors.all() if (call.pk, juror.pk) not in voted]
            if missing:
                dues.append(
                    Due(
                        object_key=f"calls.call:{call.pk}",
                        occurrence=call.preselection_on.isoformat(),
                        recipients=[Recipient(juror.email, juror.get_full_name()) for juror in missing],
                        context={"call": call, "count": call.submitted, "url": absolute_url(call.get_absolute_url())},
                    )
                )
        return dues


@register
class CommitmentMissing(ReminderKind):
    """7 days after becoming laureate: laureates whose signed commitment form is not uploaded."""

    code = "calls.commitment_missing"

    def due(self, rule, *, anchors_from, anchors_to):
        start, end = day_bounds(anchors_from, anchors_to)
        laureates = Application.objects.filter(
            status=Application.Status.LAUREATE, status_changed_at__gte=start, status_changed_at__lt=end
        ).select_related("call", "applicant")
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

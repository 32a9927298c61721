"""What the committees hold about a person (registered by ``CommitteesConfig.ready``;
``incubator.personal_data``): their attendances, their calendar feed, what they planned, uploaded
and recorded."""

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incubator import personal_data
from incubator.personal_data import DataCategory, LegalBasis, iso

from .models import Attendee, CalendarFeed, Committee, CommitteeDocument, Decision, DueDateChange


def attendances(user):
    """The user's places among committees' attendees, by account or by email."""
    return Attendee.objects.filter(Q(user=user) | Q(email__iexact=user.email))


def export(user):
    feed = CalendarFeed.objects.filter(user=user).first()
    return {
        "attendances": [
            {
                "committee": attendee.committee.pk,
                "product": attendee.committee.startup.name,
                "scheduled_at": iso(attendee.committee.scheduled_at),
                "name": attendee.name,
                "email": attendee.email,
                "role": attendee.role,
                "mandatory": attendee.mandatory,
            }
            for attendee in attendances(user).select_related("committee__startup").order_by("committee__scheduled_at")
        ],
        "calendar_feed": None if feed is None else {"renewed_at": iso(feed.renewed_at)},
        "committees_planned": list(
            Committee.objects.filter(created_by=user).order_by("pk").values_list("pk", flat=True)
        ),
        "documents_uploaded": [
            {
                "committee": document.committee_id,
                "file_name": document.original_name,
                "uploaded_at": iso(document.uploaded_at),
            }
            for document in CommitteeDocument.objects.filter(uploaded_by=user).order_by("pk")
        ],
        "decisions_recorded": list(
            Decision.objects.filter(recorded_by=user).order_by("pk").values_list("committee", flat=True)
        ),
        "due_dates_set": [
            {"product": change.startup.name, "due": change.due.isoformat(), "changed_at": iso(change.changed_at)}
            for change in DueDateChange.objects.filter(changed_by=user).select_related("startup").order_by("pk")
        ],
    }


def erase(user, *, actor):
    """The calendar feed goes; an invitation to a committee still to come is withdrawn; an attendance
    of a past or cancelled committee stays under a pseudonym (who attended, by role); what the user
    planned, uploaded or recorded loses its author."""
    mine = attendances(user)
    upcoming = mine.filter(committee__status=Committee.Status.PLANNED, committee__scheduled_at__gte=timezone.now())
    erased = {"invitations_withdrawn": upcoming.delete()[0]}
    erased["attendances_pseudonymised"] = mine.update(
        user=None,
        name=gettext("Former attendee"),
        email=Concat(Value("participant-retire-"), Cast("pk", CharField()), Value("@invalid")),
    )
    erased["calendar_feed"] = CalendarFeed.objects.filter(user=user).delete()[0]
    erased["committees_planned"] = Committee.objects.filter(created_by=user).update(created_by=None)
    erased["documents_uploaded"] = CommitteeDocument.objects.filter(uploaded_by=user).update(uploaded_by=None)
    erased["decisions_recorded"] = Decision.objects.filter(recorded_by=user).update(recorded_by=None)
    erased["due_dates_set"] = DueDateChange.objects.filter(changed_by=user).update(changed_by=None)
    return erased


def register_provider():
    personal_data.register(
        personal_data.Provider(
            key="committees",
            label=_("Investment committees"),
            order=20,
            categories=(
                DataCategory(
                    key="attendances",
                    label=_("Your invitations to investment committees: name, email, role."),
                    fields=("committees.attendee.user", "committees.attendee.name", "committees.attendee.email"),
                    purpose=_("Inviting the attendees of a committee and keeping who attended."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While the product is followed; then kept under a pseudonym with the committee."),
                ),
                DataCategory(
                    key="calendar_feed",
                    label=_("Your personal calendar address (a secret link) and when it was renewed."),
                    fields=("committees.calendarfeed.user", "committees.calendarfeed.token"),
                    purpose=_("Showing your committees in your calendar application."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("Until you renew it or your account is deleted."),
                ),
                DataCategory(
                    key="recorded_by",
                    label=_(
                        "The committees you planned, the documents you uploaded, the decisions you recorded, "
                        "the due dates you set by hand."
                    ),
                    fields=(
                        "committees.committee.created_by",
                        "committees.committeedocument.uploaded_by",
                        "committees.decision.recorded_by",
                        "committees.duedatechange.changed_by",
                    ),
                    purpose=_("Knowing who prepared and recorded each committee."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While the account exists."),
                ),
            ),
            export=export,
            erase=erase,
        )
    )

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from committees.models import Attendee, Committee, CommitteeDocument, Decision, DueDateChange
from portfolio.tests.factories import StartupFactory


def paris(day, hour=10):
    """An aware datetime on ``day`` at ``hour``:00 Paris time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = Committee

    startup = factory.SubFactory(StartupFactory)
    kind = Committee.Kind.PERIODIC
    scheduled_at = factory.LazyFunction(lambda: paris(timezone.localdate() + datetime.timedelta(days=20)))
    place = "20 avenue de Ségur, Paris"
    requested_budget = 250000
    requested_months = 6
    objectives = "Atteindre 1 000 usagers actifs."


class AttendeeFactory(DjangoModelFactory):
    class Meta:
        model = Attendee

    committee = factory.SubFactory(CommitteeFactory)
    name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.gouv.fr")
    role = Attendee.Role.OTHER


class CommitteeDocumentFactory(DjangoModelFactory):
    class Meta:
        model = CommitteeDocument

    committee = factory.SubFactory(CommitteeFactory)
    kind = CommitteeDocument.Kind.DECK
    file = factory.django.FileField(
        filename="support.pdf", data=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    )
    original_name = "support.pdf"


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    committee = factory.SubFactory(CommitteeFactory, status=Committee.Status.HELD)
    outcome = Decision.Outcome.CONTINUE
    decided_on = factory.LazyAttribute(lambda o: o.committee.local_date)
    granted_months = 6


class DueDateChangeFactory(DjangoModelFactory):
    """A due date set by hand, as ``cadence.set_due_date`` records it (the row only: the product's
    due date is left as it is)."""

    class Meta:
        model = DueDateChange

    startup = factory.SubFactory(StartupFactory)
    due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    reason = "Comité décalé à la demande du sponsor"


OUTSIDE_ATTENDEE_EMAIL = "invitee@ministere.example.fr"


def invite_outside_attendee(committee):
    """The ``attendee`` persona attends ``committee``: invited by email (typed with capitals), no account link."""
    return AttendeeFactory(committee=committee, user=None, name="Invitée", email="Invitee@Ministere.example.fr")

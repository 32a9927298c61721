"""The call reminder kinds, with the rules seeded by migration."""

import datetime
import zoneinfo

import pytest

from calls import services
from calls.models import Application, Call, PreselectionVote
from calls.tests.factories import ApplicationFactory, CallFactory
from incubator.models import OutboxMessage, ReminderDelivery
from incubator.reminders import plan
from incubator.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reminder_rules")]
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def sent_to(kind):
    return sorted(ReminderDelivery.objects.filter(rule__kind=kind).values_list("recipient", "rule__offset_days"))


def test_draft_applicants_are_reminded_three_days_and_one_day_before_the_deadline():
    call = CallFactory(opens_at=paris(2026, 5, 1, 9), closes_at=paris(2026, 6, 15, 12))
    draft = ApplicationFactory(call=call, applicant=UserFactory(email="brouillon@example.gouv.fr"))
    submitted = ApplicationFactory(
        call=call, applicant=UserFactory(email="depose@example.gouv.fr"), status=Application.Status.SUBMITTED
    )

    plan(now=paris(2026, 6, 12, 8, 59))
    assert sent_to("calls.draft_before_deadline") == []
    plan(now=paris(2026, 6, 12, 9, 0))
    plan(now=paris(2026, 6, 14, 9, 0))
    plan(now=paris(2026, 6, 14, 9, 30))

    assert sent_to("calls.draft_before_deadline") == [
        ("brouillon@example.gouv.fr", -3),
        ("brouillon@example.gouv.fr", -1),
    ]
    message = OutboxMessage.objects.filter(to=["brouillon@example.gouv.fr"]).first()
    assert call.title in message.subject
    assert "15 juin 2026 à 12:00 (heure de Paris)" in message.body_text
    assert f"/candidatures/{draft.pk}/" in message.body_text
    assert submitted.applicant.email not in str(OutboxMessage.objects.values_list("to", flat=True))


def test_jurors_without_any_vote_are_reminded_before_the_preselection():
    call = CallFactory(
        preselection_on=datetime.date(2026, 7, 3),
        opens_at=paris(2026, 5, 1, 9),
        closes_at=paris(2026, 6, 15, 12),
        status=Call.Status.CLOSED,
    )
    lazy, diligent = UserFactory(email="jure-absent@example.gouv.fr"), UserFactory(email="jure-assidu@example.gouv.fr")
    call.jurors.add(lazy, diligent)
    application = ApplicationFactory(call=call, status=Application.Status.SUBMITTED)
    PreselectionVote.objects.create(application=application, juror=diligent)

    plan(now=paris(2026, 7, 1, 9, 0))

    assert sent_to("calls.votes_missing") == [("jure-absent@example.gouv.fr", -2)]
    assert "1 candidatures" in OutboxMessage.objects.get(to=["jure-absent@example.gouv.fr"]).body_text


def test_laureates_without_commitment_form_are_reminded_after_seven_days(member_a):
    application = ApplicationFactory(
        status=Application.Status.PITCHED, applicant=UserFactory(email="laureate@example.gouv.fr")
    )
    services.transition_application(application=application, to=Application.Status.LAUREATE, actor=member_a)
    Application.objects.filter(pk=application.pk).update(status_changed_at=paris(2026, 9, 1, 18, 0))

    plan(now=paris(2026, 9, 7, 9, 0))
    plan(now=paris(2026, 9, 8, 9, 0))
    plan(now=paris(2026, 9, 8, 10, 0))

    assert sent_to("calls.commitment_missing") == [("laureate@example.gouv.fr", 7)]

"""The committee services: planning, the decision and what it moves, the emails it queues."""

import base64
import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, ngettext
from icalendar import Calendar

from committees.models import Attendee, Committee, Decision
from committees.services import cancel_committee, plan_committee, record_decision
from committees.tests.factories import AttendeeFactory, CommitteeFactory, paris
from incubator.models import OutboxMessage
from portfolio.models import Phase, PhasePeriod, Startup
from portfolio.tests.factories import StartupFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 3, 20, 12, 0, tzinfo=PARIS)
COMMITTEE_DAY = datetime.date(2026, 3, 16)
PURCHASING = "achats-a@example.gouv.fr"


@pytest.fixture
def frozen(time_machine):
    """Friday 20 March 2026, noon in Paris: the committee of Monday the 16th is behind us."""
    time_machine.move_to(NOW, tick=False)


def committee_of(startup, team_member, manager, *, day=COMMITTEE_DAY):
    """A committee of ``startup`` on ``day`` at 14:00 Paris, with the intrapreneur and the manager."""
    committee = CommitteeFactory(startup=startup, scheduled_at=paris(day, 14))
    AttendeeFactory(
        committee=committee, user=team_member, name="Équipe A", email=team_member.email, role="intrapreneur"
    )
    AttendeeFactory(committee=committee, user=manager, name="Manager A", email=manager.email, role="incubator_manager")
    return committee


@pytest.fixture
def held_committee(frozen, startup_a, team_member, member_a):
    """Product A (construction since 2025-01-06) had its committee on 16 March 2026 at 14:00."""
    startup_a.incubator.purchasing_email = PURCHASING
    startup_a.incubator.save(update_fields=["purchasing_email"])
    return committee_of(startup_a, team_member, member_a)


def decide(committee, actor, outcome, **fields):
    return record_decision(committee=committee, actor=actor, outcome=outcome, decided_on=COMMITTEE_DAY, **fields)


def snapshot(startup):
    """What a refused decision must leave untouched."""
    startup = Startup.objects.get(pk=startup.pk)
    periods = list(PhasePeriod.objects.filter(startup=startup).order_by("start").values_list("phase", "start", "end"))
    return startup.phase, startup.next_committee_due, periods, Decision.objects.count(), OutboxMessage.objects.count()


# The decision and the phase --------------------------------------------------------------------


def test_record_decision_next_phase_moves_construction_to_acceleration(held_committee, startup_a, member_a):
    decision = decide(held_committee, member_a, Decision.Outcome.NEXT_PHASE, next_phase=Phase.ACCELERATION)

    startup_a.refresh_from_db()
    assert startup_a.phase == Phase.ACCELERATION
    assert startup_a.next_committee_due == datetime.date(2026, 9, 16)
    periods = PhasePeriod.objects.filter(startup=startup_a).order_by("start")
    assert [(p.phase, p.start, p.end, p.decision_id) for p in periods] == [
        (Phase.CONSTRUCTION, datetime.date(2025, 1, 6), COMMITTEE_DAY, None),
        (Phase.ACCELERATION, COMMITTEE_DAY, None, decision.pk),
    ]
    assert periods[1].decided_by == member_a
    held_committee.refresh_from_db()
    assert held_committee.status == Committee.Status.HELD
    assert (decision.outcome, decision.next_phase, decision.granted_months) == ("next_phase", "acceleration", 6)


def test_record_decision_stop_ends_a_product_in_abandon(held_committee, startup_a, member_a):
    decide(held_committee, member_a, Decision.Outcome.STOP)

    startup_a.refresh_from_db()
    assert (startup_a.phase, startup_a.next_committee_due) == (Phase.ABANDONED, None)
    assert PhasePeriod.objects.get(startup=startup_a, end__isnull=True).phase == Phase.ABANDONED


def test_record_decision_stop_ends_an_investigation_in_abandon_investigation(frozen, incubator_a, member_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.INVESTIGATION, phase_start=datetime.date(2026, 1, 12))
    committee = CommitteeFactory(
        startup=startup, kind=Committee.Kind.END_OF_INVESTIGATION, scheduled_at=paris(COMMITTEE_DAY)
    )

    decide(committee, member_a, Decision.Outcome.STOP)

    startup.refresh_from_db()
    assert (startup.phase, startup.next_committee_due) == (Phase.ABANDONED_INVESTIGATION, None)
    assert list(startup.periods.order_by("start").values_list("phase", "end")) == [
        (Phase.INVESTIGATION, COMMITTEE_DAY),
        (Phase.ABANDONED_INVESTIGATION, None),
    ]


def test_record_decision_transfer_ends_a_product_in_transfere(frozen, incubator_a, member_a):
    startup = StartupFactory(incubator=incubator_a, phase=Phase.ACCELERATION, phase_start=datetime.date(2025, 2, 3))
    committee = CommitteeFactory(startup=startup, scheduled_at=paris(COMMITTEE_DAY))

    decision = decide(committee, member_a, Decision.Outcome.TRANSFER)

    startup.refresh_from_db()
    assert (startup.phase, startup.next_committee_due) == (Phase.TRANSFERRED, None)
    assert startup.periods.get(end__isnull=True).decision_id == decision.pk


def test_record_decision_continue_keeps_the_phase_and_grants_months(held_committee, startup_a, member_a):
    decide(
        held_committee,
        member_a,
        Decision.Outcome.CONTINUE,
        granted_months=9,
        granted_amount=Decimal("180000"),
        beyond_rule_reason="Recrutement en cours.",
    )

    startup_a.refresh_from_db()
    assert startup_a.phase == Phase.CONSTRUCTION
    assert startup_a.next_committee_due == datetime.date(2026, 12, 16)
    assert list(startup_a.periods.values_list("phase", "end")) == [(Phase.CONSTRUCTION, None)]


def test_record_decision_a_second_time_is_refused_and_changes_nothing(held_committee, startup_a, member_a):
    decide(held_committee, member_a, Decision.Outcome.CONTINUE)
    before = snapshot(startup_a)

    with pytest.raises(ValidationError) as refused:
        decide(held_committee, member_a, Decision.Outcome.STOP)

    assert refused.value.code == "exists"
    assert refused.value.messages == [gettext("A decision was already recorded for this committee.")]
    assert snapshot(startup_a) == before
    assert Decision.objects.get().outcome == Decision.Outcome.CONTINUE


def test_record_decision_on_a_cancelled_committee_is_refused(held_committee, startup_a, member_a):
    held_committee.scheduled_at = paris(datetime.date(2026, 3, 27), 14)  # only a planned, future one can be cancelled
    held_committee.save()
    cancel_committee(committee=held_committee, actor=member_a)
    before = snapshot(startup_a)

    with pytest.raises(ValidationError) as refused:
        record_decision(
            committee=held_committee,
            actor=member_a,
            outcome=Decision.Outcome.CONTINUE,
            decided_on=datetime.date(2026, 3, 27),
        )

    assert refused.value.code == "cancelled"
    assert snapshot(startup_a) == before
    held_committee.refresh_from_db()
    assert held_committee.status == Committee.Status.CANCELLED


def test_record_decision_next_phase_must_follow_the_current_one(held_committee, startup_a, member_a):
    before = snapshot(startup_a)

    with pytest.raises(ValidationError) as refused:
        decide(held_committee, member_a, Decision.Outcome.NEXT_PHASE, next_phase=Phase.CONSOLIDATION)

    assert refused.value.code == "next_phase"
    assert snapshot(startup_a) == before


# Planning -------------------------------------------------------------------------------------


def attendees_of(team_member, manager):
    return [
        {
            "user": team_member,
            "name": "Équipe A",
            "email": team_member.email,
            "role": "intrapreneur",
            "mandatory": True,
        },
        {"user": manager, "name": "Manager A", "email": manager.email, "role": "incubator_manager", "mandatory": True},
    ]


def test_plan_committee_in_the_past_is_refused(frozen, startup_a, team_member, member_a):
    with pytest.raises(ValidationError) as refused:
        plan_committee(
            startup=startup_a,
            actor=member_a,
            attendees=attendees_of(team_member, member_a),
            scheduled_at=paris(datetime.date(2026, 3, 19), 14),
        )

    assert refused.value.code == "past"
    assert (Committee.objects.count(), Attendee.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)


def test_attendee_without_email_violates_the_database_constraint(frozen, startup_a):
    committee = CommitteeFactory(startup=startup_a)

    with pytest.raises(IntegrityError, match="attendee_has_email"), transaction.atomic():
        Attendee.objects.create(committee=committee, name="Sans courriel", email="")

    assert not committee.attendees.exists()


def test_plan_committee_with_an_attendee_without_email_creates_nothing(frozen, startup_a, team_member, member_a):
    attendees = [*attendees_of(team_member, member_a), {"name": "Sans courriel", "email": "", "role": "other"}]

    with pytest.raises(IntegrityError), transaction.atomic():
        plan_committee(
            startup=startup_a, actor=member_a, attendees=attendees, scheduled_at=paris(datetime.date(2026, 4, 14), 14)
        )

    assert (Committee.objects.count(), Attendee.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)


def ics_of(row):
    [attachment] = row.attachments
    assert (attachment["filename"], attachment["mimetype"]) == ("comite.ics", "text/calendar")
    return base64.b64decode(attachment["content"])


def assert_ics_is_the_committee(data, committee, *, local_start):
    """``data`` parses, has one event for ``committee`` starting at ``local_start`` (naive, Paris)."""
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start.astimezone(PARIS).replace(tzinfo=None) == local_start
    assert start == committee.scheduled_at
    assert end - start == datetime.timedelta(minutes=committee.duration_minutes)
    assert event.decoded("dtstamp").utcoffset() == datetime.timedelta(0)  # RFC 5545: DTSTAMP is in UTC
    tzid = event["dtstart"].params.get("TZID")
    if tzid:  # RFC 5545: every TZID used must be defined by a VTIMEZONE of the file
        assert tzid in [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")]
    assert str(event["uid"]) == f"committee-{committee.pk}@127.0.0.1:8000"
    assert committee.startup.name in str(event["summary"])
    assert str(event["url"]) == f"{settings.SITE_URL}{committee.get_absolute_url()}"
    assert str(event["status"]) == "CONFIRMED"


def test_plan_committee_emails_each_attendee_an_invitation_with_an_ics(
    frozen, startup_a, team_member, member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        committee = plan_committee(
            startup=startup_a,
            actor=member_a,
            attendees=attendees_of(team_member, member_a),
            kind=Committee.Kind.PERIODIC,
            scheduled_at=paris(datetime.date(2026, 4, 14), 14),  # summer time: 12:00 UTC
            place="20 avenue de Ségur, Paris",
        )

    rows = OutboxMessage.objects.order_by("idempotency_key")
    assert [(row.idempotency_key, row.to) for row in rows] == [
        (f"committee:{committee.pk}:invitation:0:equipe-a@example.gouv.fr", ["equipe-a@example.gouv.fr"]),
        (f"committee:{committee.pk}:invitation:0:manager-a@example.gouv.fr", ["manager-a@example.gouv.fr"]),
    ]
    for row in rows:
        assert "Produit A" in row.subject
        assert "14:00" in row.body_text
        assert "20 avenue de Ségur, Paris" in row.body_text
        assert f"{settings.SITE_URL}/comites/{committee.pk}/" in row.body_text
        assert_ics_is_the_committee(ics_of(row), committee, local_start=datetime.datetime(2026, 4, 14, 14, 0))
    committee.refresh_from_db()  # as the database gives it back (UTC): the same instant
    assert_ics_is_the_committee(ics_of(rows[0]), committee, local_start=datetime.datetime(2026, 4, 14, 14, 0))
    delivered = sorted(django_mail.outbox, key=lambda message: message.to)
    assert [message.to for message in delivered] == [["equipe-a@example.gouv.fr"], ["manager-a@example.gouv.fr"]]
    [(filename, content, mimetype)] = delivered[0].attachments
    assert (filename, mimetype) == ("comite.ics", "text/calendar")
    assert_ics_is_the_committee(content, committee, local_start=datetime.datetime(2026, 4, 14, 14, 0))


# The decision emails ---------------------------------------------------------------------------


def test_record_decision_emails_the_attendees_and_purchasing(held_committee, startup_a, member_a):
    decision = decide(
        held_committee,
        member_a,
        Decision.Outcome.NEXT_PHASE,
        next_phase=Phase.ACCELERATION,
        granted_amount=Decimal("250000"),
        granted_months=6,
        minutes="Passage en accélération validé.",
    )

    rows = {row.idempotency_key: row for row in OutboxMessage.objects.all()}
    assert sorted(rows) == [
        f"decision:{decision.pk}:equipe-a@example.gouv.fr",
        f"decision:{decision.pk}:manager-a@example.gouv.fr",
        f"decision:{decision.pk}:purchasing:{PURCHASING}",
    ]
    assert {key: row.to for key, row in rows.items()} == {
        f"decision:{decision.pk}:equipe-a@example.gouv.fr": ["equipe-a@example.gouv.fr"],
        f"decision:{decision.pk}:manager-a@example.gouv.fr": ["manager-a@example.gouv.fr"],
        f"decision:{decision.pk}:purchasing:{PURCHASING}": [PURCHASING],
    }
    assert all(row.status == OutboxMessage.Status.QUEUED for row in rows.values())
    outcome = str(Decision.Outcome.NEXT_PHASE.label)
    six_months = ngettext("%(months)s month", "%(months)s months", 6) % {"months": 6}
    link = f"{settings.SITE_URL}/comites/{held_committee.pk}/"
    for key in (
        f"decision:{decision.pk}:equipe-a@example.gouv.fr",
        f"decision:{decision.pk}:manager-a@example.gouv.fr",
    ):
        row = rows[key]
        assert "Produit A" in row.subject
        assert outcome in row.subject
        for expected in (
            "Produit A",
            "16 mars 2026",  # the date of the decision
            outcome,
            str(Phase.ACCELERATION.label),
            "250\xa0000 €",
            six_months,
            "16 septembre 2026",  # the next committee is due 6 months later
            "Passage en accélération validé.",
            link,
        ):
            assert expected in row.body_text, (expected, row.body_text)
        assert link in row.body_html
    purchasing = rows[f"decision:{decision.pk}:purchasing:{PURCHASING}"]
    assert "Produit A" in purchasing.subject
    for expected in ("Produit A", "Fabrique A", "16 mars 2026", outcome, "250\xa0000 €", six_months, link):
        assert expected in purchasing.body_text, (expected, purchasing.body_text)
    assert "Passage en accélération validé." not in purchasing.body_text  # the minutes stay with the attendees


def test_record_decision_without_purchasing_contact_emails_the_attendees_only(held_committee, startup_a, member_a):
    startup_a.incubator.purchasing_email = ""
    startup_a.incubator.save(update_fields=["purchasing_email"])

    decision = decide(held_committee, member_a, Decision.Outcome.CONTINUE)

    assert sorted(OutboxMessage.objects.values_list("idempotency_key", flat=True)) == [
        f"decision:{decision.pk}:equipe-a@example.gouv.fr",
        f"decision:{decision.pk}:manager-a@example.gouv.fr",
    ]


def test_decision_emails_are_sent_once_after_commit(held_committee, member_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        decide(held_committee, member_a, Decision.Outcome.CONTINUE)
    assert django_mail.outbox == []  # nothing leaves before the commit

    for callback in callbacks:  # the commit (the open data's rebuild is one of them)
        callback()

    assert sorted(message.to[0] for message in django_mail.outbox) == [
        PURCHASING,
        "equipe-a@example.gouv.fr",
        "manager-a@example.gouv.fr",
    ]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}

"""The reminder engine: timing in Paris time, idempotence, concurrency, batches."""

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.core import mail as django_mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incubator.models import OutboxMessage, ReminderDelivery, ReminderRule
from incubator.reminders import Due, Recipient, ReminderKind, plan, register
from incubator.tests.services import require_postgres

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@register
class ProbeKind(ReminderKind):
    """A kind for the engine's own tests: its due items are set by the test."""

    code = "tests.probe"
    items = []  # (object_key, anchor date, [emails])

    def due(self, rule, *, anchors_from, anchors_to):
        return [
            Due(key, anchor.isoformat(), [Recipient(email) for email in emails], {"thing": key})
            for key, anchor, emails in self.items
            if anchors_from <= anchor <= anchors_to
        ]


@pytest.fixture
def probe():
    ProbeKind.items = []
    yield ProbeKind
    ProbeKind.items = []


@pytest.fixture
def rule(db):
    return ReminderRule.objects.create(
        kind="tests.probe",
        name="D-7 à 9 h",
        offset_days=-7,
        send_at=datetime.time(9, 0),
        subject_template="Rappel : {{ thing }}",
        body_template="Bonjour {{ recipient.email }}, {{ thing }} approche.",
    )


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def test_reminder_is_sent_once_at_nine_on_d_minus_7(rule, probe):
    probe.items = [("objet:1", datetime.date(2026, 6, 15), ["a@example.gouv.fr", "B@example.gouv.fr"])]

    before = plan(now=paris(2026, 6, 8, 8, 59)).created
    at_nine = plan(now=paris(2026, 6, 8, 9, 0)).created
    again = plan(now=paris(2026, 6, 8, 9, 5)).created

    assert (before, at_nine, again) == (0, 2, 0)
    message = OutboxMessage.objects.get(to=["a@example.gouv.fr"])
    assert message.subject == "Rappel : objet:1"
    assert message.body_text == "Bonjour a@example.gouv.fr, objet:1 approche."
    assert sorted(ReminderDelivery.objects.values_list("recipient", flat=True)) == [
        "a@example.gouv.fr",
        "b@example.gouv.fr",
    ]


def test_planner_three_times_sends_each_reminder_once(rule, probe, django_capture_on_commit_callbacks):
    probe.items = [(f"objet:{n}", datetime.date(2026, 6, 15), [f"p{n}@example.gouv.fr"]) for n in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        counts = [plan(now=paris(2026, 6, 8, 10, 0)).created for _run in range(3)]

    assert counts == [5, 0, 0]
    assert len(django_mail.outbox) == 5
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == 5


def test_a_missed_day_is_caught_up_but_not_a_past_anchor(rule, probe):
    probe.items = [
        ("recent", datetime.date(2026, 6, 15), ["r@example.gouv.fr"]),
        ("passe", datetime.date(2026, 6, 9), ["o@example.gouv.fr"]),  # its day has come: too late
    ]

    plan(now=paris(2026, 6, 9, 10, 0))  # the planner was down on the 8th: D-7 of "recent"

    assert list(ReminderDelivery.objects.values_list("object_key", flat=True)) == ["recent"]


# Issue 11 item 4: an occurrence stays due from its send time until sent or no longer relevant ----


@pytest.fixture
def after_rule(db):
    """A D+1 rule (after its anchor), like "decision missing"."""
    return ReminderRule.objects.create(
        kind="tests.probe", name="J+1", offset_days=1, subject_template="Après : {{ thing }}", body_template="B"
    )


def test_an_anchor_set_inside_the_window_is_reminded_at_the_next_run_once(db, probe, time_machine):
    time_machine.move_to(paris(2026, 1, 5, 12, 0), tick=False)
    ReminderRule.objects.create(
        kind="tests.probe", name="J-45", offset_days=-45, subject_template="{{ thing }}", body_template="B"
    )
    time_machine.move_to(paris(2026, 6, 2, 15, 0), tick=False)
    probe.items = [("objet:import", datetime.date(2026, 7, 2), ["a@example.gouv.fr"])]  # imported at D-30

    runs = [plan().created for _run in range(3)]
    time_machine.move_to(paris(2026, 6, 20, 9, 0), tick=False)
    runs.append(plan().created)

    assert runs == [1, 0, 0, 0]
    assert ReminderDelivery.objects.get().occurrence == "2026-07-02"


def test_a_reminder_before_its_anchor_is_not_sent_once_the_anchor_day_has_come(rule, probe):
    probe.items = [("objet:1", datetime.date(2026, 6, 15), ["a@example.gouv.fr"])]

    assert plan(now=paris(2026, 6, 14, 9, 0)).created == 1  # D-1: still worth it
    ReminderDelivery.objects.all().delete()
    assert plan(now=paris(2026, 6, 15, 9, 0)).created == 0  # the day itself: no longer relevant


def test_a_reminder_after_its_anchor_stays_due_for_the_kinds_late_days(after_rule, probe):
    probe.items = [("objet:1", datetime.date(2026, 6, 15), ["a@example.gouv.fr"])]

    assert plan(now=paris(2026, 6, 16, 8, 59)).created == 0  # not yet its time
    assert plan(now=paris(2026, 7, 16, 9, 0)).created == 1  # the planner was down for a month
    assert plan(now=paris(2026, 7, 17, 9, 0)).created == 0  # sent once
    ReminderDelivery.objects.all().delete()
    assert plan(now=paris(2026, 7, 17, 9, 0)).created == 0  # 31 days late: no longer relevant


def test_a_new_rule_does_not_replay_what_was_past_before_it_existed(db, probe, time_machine):
    """A first deployment (or a rule added in the admin) on 10 June: the committee of 1 June is
    history; the one of today and the ones ahead are not."""
    probe.items = [
        ("ancien", datetime.date(2026, 6, 1), ["ancien@example.gouv.fr"]),
        ("aujourdhui", datetime.date(2026, 6, 10), ["jour@example.gouv.fr"]),
    ]
    time_machine.move_to(paris(2026, 6, 10, 8, 0), tick=False)
    ReminderRule.objects.create(kind="tests.probe", name="J+1", offset_days=1, subject_template="s", body_template="b")

    time_machine.move_to(paris(2026, 6, 11, 9, 0), tick=False)
    assert plan().created == 1

    assert list(ReminderDelivery.objects.values_list("object_key", flat=True)) == ["aujourdhui"]


def test_a_kind_can_say_how_long_its_reminders_stay_relevant(after_rule, probe, monkeypatch):
    monkeypatch.setattr(ProbeKind, "late_days", 2)
    probe.items = [("objet:1", datetime.date(2026, 6, 15), ["a@example.gouv.fr"])]

    assert plan(now=paris(2026, 6, 19, 9, 0)).created == 0  # send day 16th + 2 days: over
    assert plan(now=paris(2026, 6, 18, 9, 0)).created == 1


def test_a_rescheduled_anchor_is_a_new_occurrence(rule, probe):
    probe.items = [("objet:1", datetime.date(2026, 6, 15), ["a@example.gouv.fr"])]
    plan(now=paris(2026, 6, 8, 9, 0))
    probe.items = [("objet:1", datetime.date(2026, 6, 22), ["a@example.gouv.fr"])]

    assert plan(now=paris(2026, 6, 15, 9, 0)).created == 1


def test_inactive_rules_and_unknown_kinds_send_nothing(rule, probe):
    probe.items = [("objet:1", datetime.date(2026, 6, 15), ["a@example.gouv.fr"])]
    rule.is_active = False
    rule.save()
    ReminderRule.objects.create(kind="app.absente", name="?", offset_days=0, subject_template="s", body_template="b")

    result = plan(now=paris(2026, 6, 8, 9, 0))

    assert (result.created, result.skipped_rules) == (0, ["app.absente"])


@pytest.mark.parametrize("send_day", [datetime.date(2026, 3, 29), datetime.date(2026, 10, 25)])
def test_dst_change_day_reminder_is_sent_once_at_nine_paris_time(rule, probe, send_day):
    """Beat ticks every 5 minutes in UTC through the clock-change day: one email, at 09:00 in Paris."""
    probe.items = [("objet:dst", send_day + datetime.timedelta(days=7), ["dst@example.gouv.fr"])]
    tick = datetime.datetime.combine(send_day - datetime.timedelta(days=1), datetime.time(22), tzinfo=datetime.UTC)
    sent_at = []
    with time_machine.travel(tick, tick=False) as traveller:
        for _step in range(12 * 30):  # 30 hours of 5-minute ticks
            if plan().created:
                sent_at.append(datetime.datetime.now(tz=PARIS))
            tick += datetime.timedelta(minutes=5)
            traveller.move_to(tick)

    assert len(sent_at) == 1
    assert (sent_at[0].date(), sent_at[0].time()) == (send_day, datetime.time(9, 0))
    assert ReminderDelivery.objects.count() == 1


def test_send_reminders_command_runs_the_planner(rule, probe, capsys):
    today = datetime.datetime.now(tz=PARIS).date()
    probe.items = [("objet:cmd", today + datetime.timedelta(days=6), ["cmd@example.gouv.fr"])]

    call_command("send_reminders")
    call_command("send_reminders")

    assert ReminderDelivery.objects.filter(object_key="objet:cmd").count() == 1
    assert "1 reminders queued" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_planners_at_once_send_each_reminder_once(probe):
    require_postgres()
    ReminderRule.objects.create(kind="tests.probe", name="D-7", offset_days=-7, subject_template="R", body_template="B")
    probe.items = [(f"objet:{n}", datetime.date(2026, 6, 15), [f"p{n}@example.gouv.fr"]) for n in range(200)]
    barrier = threading.Barrier(2)
    created, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            created.append(plan(now=paris(2026, 6, 8, 10, 0)).created)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _thread in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(created) == [0, 200]
    assert ReminderDelivery.objects.count() == 200
    assert OutboxMessage.objects.count() == 200


def queries_to_plan(count, probe):
    ReminderDelivery.objects.all().delete()
    OutboxMessage.objects.all().delete()
    probe.items = [(f"objet:{n}", datetime.date(2026, 6, 15), [f"p{n}@example.gouv.fr"]) for n in range(count)]
    with CaptureQueriesContext(connection) as queries:
        assert plan(now=paris(2026, 6, 8, 10, 0)).created == count
    return len(queries)


def test_planning_ten_thousand_reminders_queries_grow_with_batches_not_reminders(rule, probe):
    one_batch = queries_to_plan(500, probe)
    two_batches = queries_to_plan(1000, probe)
    per_batch = two_batches - one_batch

    ten_thousand = queries_to_plan(10_000, probe)

    assert per_batch <= 25  # SQLite splits a 500-row INSERT in chunks; PostgreSQL does not
    assert ten_thousand == one_batch + 19 * per_batch
    assert OutboxMessage.objects.count() == 10_000

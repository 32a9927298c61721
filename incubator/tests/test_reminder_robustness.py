"""The reminder planner when PostgreSQL goes away in the middle of a run.

The planner's backend is terminated from a second connection (``pg_terminate_backend`` of its
pid only): what a server restart looks like from the client, without disturbing anyone else on
the server. Then every due reminder must be recorded and sent exactly once, and the run must
end without a traceback, with a logged reason. Real PostgreSQL; skipped without it (fails
instead under REQUIRE_SERVICES=1). Batches of 50 here instead of 500, to keep the tests short.
"""

import contextlib
import datetime
import logging
import zoneinfo

import psycopg
import pytest
import time_machine
from django.core import mail as django_mail
from django.db import OperationalError, connection, transaction

from incubator import reminders
from incubator.management.commands.send_reminders import Command as SendReminders
from incubator.models import OutboxMessage, ReminderDelivery, ReminderRule
from incubator.reminders import Due, Recipient, ReminderKind, plan, register
from incubator.tasks import plan_reminders
from incubator.tests.mailserver import database_url
from incubator.tests.services import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
BATCH = 50
COUNT = 120  # three batches: 50, 50, 20
ANCHOR = datetime.date(2026, 6, 15)
RUN_AT = datetime.datetime(2026, 6, 8, 10, 0, tzinfo=PARIS)  # D-7 of the anchor, after 09:00


@register
class LostConnectionKind(ReminderKind):
    """A kind for these tests: ``COUNT`` due items; ``hooks`` run when it is asked."""

    code = "tests.lost_connection"
    hooks = []

    def due(self, rule, *, anchors_from, anchors_to):
        for hook in self.hooks:
            hook()
        return [
            Due(f"objet:{rule.pk}:{n}", ANCHOR.isoformat(), [Recipient(f"r{rule.pk}-{n}@example.gouv.fr")])
            for n in range(COUNT)
            if anchors_from <= ANCHOR <= anchors_to
        ]


@pytest.fixture
def rules(monkeypatch):
    require_postgres()
    monkeypatch.setattr(reminders, "BATCH_SIZE", BATCH)
    monkeypatch.setattr(reminders, "RETRY_DELAYS", (0.1, 0.2, 0.4))
    LostConnectionKind.hooks = []
    yield [
        ReminderRule.objects.create(
            kind=LostConnectionKind.code,
            name=f"D-7 n° {number}",
            offset_days=-7,
            subject_template="Rappel",
            body_template="Bonjour {{ recipient.email }}",
        )
        for number in (1, 2)
    ]
    LostConnectionKind.hooks = []
    connection.close()  # whatever state a test left the connection in


def terminate_backend():
    """Terminate the backend of this process's connection, from a second connection, and wait
    until it is gone (the planner's next query then fails as after a server restart)."""
    pid = connection.connection.info.backend_pid
    with psycopg.connect(database_url(connection.settings_dict), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = %s", [pid])
        for _attempt in range(100):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            other.execute("SELECT pg_sleep(0.02)")
    raise AssertionError(f"backend {pid} still there")


@contextlib.contextmanager
def backend_terminated_before(fragment, *, occurrences):
    """Terminate the planner's backend just before each query containing ``fragment`` whose rank
    (1, 2...) among those queries is in ``occurrences``; yield the list of kills made."""
    seen, kills = [0], []

    def wrapper(execute, sql, params, many, context):
        if fragment in sql:
            seen[0] += 1
            if seen[0] in occurrences:
                terminate_backend()
                kills.append(seen[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield kills


def assert_each_reminder_sent_once(rules):
    expected = sorted(f"r{rule.pk}-{n}@example.gouv.fr" for rule in rules for n in range(COUNT))
    assert sorted(ReminderDelivery.objects.values_list("recipient", flat=True)) == expected
    assert sorted(address for (address,) in OutboxMessage.objects.values_list("to", flat=True)) == expected
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
    assert sorted(address for message in django_mail.outbox for address in message.to) == expected


def assert_no_traceback(caplog):
    assert [record.getMessage() for record in caplog.records if record.exc_info or record.exc_text] == []


@pytest.mark.parametrize(
    "fragment",
    [
        "FOR UPDATE",  # the lock on the rule that opens a batch
        'INSERT INTO "incubator_outboxmessage"',
        'INSERT INTO "incubator_reminderdelivery"',
    ],
)
def test_backend_terminated_in_the_middle_of_a_batch_is_retried_and_each_reminder_sent_once(rules, caplog, fragment):
    caplog.set_level(logging.INFO)

    with backend_terminated_before(fragment, occurrences={2}) as kills:  # in the second batch
        result = plan(now=RUN_AT)

    assert kills == [2]
    assert result.created == 2 * COUNT
    assert_each_reminder_sent_once(rules)
    (warning,) = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert warning.getMessage().startswith(
        f"Reminder planner: database connection lost while batch 2 of rule {rules[0].pk}"
    )
    assert "attempt 2 in 0.1 s" in warning.getMessage()
    assert_no_traceback(caplog)


def test_persistent_connection_lost_between_batches_is_replaced_before_the_next_query(rules, caplog):
    """As in production with CONN_MAX_AGE: the connection survives batches; killed while nothing
    runs, the health check (CONN_HEALTH_CHECKS) replaces it before the next batch, no error."""
    caplog.set_level(logging.INFO)
    connection.settings_dict["CONN_MAX_AGE"] = 600
    calls = []

    def kill_before_the_second_rule():
        calls.append(connection.connection.info.backend_pid)
        if len(calls) == 2:
            terminate_backend()

    LostConnectionKind.hooks = [kill_before_the_second_rule]
    try:
        result = plan(now=RUN_AT)
        replaced = connection.connection.info.backend_pid
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0

    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert calls[0] == calls[1] != replaced  # one connection for the first rule, a new one after the kill
    assert result.created == 2 * COUNT
    assert_each_reminder_sent_once(rules)
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []


@pytest.mark.parametrize("entry", ["command", "task"])
def test_database_gone_for_good_stops_the_run_with_a_reason_and_the_next_run_sends_the_rest(
    rules, caplog, capsys, entry
):
    caplog.set_level(logging.INFO)

    # The second batch never gets through: its four attempts lose the connection.
    with (
        time_machine.travel(RUN_AT),
        backend_terminated_before("FOR UPDATE", occurrences={2, 3, 4, 5}) as kills,
    ):
        if entry == "command":
            with pytest.raises(SystemExit) as exit_info:
                SendReminders().run_from_argv(["manage.py", "send_reminders"])
        else:
            returned = plan_reminders.apply().get()

    assert kills == [2, 3, 4, 5]
    assert ReminderDelivery.objects.count() == BATCH  # the first batch stands
    message = f"database unreachable while batch 2 of rule {rules[0].pk} (4 attempts): "
    if entry == "command":
        output = capsys.readouterr()
        assert exit_info.value.code == 1
        assert output.err.startswith(f"CommandError: Reminders interrupted: {message}")
        assert output.err.endswith(f". {BATCH} reminders were queued before it; the next run sends the rest.\n")
        assert output.err.count("\n") == 1
        assert "Traceback" not in output.err
    else:
        assert returned == BATCH
        errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
        assert len(errors) == 1
        assert errors[0].startswith(f"Reminder planning interrupted: {message}")
    assert len([record for record in caplog.records if record.levelno == logging.WARNING]) == 3
    assert_no_traceback(caplog)

    connection.close()
    assert plan(now=RUN_AT).created == 2 * COUNT - BATCH  # the database is back: the rest, once

    assert_each_reminder_sent_once(rules)


def test_plan_inside_a_transaction_lets_the_error_through(rules):
    """Inside the caller's transaction nothing can be retried: the caller gets the error."""
    with (
        pytest.raises(OperationalError),
        transaction.atomic(),
        backend_terminated_before("FOR UPDATE", occurrences={1}),
    ):
        plan(now=RUN_AT)

    connection.close()
    assert ReminderDelivery.objects.count() == 0

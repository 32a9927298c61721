"""The outbox end to end: PostgreSQL, Redis, a real Celery worker process and a real SMTP server.

Skipped with the reason without PostgreSQL and Redis; fails instead under REQUIRE_SERVICES=1.
"""

import time

import pytest
from django.core.mail import EmailMessage, send_mail

from incubator import outbox, tasks
from incubator.models import OutboxMessage
from incubator.tests.mailserver import wait_until

pytestmark = pytest.mark.services


def wait_for_status(row, status):
    def reached():
        row.refresh_from_db()
        return row.status == status

    wait_until(reached, what=f"outbox message {row.pk} to be {status}")
    return row


def test_worker_delivers_a_queued_message_exactly_once(celery_worker, smtp_server):
    send_mail("Bienvenue sur le portail", "Bonjour,\nvotre compte est prêt.", None, ["agente@example.gouv.fr"])

    row = wait_for_status(OutboxMessage.objects.get(), OutboxMessage.Status.SENT)

    assert (row.attempts, row.last_error) == (1, "")
    assert row.sent_at is not None
    [received] = smtp_server.handler.messages
    assert received["Subject"] == "Bienvenue sur le portail"
    assert received["To"] == "agente@example.gouv.fr"
    assert received["X-Outbox-Id"] == str(row.pk)


def test_worker_retries_a_421_with_backoff_and_delivers_once(celery_worker, smtp_server):
    smtp_server.handler.script(421, 421, 250)

    send_mail("Relance", "Votre dossier attend.", None, ["agente@example.gouv.fr"])

    row = wait_for_status(OutboxMessage.objects.get(), OutboxMessage.Status.SENT)
    assert (row.attempts, row.last_error) == (3, "")
    assert [attempt.reply[:3] for attempt in smtp_server.handler.attempts] == ["421", "421", "250"]
    assert [received["Subject"] for received in smtp_server.handler.messages] == ["Relance"]


def test_worker_fails_a_550_without_retrying(celery_worker, smtp_server):
    smtp_server.handler.script(550, stage="RCPT")

    send_mail("Relance", "Votre dossier attend.", None, ["inconnue@example.gouv.fr"])

    row = wait_for_status(OutboxMessage.objects.get(), OutboxMessage.Status.FAILED)
    time.sleep(3)  # a retry would come back after 1 s (OUTBOX_RETRY_BASE_SECONDS=1 in the worker)
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.FAILED
    assert row.attempts == 1
    assert "550" in row.last_error
    assert "No such user here" in row.last_error
    assert len(smtp_server.handler.attempts) == 1
    assert smtp_server.handler.messages == []


def test_worker_sends_one_email_for_one_idempotency_key(celery_worker, smtp_server):
    def queue():
        message = EmailMessage("Comité du 3 mars", "Vous êtes convoqué.", to=["jury@example.gouv.fr"])
        return outbox.enqueue(message, key="committee-42-convocation")

    first, created_first = queue()
    second, created_second = queue()
    tasks.dispatch(first.pk)  # and one more task for the same row, as a retried or requeued one would be

    celery_worker.wait_for_tasks(2)
    assert (created_first, created_second, second.pk) == (True, False, first.pk)
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    assert [received["Subject"] for received in smtp_server.handler.messages] == ["Comité du 3 mars"]
    assert len(smtp_server.handler.attempts) == 1

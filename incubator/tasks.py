"""Celery tasks of the core app, and the outbox's transport. Thin tasks: IDs in, a service call.

The transport hands outbox rows to Celery (``dispatch()``, on the outbox's ``messages_queued``
signal, after the commit that queued them) and delivers one row over
``OUTBOX_DELIVERY_BACKEND`` (``deliver()``: SMTP in production), deciding from the answer
whether to retry. The rows' states are the outbox's (``incubator.outbox``): this module moves
them through its functions only. It is the leaf of the core: it imports the outbox and the
reminder engine, and nothing in the core imports it but the app's ``ready()``.
"""

import base64
import enum
import logging
import smtplib
import time
from importlib import import_module

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.dispatch import receiver
from django.utils import timezone
from kombu.exceptions import OperationalError

from . import outbox, personal_data
from .models import AuditEvent, OutboxMessage
from .reminders import PlanningInterrupted, plan

logger = logging.getLogger(__name__)

# Publishing to a broker that is down: one quick retry (Celery's default waits 0.6 s per message),
# then no attempt for a few seconds; the rows stay queued for requeue_stuck.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.1, "interval_max": 0.1}
BROKER_PAUSE_SECONDS = 10
_broker_down_until = {}  # broker URL -> time.monotonic() before which dispatch() does not try


class Delivery(enum.Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # already sent, failed, or claimed by someone else
    RETRY = "retry"  # transient failure: try again later
    FAILED = "failed"  # permanent failure, or attempts exhausted


# --- The tasks ---------------------------------------------------------------------------------------


@shared_task(bind=True, name="incubator.send_outbox_message", max_retries=None)
def send_outbox_message(self, message_id):
    """Deliver one outbox row; transient failures come back later with exponential backoff."""
    outcome = deliver(message_id)
    if outcome is Delivery.SKIPPED:
        logger.info("Outbox message %s skipped: already handled, claimed by another task, or gone", message_id)
    elif outcome is Delivery.RETRY:
        if self.request.is_eager:
            # Run in-process (no broker): nobody would run a delayed retry, and Celery would raise
            # Retry into the request that committed the message. The row stays queued for
            # requeue_outbox.
            logger.warning("Outbox message %s stays queued: tasks run in-process, no delayed retry", message_id)
            return outcome.value
        attempts = OutboxMessage.objects.values_list("attempts", flat=True).get(pk=message_id)
        raise self.retry(countdown=outbox.retry_delay(attempts))
    return outcome.value


@shared_task(name="incubator.requeue_outbox")
def requeue_outbox():
    """Periodic: re-queue messages stuck in "sending" and re-dispatch forgotten ones."""
    count = outbox.requeue_stuck()
    if count:
        logger.info("Re-queued %s outbox messages", count)
    return count


@shared_task(name="incubator.plan_reminders")
def plan_reminders():
    """Periodic (every 5 minutes): record and queue the reminders that are due. Without a
    database the run stops with the reason logged; the next one sends what is left."""
    try:
        result = plan()
    except PlanningInterrupted as interrupted:
        logger.error("Reminder planning interrupted: %s", interrupted)
        return interrupted.result.created
    return result.created


@shared_task(name="incubator.clear_expired_sessions")
def clear_expired_sessions():
    """Periodic (hourly): delete the expired sessions, what ``manage.py clearsessions`` does."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task(name="incubator.purge_audit_events")
def purge_audit_events():
    """Periodic (daily): delete the audit log's rows past AUDIT_RETENTION_DAYS (a year)."""
    count = AuditEvent.purge()
    if count:
        logger.info("Purged %s audit events past retention", count)
    return count


@shared_task(name="incubator.purge_expired_personal_data")
def purge_expired_personal_data():
    """Periodic (daily): apply the retention periods of every app (``incubator.personal_data.purge_all``)."""
    report = personal_data.purge_all()
    logger.info("Personal data past retention: %s", report)
    return report


# --- Handing rows to Celery --------------------------------------------------------------------------


@receiver(outbox.messages_queued, dispatch_uid="incubator.tasks.dispatch_queued")
def _dispatch_queued(sender, message_ids, **kwargs):
    dispatch_many(message_ids)


def dispatch_many(message_ids):
    """Dispatch rows in turn; after a broker failure leave the rest queued for ``requeue_stuck``."""
    for message_id in message_ids:
        if not dispatch(message_id):
            break


def dispatch(message_id):
    """Hand a row to Celery; False when the broker is unreachable (the row stays queued).

    Runs after the commit of the transaction that wrote the row: a broker outage must not turn
    that committed request into an error, nor into a slow one. The row stays queued and
    ``requeue_stuck`` hands it to Celery again later. After a failure, dispatching is paused for
    ``BROKER_PAUSE_SECONDS`` (per broker), so that a request queuing ten emails, or a requeue of a
    thousand rows, does not wait for the dead broker once per row.
    """
    broker = send_outbox_message.app.conf.broker_url
    if time.monotonic() < _broker_down_until.get(broker, 0):
        logger.warning("Outbox message %s stays queued: the broker was unreachable a moment ago.", message_id)
        return False
    try:
        send_outbox_message.apply_async((message_id,), retry_policy=PUBLISH_RETRY_POLICY)
    except OperationalError:
        _broker_down_until[broker] = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.exception("Outbox message %s could not be handed to the broker; it stays queued.", message_id)
        return False
    return True


# --- Delivering one row ------------------------------------------------------------------------------


def deliver(message_id, *, connection=None):
    """Send one outbox row. Return a Delivery telling the task what to do next."""
    row = outbox.claim(message_id)
    if row is None:
        return Delivery.SKIPPED
    try:
        if not _build(row, connection or get_connection(settings.OUTBOX_DELIVERY_BACKEND)).send():
            raise ValueError("the message has no recipient")  # Django sends nothing and returns 0
    except Exception as error:  # classified below; nothing may leave a row in "sending"
        permanent = _is_permanent(error)
        exhausted = row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        status = OutboxMessage.Status.FAILED if permanent or exhausted else OutboxMessage.Status.QUEUED
        outbox.finish(row, status, last_error=f"{type(error).__name__}: {error}"[:2000])
        logger.warning("Outbox message %s attempt %s failed: %s", row.pk, row.attempts, error)
        return Delivery.FAILED if status == OutboxMessage.Status.FAILED else Delivery.RETRY
    sent = {"last_error": "", "sent_at": timezone.now()}
    if row.idempotency_key.startswith(personal_data.ERASURE_EMAIL_KEY):
        sent |= personal_data.SCRUBBED  # the email saying an account is gone keeps no address once sent
    outbox.finish(row, OutboxMessage.Status.SENT, **sent)
    return Delivery.SENT


def _is_permanent(error):
    """SMTP 5xx answers are permanent; 4xx, disconnections, network errors and a task running
    out of time are transient; anything else (a message that cannot be built) is permanent."""
    if isinstance(error, SoftTimeLimitExceeded):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return not isinstance(error, OSError | smtplib.SMTPException)


def _build(row, connection):
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        reply_to=row.reply_to,
        headers={**row.headers, "X-Outbox-Id": str(row.pk)},
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    for attachment in row.attachments:
        message.attach(attachment["filename"], base64.b64decode(attachment["content"]), attachment["mimetype"])
    return message

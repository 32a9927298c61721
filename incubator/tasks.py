"""Celery tasks of the core app. Thin: IDs in, a service call, nothing else."""

import logging
from importlib import import_module

from celery import shared_task
from django.conf import settings

from . import mail
from .reminders import PlanningInterrupted, plan

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="incubator.send_outbox_message", max_retries=None)
def send_outbox_message(self, message_id):
    """Deliver one outbox row; transient failures come back later with exponential backoff."""
    outcome = mail.deliver(message_id)
    if outcome is mail.Delivery.SKIPPED:
        logger.info("Outbox message %s skipped: already handled, claimed by another task, or gone", message_id)
    elif outcome is mail.Delivery.RETRY:
        if self.request.is_eager:
            # Run in-process (no broker): nobody would run a delayed retry, and Celery would raise
            # Retry into the request that committed the message. The row stays queued for
            # requeue_outbox.
            logger.warning("Outbox message %s stays queued: tasks run in-process, no delayed retry", message_id)
            return outcome.value
        attempts = mail.OutboxMessage.objects.values_list("attempts", flat=True).get(pk=message_id)
        raise self.retry(countdown=mail.retry_delay(attempts))
    return outcome.value


@shared_task(name="incubator.requeue_outbox")
def requeue_outbox():
    """Periodic: re-queue messages stuck in "sending" and re-dispatch forgotten ones."""
    count = mail.requeue_stuck()
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
    from .models import AuditEvent

    count = AuditEvent.purge()
    if count:
        logger.info("Purged %s audit events past retention", count)
    return count

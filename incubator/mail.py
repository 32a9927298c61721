"""The mail outbox (DESIGN 5.2).

Every email is first an ``OutboxMessage`` row, written in the caller's transaction; a Celery
task delivers it after commit. Two doors lead in:

* ``send_templated()`` for the portal's own emails, with an explicit idempotency key;
* ``OutboxEmailBackend``, Django's ``EMAIL_BACKEND``, so that mail sent through
  ``django.core.mail`` (allauth's included) lands in the outbox too. A message may carry its
  key in the ``X-Outbox-Key`` header.

``deliver()`` claims a row with a conditional UPDATE, so a message is handed to the SMTP server
at most once per claim, whatever the number of tasks pointing at it.
"""

import base64
import enum
import hashlib
import logging
import smtplib
import time
import uuid
from datetime import timedelta
from email.mime.base import MIMEBase
from html import unescape

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from kombu.exceptions import OperationalError

from .models import OutboxMessage

logger = logging.getLogger(__name__)

KEY_HEADER = "X-Outbox-Key"
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


def absolute_url(path):
    """A link for an email: the portal's address (SITE_URL) and ``path``."""
    return f"{settings.SITE_URL}{path}"


def html_from_text(subject, text):
    """The HTML part of a message that only came with text, in the portal's email layout."""
    return render_to_string("emails/base.html", {"subject": subject, "text": text})


def render_text(template_name, context):
    """Render a plain-text template without HTML escaping: in a text email "L'équipe & co"
    must not become "L&#x27;équipe &amp; co". HTML templates keep Django's autoescaping."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def fitting_key(key, *, prefix=None):
    """``key`` if it fits the outbox's column, else ``<prefix>:sha256:<digest of key>``.

    A key names a recipient's address (up to 254 characters): too long for its column, the
    insert would fail, and with it the transaction that sends the email. Its digest is as unique.
    """
    limit = OutboxMessage._meta.get_field("idempotency_key").max_length
    if len(key) <= limit:
        return key
    prefix = prefix or key.split(":", 1)[0]
    return f"{prefix}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def enqueue(message, *, key=None, hold=False):
    """Write an EmailMessage to the outbox; return (row, created). Same key twice: one row.

    ``hold``: the row waits for ``release()`` (a person reviews it first) instead of being sent.
    """
    if message.bcc:
        # The outbox has no column for blind copies: refuse rather than silently drop recipients.
        raise ValueError("The outbox does not keep Bcc recipients; send one message per recipient.")
    text = message.body
    html = next((content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
    if message.content_subtype == "html":
        # An HTML-only message: its body is the HTML part; the text part is derived from it.
        html, text = html or message.body, unescape(strip_tags(message.body))
    headers = {name: value for name, value in message.extra_headers.items() if name != KEY_HEADER}
    attachments = [attachment_to_json(attachment) for attachment in message.attachments]
    key = fitting_key(str(key or message.extra_headers.get(KEY_HEADER) or uuid.uuid4()))
    with transaction.atomic():
        row, created = OutboxMessage.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
                "to": list(message.to),
                "cc": list(message.cc),
                "reply_to": list(message.reply_to),
                "subject": message.subject,
                "body_text": text,
                "body_html": html or html_from_text(message.subject, text),
                "headers": headers,
                "attachments": attachments,
                "status": OutboxMessage.Status.HELD if hold else OutboxMessage.Status.QUEUED,
            },
        )
    if created and not hold:
        transaction.on_commit(lambda: dispatch(row.pk))
    return row, created


def send_templated(*, to, template, context, key, reply_to=(), attachments=(), hold=False):
    """Render ``templates/emails/<template>_{subject,body}.txt`` (and ``_body.html`` if there is one) and queue it.

    ``attachments`` are (filename, content, mimetype) triples.
    """
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_text(f"emails/{template}_subject.txt", context).split())
    text = render_text(f"emails/{template}_body.txt", context)
    try:
        html = render_to_string(f"emails/{template}_body.html", {**context, "subject": subject})
    except TemplateDoesNotExist:  # a plain email: its text in the portal's layout
        html = html_from_text(subject, text)
    message = EmailMultiAlternatives(subject=subject, body=text, to=list(to), reply_to=list(reply_to))
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    row, _created = enqueue(message, key=key, hold=hold)
    return row


def release(rows):
    """Send held rows (reviewed by a person): held -> queued, dispatched after commit."""
    ids = list(rows.filter(status=OutboxMessage.Status.HELD).values_list("pk", flat=True))
    OutboxMessage.objects.filter(pk__in=ids, status=OutboxMessage.Status.HELD).update(
        status=OutboxMessage.Status.QUEUED, updated_at=timezone.now()
    )
    transaction.on_commit(lambda: dispatch_many(ids))
    return len(ids)


def enqueue_many(rows):
    """Write unsaved OutboxMessage rows in one INSERT and dispatch each after commit.

    The caller has made sure the keys are new (a duplicate key raises IntegrityError and the
    caller's transaction decides). Used by the reminder planner, which queues thousands at once.
    """
    created = OutboxMessage.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(lambda: dispatch_many(ids))
    return created


def dispatch_many(message_ids):
    """Dispatch rows in turn; after a broker failure leave the rest queued for ``requeue_stuck``."""
    for message_id in message_ids:
        if not dispatch(message_id):
            break


def dispatch(message_id):
    """Hand a row to Celery. Import here: the task module imports this one.

    Runs after the commit of the transaction that wrote the row: a broker outage must not turn
    that committed request into an error, nor into a slow one. The row stays queued and
    ``requeue_stuck`` hands it to Celery again later. After a failure, dispatching is paused for
    ``BROKER_PAUSE_SECONDS`` (per broker), so that a request queuing ten emails, or a requeue of a
    thousand rows, does not wait for the dead broker once per row.
    """
    from .tasks import send_outbox_message

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


def deliver(message_id, *, connection=None):
    """Send one outbox row. Return a Delivery telling the task what to do next."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.QUEUED).update(
        status=OutboxMessage.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return Delivery.SKIPPED
    row = OutboxMessage.objects.get(pk=message_id)
    try:
        if not _build(row, connection or get_connection(settings.OUTBOX_DELIVERY_BACKEND)).send():
            raise ValueError("the message has no recipient")  # Django sends nothing and returns 0
    except Exception as error:  # classified below; nothing may leave a row in "sending"
        permanent = _is_permanent(error)
        exhausted = row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        status = OutboxMessage.Status.FAILED if permanent or exhausted else OutboxMessage.Status.QUEUED
        _mark(row, status=status, last_error=f"{type(error).__name__}: {error}"[:2000])
        logger.warning("Outbox message %s attempt %s failed: %s", row.pk, row.attempts, error)
        return Delivery.FAILED if status == OutboxMessage.Status.FAILED else Delivery.RETRY
    _mark(row, status=OutboxMessage.Status.SENT, last_error="", sent_at=timezone.now())
    return Delivery.SENT


def retry_delay(attempts):
    """Seconds before the next attempt: exponential backoff from OUTBOX_RETRY_BASE_SECONDS."""
    return settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)


def resend(row):
    """Put a failed message back in the queue (admin action)."""
    updated = OutboxMessage.objects.filter(pk=row.pk, status=OutboxMessage.Status.FAILED).update(
        status=OutboxMessage.Status.QUEUED, attempts=0, last_error="", updated_at=timezone.now()
    )
    if updated:
        transaction.on_commit(lambda: dispatch(row.pk))
    return bool(updated)


def requeue_stuck(now=None):
    """Re-queue rows left in "sending" by a dead worker, and re-dispatch forgotten queued rows.

    A queued row waiting for its retry (backoff) is not forgotten until that retry is overdue.
    Every row handed over is touched (``updated_at``), so the next run leaves it alone for
    ``OUTBOX_STUCK_AFTER_SECONDS`` instead of piling one more task on it every time.
    """
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    with transaction.atomic():
        candidates = (
            OutboxMessage.objects.stuck(now)
            .select_for_update(skip_locked=True)
            .order_by("updated_at")
            .values_list("pk", "status", "attempts", "updated_at")[:1000]
        )
        ids = [
            pk
            for pk, status, attempts, updated_at in candidates
            if status == OutboxMessage.Status.SENDING or updated_at + _backoff(attempts) < limit
        ]
        OutboxMessage.objects.filter(pk__in=ids).update(status=OutboxMessage.Status.QUEUED, updated_at=timezone.now())
        for message_id in ids:
            transaction.on_commit(lambda message_id=message_id: dispatch(message_id))
    return len(ids)


class OutboxEmailBackend(BaseEmailBackend):
    """Django email backend writing to the outbox instead of sending."""

    def send_messages(self, email_messages):
        for message in email_messages:
            enqueue(message)
        return len(email_messages)


def _mark(row, **fields):
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = timezone.now()
    row.save(update_fields=[*fields, "updated_at"])


def _backoff(attempts):
    """How long a queued row that already failed ``attempts`` times waits for its retry."""
    return timedelta(seconds=retry_delay(attempts) if attempts else 0)


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


def attachment_to_json(attachment):
    if isinstance(attachment, MIMEBase):  # EmailMessage.attach() also takes a ready MIME part
        filename, content, mimetype = (
            attachment.get_filename(),
            attachment.get_payload(decode=True),
            attachment.get_content_type(),
        )
    else:
        filename, content, mimetype = attachment
    if isinstance(content, str):
        content = content.encode()
    return {"filename": filename, "content": base64.b64encode(content).decode(), "mimetype": mimetype}

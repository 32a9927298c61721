"""The mail outbox's rows: writing them, and every change of their status.

Every email is first an ``OutboxMessage`` row, written in the caller's transaction (``enqueue()``
for one message, ``enqueue_many()`` for the reminder planner's thousands). After the commit the
rows to send are announced with the ``messages_queued`` signal; the transport
(``incubator.tasks``: Celery, SMTP, retries) listens to it and hands each row to a worker. This
module knows neither Celery nor SMTP: the task module imports it, never the reverse.

A row is born ``held`` (waiting for a person's review) or ``queued``; from then on its status
follows ``TRANSITIONS`` and ``transition()`` is its only writer. A transition is one conditional
UPDATE: the status a row is found in is the claim, so of two callers racing for one row (two
tasks for one message, a requeue and a worker) one moves it and the other is told it did not.
A worker claims a row before talking to the SMTP server: a message goes out at most once per
claim, and at least once overall, since a row left ``sending`` by a dead worker is queued again
by ``requeue_stuck()`` (``docs/decisions/0001-outbox-is-the-email-backend.md``).
"""

import base64
import hashlib
import logging
import uuid
from datetime import timedelta
from email.mime.base import MIMEBase
from html import unescape

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags

from .models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

KEY_HEADER = "X-Outbox-Key"  # an idempotency key carried by a message sent through django.core.mail

# Where a row may go from where, and who moves it (the functions below).
TRANSITIONS = {
    Status.HELD: {Status.QUEUED},  # release(): a person has reviewed it
    Status.QUEUED: {
        Status.SENDING,  # claim(): a worker takes it
        Status.QUEUED,  # requeue_stuck(): a forgotten row handed over again (its updated_at renewed)
        # finish() by a worker still alive after requeue_stuck() took its claim back, before any
        # other worker claimed the row: the outcome of what it did stands, as for a claim in hand.
        Status.SENT,
        Status.FAILED,
    },
    Status.SENDING: {
        Status.SENT,  # finish(): the SMTP server took it
        Status.QUEUED,  # finish(): a transient failure, tried again later; requeue_stuck(): a dead worker's row
        Status.FAILED,  # finish(): a permanent failure, or the attempts exhausted
    },
    Status.FAILED: {Status.QUEUED},  # resend(): from the admin
    Status.SENT: set(),
}

# Sent after the commit of the transaction that queued rows, with ``message_ids``: the rows to
# hand to the transport, in order. ``incubator.tasks`` receives it (imported by the app's ready()).
messages_queued = Signal()


def transition(message_ids, target, *, sources, claim=None, **fields):
    """Move the rows of ``message_ids`` that are in one of ``sources`` to ``target``; return how many moved.

    The only writer of ``OutboxMessage.status`` once a row exists. Every (source, target) must be
    in ``TRANSITIONS``. One conditional UPDATE, so a row that is no longer in ``sources`` (another
    caller moved it first) is left alone. ``claim``: only the rows whose ``claimed_at`` is this one
    (a worker reporting on its own claim). ``fields``: the other columns the move sets;
    ``updated_at`` is now unless given.
    """
    sources = {Status(source) for source in sources}
    refused = sorted(source for source in sources if target not in TRANSITIONS[source])
    if refused:
        raise ValueError(f"An outbox message cannot go from {', '.join(refused)} to {target}.")
    rows = OutboxMessage.objects.filter(pk__in=message_ids, status__in=sources)
    if claim is not None:
        rows = rows.filter(claimed_at=claim)
    return rows.update(status=target, **{"updated_at": timezone.now(), **fields})


# --- Writing rows ----------------------------------------------------------------------------------


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
                "status": Status.HELD if hold else Status.QUEUED,
            },
        )
    if created and not hold:
        transaction.on_commit(lambda: hand_over([row.pk]))
    return row, created


def enqueue_many(rows):
    """Write unsaved OutboxMessage rows (queued) in one INSERT and hand them over after commit.

    The caller has made sure the keys are new (a duplicate key raises IntegrityError and the
    caller's transaction decides). Used by the reminder planner, which queues thousands at once.
    """
    created = OutboxMessage.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(lambda: hand_over(ids))
    return created


def html_from_text(subject, text):
    """The HTML part of a message that only came with text, in the portal's email layout."""
    return render_to_string("emails/base.html", {"subject": subject, "text": text})


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


def attachment_to_json(attachment):
    """An EmailMessage attachment (a triple or a MIME part) as the outbox keeps it."""
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


def hand_over(message_ids):
    """Announce rows to send to the transport (``messages_queued``). Runs after the commit."""
    if not messages_queued.has_listeners():
        logger.error(
            "Outbox messages %s stay queued: no transport listens (incubator.tasks not imported).", message_ids
        )
        return
    messages_queued.send(sender=OutboxMessage, message_ids=list(message_ids))


# --- The moves of a row ----------------------------------------------------------------------------


def release(rows):
    """Send held rows (reviewed by a person): held -> queued, handed over after commit."""
    ids = list(rows.filter(status=Status.HELD).values_list("pk", flat=True))
    transition(ids, Status.QUEUED, sources=[Status.HELD])
    transaction.on_commit(lambda: hand_over(ids))
    return len(ids)


def claim(message_id):
    """A worker takes a queued row before talking to the SMTP server: the row, or None when the
    row is not queued (already sent, failed, claimed by another task, or gone)."""
    now = timezone.now()
    claimed = transition(
        [message_id],
        Status.SENDING,
        sources=[Status.QUEUED],
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return OutboxMessage.objects.get(pk=message_id) if claimed else None


def finish(row, target, **fields):
    """A worker's outcome for the row it claimed (``claim()``): sent, queued again or failed.

    Written only while the claim is still the row's latest (no other worker has claimed it
    since); returns whether it was.
    """
    return bool(transition([row.pk], target, sources=[Status.SENDING, Status.QUEUED], claim=row.claimed_at, **fields))


def resend(row):
    """Put a failed message back in the queue (the admin's action), its attempts from zero."""
    updated = transition([row.pk], Status.QUEUED, sources=[Status.FAILED], attempts=0, last_error="")
    if updated:
        transaction.on_commit(lambda: hand_over([row.pk]))
    return bool(updated)


def retry_delay(attempts):
    """Seconds before the next attempt: exponential backoff from OUTBOX_RETRY_BASE_SECONDS."""
    return settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)


def requeue_stuck(now=None):
    """Re-queue rows left in "sending" by a dead worker, and hand forgotten queued rows over again.

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
            if status == Status.SENDING or updated_at + _backoff(attempts) < limit
        ]
        transition(ids, Status.QUEUED, sources=[Status.SENDING, Status.QUEUED])
        for message_id in ids:
            transaction.on_commit(lambda message_id=message_id: hand_over([message_id]))
    return len(ids)


def _backoff(attempts):
    """How long a queued row that already failed ``attempts`` times waits for its retry."""
    return timedelta(seconds=retry_delay(attempts) if attempts else 0)

"""The reminder engine: one planner for the reminder kinds every app declares
(``docs/decisions/0003-reminder-engine.md``).

An app declares its kinds in ``<app>/reminders.py`` (a subclass of ``ReminderKind`` decorated
with ``@register``) and imports that module in its ``AppConfig.ready()``; the core never imports
an app. A ``ReminderRule`` row (admin-editable, seeded by the app's data migration) says when
(offset in days from the kind's anchor date, at a time of day in Paris) and what (subject and
body templates); to whom is the kind's answer.

``plan()`` is what the beat task (every 5 minutes) and ``manage.py send_reminders`` run. For each
active rule it asks the kind what is due (below), then records one ``ReminderDelivery`` per (rule,
object, recipient, occurrence) and its outbox row in the same transaction. The unique constraint on
deliveries, a lock on the rule while it is planned and the outbox's unique idempotency key make a
reminder go out once, however many planners run; the queries grow with batches, not with reminders.

Each batch is its own transaction, so a lost database connection (PostgreSQL restarted, a
backend killed) costs at most the batch in flight: before each step the planner drops a
connection that is broken or too old (with ``CONN_HEALTH_CHECKS`` a dead one is replaced before
its first query), and a step that fails on the connection is tried again a few times after a
short pause; it finds what an earlier attempt committed and records only the rest. If the
database stays away, ``plan()`` raises ``PlanningInterrupted``, a one-line reason: the next run
sends what is left.
"""

import logging
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.template import Context, Template
from django.utils import timezone

from . import outbox
from .models import OutboxMessage, ReminderDelivery, ReminderRule

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
RETRY_DELAYS = (1, 2, 4)  # seconds before each new attempt of a step that lost the connection

_kinds = {}


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""


@dataclass
class Due:
    """Something a kind says is due: for one object, one occurrence, to some recipients."""

    object_key: str  # e.g. "committees.committee:42"
    occurrence: str  # what makes a repeat distinct, e.g. the anchor date
    recipients: list
    context: dict = field(default_factory=dict)
    attachments: list = field(default_factory=list)  # (filename, bytes, mimetype), e.g. an .ics


class ReminderKind:
    """A kind of reminder. Subclasses set ``code`` and implement ``due()``."""

    code = ""
    late_days = 30  # a reminder on or after its anchor is still sent this many days after its send day

    def relevant_from(self, rule, today):
        """The earliest anchor date whose occurrence is still worth sending on ``today``.

        Before the anchor (a negative offset): until the day before the anchor (on the day, a
        deck or an agenda comes too late); on or after it: for ``late_days`` after the send day.
        A kind overrides this to say otherwise.
        """
        if rule.offset_days < 0:
            return today + timedelta(days=1)
        return today - timedelta(days=rule.offset_days + self.late_days)

    def due(self, rule, *, anchors_from, anchors_to):
        """The Due items of ``rule`` whose anchor date is within [anchors_from, anchors_to].

        Must run a constant number of queries, whatever the number of objects.
        """
        raise NotImplementedError


def register(kind_class):
    """Class decorator: make a kind known to the planner."""
    kind = kind_class()
    if not kind.code:
        raise ValueError(f"{kind_class.__name__} has no code")
    _kinds[kind.code] = kind
    return kind_class


def get_kind(code):
    return _kinds.get(code)


@dataclass
class PlanResult:
    created: int = 0
    skipped_rules: list = field(default_factory=list)


class PlanningInterrupted(Exception):
    """The database stayed unreachable through the retries; the message says where, in one line.
    ``result`` is what was queued before (those reminders are recorded: the next run skips them)."""

    result = None


def plan(now=None):
    """Record and queue every reminder due at ``now`` (default: the current time)."""
    now = now or timezone.now()
    result = PlanResult()
    try:
        rules = _retrying("reading the rules", lambda: list(ReminderRule.objects.filter(is_active=True).order_by("pk")))
        for rule in rules:
            kind = get_kind(rule.kind)
            if kind is None:
                result.skipped_rules.append(rule.kind)
                continue
            anchors_from, anchors_to = due_anchors(rule, kind, now)
            if anchors_from <= anchors_to:
                _plan_rule(rule, kind, anchors_from, anchors_to, result)
    except PlanningInterrupted as interrupted:
        interrupted.result = result
        raise
    return result


def due_anchors(rule, kind, now):
    """The anchor dates [from, to] whose occurrence of ``rule`` is due at ``now``: its send time
    has come, it is still relevant (the kind's ``relevant_from``) and the anchor was not already
    past when the rule was created (no replay of old history on a first deployment). A run for a
    moment before the rule existed (a test, a replay of a past day) takes the rule as existing."""
    local = timezone.localtime(now)
    last_send_day = local.date() if local.time() >= rule.send_at else local.date() - timedelta(days=1)
    anchors_from = kind.relevant_from(rule, local.date())
    if rule.created_at and rule.created_at <= now:
        anchors_from = max(anchors_from, timezone.localtime(rule.created_at).date())
    return anchors_from, last_send_day - timedelta(days=rule.offset_days)


def _plan_rule(rule, kind, anchors_from, anchors_to, result):
    dues = _retrying(
        f"asking rule {rule.pk} what is due",
        lambda: list(kind.due(rule, anchors_from=anchors_from, anchors_to=anchors_to)),
    )
    pairs = [(due, recipient) for due in dues for recipient in _unique(due.recipients)]
    subject, body = Template(rule.subject_template), Template(rule.body_template)
    for number, start in enumerate(range(0, len(pairs), BATCH_SIZE), start=1):
        batch = pairs[start : start + BATCH_SIZE]
        result.created += _retrying(
            f"batch {number} of rule {rule.pk}", lambda batch=batch: _plan_batch(rule, batch, subject, body)
        )


def _retrying(step, work):
    """``work()`` (read-only, or one transaction of its own) on a sound connection; after a lost
    connection, again on a new one after each of ``RETRY_DELAYS``, then ``PlanningInterrupted``.

    Inside a caller's transaction (a test, a shell) there is nothing to retry: a lost connection
    ends that transaction, so the error goes to the caller.
    """
    for attempt, delay in enumerate((*RETRY_DELAYS, None), start=1):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # broken or too old: the next query reconnects
        try:
            return work()
        except (OperationalError, InterfaceError) as error:
            if connection.in_atomic_block:
                raise
            reason = " ".join(str(error).split()) or type(error).__name__
            if delay is None:
                raise PlanningInterrupted(f"database unreachable while {step} ({attempt} attempts): {reason}") from None
            logger.warning(
                "Reminder planner: database connection lost while %s (%s); attempt %s in %s s",
                step,
                reason,
                attempt + 1,
                delay,
            )
            clock.sleep(delay)


def _plan_batch(rule, pairs, subject, body):
    with transaction.atomic():
        # Two planners at once: the second waits here, then finds the first one's deliveries.
        ReminderRule.objects.select_for_update().filter(pk=rule.pk).first()
        done = set(
            ReminderDelivery.objects.filter(
                rule=rule, object_key__in={due.object_key for due, _recipient in pairs}
            ).values_list("object_key", "recipient", "occurrence")
        )
        new = [(due, r) for due, r in pairs if (due.object_key, r.email, due.occurrence) not in done]
        if not new:
            return 0
        messages = [_message(rule, due, recipient, subject, body) for due, recipient in new]
        try:
            with transaction.atomic():
                outbox.enqueue_many(messages)
                ReminderDelivery.objects.bulk_create(
                    ReminderDelivery(
                        rule=rule,
                        object_key=due.object_key,
                        recipient=recipient.email,
                        occurrence=due.occurrence,
                        message=message,
                    )
                    for (due, recipient), message in zip(new, messages, strict=True)
                )
        except IntegrityError:
            # Another planner without row locks (SQLite) got there first: its rows stand.
            logger.info("Reminder rule %s: a concurrent planner recorded this batch", rule.pk)
            return 0
    return len(new)


def _message(rule, due, recipient, subject, body):
    context = Context(
        {**due.context, "recipient": recipient, "rule": rule, "site_url": settings.SITE_URL}, autoescape=False
    )
    text = body.render(context)
    rendered_subject = " ".join(subject.render(context).split())
    return OutboxMessage(
        idempotency_key=_idempotency_key(rule, due, recipient),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        subject=rendered_subject,
        body_text=text,
        body_html=outbox.html_from_text(rendered_subject, text),
        attachments=[outbox.attachment_to_json(attachment) for attachment in due.attachments],
    )


def _idempotency_key(rule, due, recipient):
    # A very long address would fail the whole batch, and every run after it: outbox.fitting_key.
    key = f"reminder:{rule.pk}:{due.object_key}:{due.occurrence}:{recipient.email}"
    return outbox.fitting_key(key, prefix=f"reminder:{rule.pk}")


def _unique(recipients):
    seen, unique = set(), []
    for recipient in recipients:
        email = (recipient.email or "").strip().lower()
        if email and email not in seen:
            seen.add(email)
            unique.append(Recipient(email=email, name=recipient.name))
    return unique


def day_bounds(first, last):
    """Aware datetimes from ``first`` 00:00 to the day after ``last`` 00:00, Paris time: the range
    of a datetime anchor (a committee's date and time) over the anchor dates a kind is asked for."""
    return local_datetime(first, time()), local_datetime(last + timedelta(days=1), time())


def local_datetime(day: date, at) -> datetime:
    """``day`` at time ``at`` in Paris, as an aware datetime (DST-safe)."""
    return timezone.make_aware(datetime.combine(day, at))

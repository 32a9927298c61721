"""The committee cadence: when a product's next investment committee is due (docs/architecture.md).

The due date follows from the record, by one rule (``due_from``):

- an ended product (transferred, stopped, stopped after its investigation) has none;
- the last decision of a held committee taken in the current phase: its date + the months it
  granted (6 by default);
- no such decision (a phase entered without a committee, a product reactivated from an ended
  phase): an investigation is due 9 weeks after it started, any other phase 6 months after.

It is recomputed (``refresh_due_date``) whenever the record changes: a phase change (the
portfolio's ``phase_changed`` signal, connected in ``apps.py``), a decision, a committee or a
decision deleted in the admin.
A manager may still set the date by hand with a reason (``set_due_date``, kept in the product's
history and as a ``DueDateChange``) until the record next changes.

The 6-month rule (``check_rule``): a decision granting more than 6 months, or a due date set by
hand more than 6 months after the last committee, needs a written reason and is marked
(``beyond_rule``); a product in consolidation or opéré may be steered yearly (12 months) without
one, per the network's guide; nothing goes past 24 months (``MAX_GRANTED_MONTHS``).
``Startup.next_committee_due`` holds the result (the portfolio lists and filters read it); only
this module writes it.
"""

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import versions
from portfolio.models import ENDED_PHASES, INVESTIGATION_LENGTH, Phase, PhasePeriod, Startup

from .models import MAX_GRANTED_MONTHS, Committee, Decision, DueDateChange

DEFAULT_GRANTED_MONTHS = 6
# The network's guide: a committee at least every 6 months; consolidation and opéré yearly.
RULE_MONTHS = 6
YEARLY_PHASES = frozenset({Phase.CONSOLIDATION, Phase.OPERATED})
YEARLY_MONTHS = 12
# The end-of-investigation committee comes when an investigation usually ends.
END_OF_INVESTIGATION_AFTER = INVESTIGATION_LENGTH


def due_from(*, phase, phase_start, decided_on=None, granted_months=None):
    """The next committee's due date of a product in ``phase`` since ``phase_start`` whose last
    decision was taken on ``decided_on`` for ``granted_months`` (None: none is due)."""
    phase = Phase(phase)
    if phase in ENDED_PHASES:
        return None
    if decided_on is not None and (phase_start is None or decided_on >= phase_start):
        return decided_on + relativedelta(months=granted_months or DEFAULT_GRANTED_MONTHS)
    if phase_start is None:
        return None
    if phase == Phase.INVESTIGATION:
        return phase_start + END_OF_INVESTIGATION_AFTER
    return phase_start + relativedelta(months=DEFAULT_GRANTED_MONTHS)


def with_record(startups):
    """Annotate a Startup queryset with what ``due_from`` reads: the current phase's start and the
    last decision of a held committee (its date and granted months). Subqueries: one query."""
    period = PhasePeriod.objects.filter(startup=OuterRef("pk"), end__isnull=True)
    last = Decision.objects.filter(committee__startup=OuterRef("pk"), committee__status=Committee.Status.HELD).order_by(
        "-decided_on", "-committee__scheduled_at", "-pk"
    )
    return startups.annotate(
        cadence_phase_start=Subquery(period.values("start")[:1]),
        cadence_decided_on=Subquery(last.values("decided_on")[:1]),
        cadence_granted_months=Subquery(last.values("granted_months")[:1]),
    )


def due_of(annotated):
    """``due_from`` applied to a startup annotated by ``with_record``."""
    return due_from(
        phase=annotated.phase,
        phase_start=annotated.cadence_phase_start,
        decided_on=annotated.cadence_decided_on,
        granted_months=annotated.cadence_granted_months,
    )


def next_committee_due(startup):
    """When ``startup``'s next committee is due, from the record (None: none is due). One query."""
    return due_of(with_record(Startup.objects.all()).get(pk=startup.pk))


def refresh_due_date(*, startup, actor, reason):
    """Recompute ``startup``'s due date from the record and store it if it changed, with ``actor``
    and ``reason`` in the product's history. Returns the due date."""
    with transaction.atomic():
        locked = with_record(Startup.objects.select_for_update()).get(pk=startup.pk)
        due = due_of(locked)
        if due != locked.next_committee_due:
            _write(locked, due, actor=actor, reason=reason)
    startup.next_committee_due = due
    return due


def months_allowed(phase):
    """How many months a product in ``phase`` may go between committees without a reason."""
    return YEARLY_MONTHS if phase in YEARLY_PHASES else RULE_MONTHS


def check_rule(*, phase, months, reason, field="beyond_rule_reason"):
    """The 6-month rule for a period of ``months`` in ``phase``: True when it goes beyond the rule
    (a ``reason`` is then required), False within it. Raises ValidationError past 24 months, or
    beyond the rule without a reason (codes ``too_long`` and ``beyond_rule_reason``)."""
    if months > MAX_GRANTED_MONTHS:
        raise ValidationError(
            _("At most %(max)d months between two committees.") % {"max": MAX_GRANTED_MONTHS}, code="too_long"
        )
    return needs_reason(phase=phase, months=months, reason=reason, field=field)


def needs_reason(*, phase, months, reason, field="beyond_rule_reason"):
    """``check_rule`` without its bound: True beyond the rule (with a reason), False within it."""
    allowed = months_allowed(phase)
    if months <= allowed:
        return False
    if not (reason or "").strip():
        raise ValidationError(
            _("More than %(allowed)d months between two committees goes beyond the network's rule: write the reason.")
            % {"allowed": allowed},
            code=field,
        )
    return True


def months_after(start, end):
    """Whole months from ``start`` to ``end``, rounded up (a day past 6 months counts as 7)."""
    delta = relativedelta(end, start)
    months = delta.years * 12 + delta.months
    return months + (1 if delta.days > 0 else 0)


def rule_reference(locked):
    """What the rule counts a due date from: the last held committee's decision (as ``due_from``
    reads it), else today (a product never steered: its first committee is what is asked for).
    ``locked`` is annotated by ``with_record``."""
    return locked.cadence_decided_on or timezone.localdate()


def set_due_date(*, startup, due, actor, reason, beyond_rule_reason=""):
    """A manager sets the due date by hand; ``reason`` is kept in the product's history and in a
    ``DueDateChange``. More than 6 months (12 in consolidation or opéré) after the last committee
    needs ``beyond_rule_reason`` and is marked; past 24 months is refused (``check_rule``)."""
    with transaction.atomic():
        locked = with_record(Startup.objects.select_for_update()).get(pk=startup.pk)
        reference = rule_reference(locked)
        # The bound counts from today: an overdue product may always be given a date ahead.
        if months_after(timezone.localdate(), due) > MAX_GRANTED_MONTHS:
            raise ValidationError(
                _("At most %(max)d months from today: choose an earlier date.") % {"max": MAX_GRANTED_MONTHS},
                code="too_long",
            )
        beyond = needs_reason(phase=locked.phase, months=months_after(reference, due), reason=beyond_rule_reason)
        _write(locked, due, actor=actor, reason=reason)
        DueDateChange.objects.create(
            startup=locked,
            due=due,
            reason=reason[:100],
            beyond_rule=beyond,
            beyond_rule_reason=beyond_rule_reason.strip(),
            changed_by=actor,
        )
    startup.next_committee_due = due
    return locked


def refresh_all(startups):
    """Recompute the due dates of many products at once, without history (volume data): 2 queries."""
    changed = []
    for startup in with_record(startups).only("pk", "phase", "next_committee_due"):
        due = due_of(startup)
        if due != startup.next_committee_due:
            startup.next_committee_due = due
            changed.append(startup)
    Startup.objects.bulk_update(changed, ["next_committee_due"], batch_size=500)
    versions.STEERING.changed()  # a bulk write sends no post_save
    return len(changed)


def _write(locked, due, *, actor, reason):
    locked.next_committee_due = due
    locked._change_reason = reason[:100]
    locked._history_user = actor
    locked.save(update_fields=["next_committee_due"])


# The audit: what the cadence was, not only what it will be (issue 11 item 2) ----------------------

MAX_GAP_MONTHS = 6
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Gap:
    """From ``start`` (a held committee, or the product's first phase start) to the next held
    committee ``end``; ``months`` to one decimal; ``too_long`` past the 6-month rule."""

    start: date
    end: date
    months: float
    from_phase_start: bool = False

    @property
    def too_long(self):
        return self.months > MAX_GAP_MONTHS


def months_between(start, end):
    return round((end - start).days / DAYS_PER_MONTH, 1)


def gaps_of(*, committee_days, first_phase_start=None):
    """The gaps between consecutive held committees (dates), and from the first phase start to the
    first committee. Pure: the caller reads the dates (``cadence_gaps``)."""
    days = sorted(committee_days)
    gaps = []
    if days and first_phase_start is not None and first_phase_start < days[0]:
        gaps.append(Gap(first_phase_start, days[0], months_between(first_phase_start, days[0]), True))
    gaps += [Gap(start, end, months_between(start, end)) for start, end in pairwise(days)]
    return gaps


def cadence_gaps(startup):
    """``gaps_of`` a product's record: its held committees and its first phase start. Two queries."""
    committees = Committee.objects.filter(startup=startup, status=Committee.Status.HELD).only("scheduled_at")
    first = PhasePeriod.objects.filter(startup=startup).order_by("start").values_list("start", flat=True).first()
    return gaps_of(committee_days={c.local_date for c in committees}, first_phase_start=first)


# The receiver of ``portfolio.signals.phase_changed`` (connected in ``apps.CommitteesConfig.ready``).


def on_phase_changed(sender, *, startup, actor, period, **kwargs):
    """A product entered a phase: its due date follows."""
    reason = _("Committee decision") if period.decision_id else _("Phase change")
    refresh_due_date(startup=startup, actor=actor, reason=reason)

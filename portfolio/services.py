"""Portfolio workflows. ``change_phase`` is the only writer of a product's phase (the map:
``models.ALLOWED_MOVES``); the apps above call these and hear of each move by
``signals.phase_changed``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import ALLOWED_MOVES, Phase, PhasePeriod, Startup
from .signals import phase_changed


def is_regular_move(current, new):
    """True when ``current`` -> ``new`` follows the usual path (``models.ALLOWED_MOVES``)."""
    return current is None or Phase(new) in ALLOWED_MOVES[Phase(current)]


def create_startup(*, startup, phase, start, actor, sponsors=(), team=()):
    """Save a new product (an unsaved ``Startup``), its sponsors, its team and its first phase.

    ``team`` holds unsaved ``TeamMembership`` rows. One transaction: all or nothing.
    """
    with transaction.atomic():
        startup.save()
        if sponsors:
            startup.sponsors.set(sponsors)
        for member in team:
            member.startup = startup
            member.save()
        change_phase(startup=startup, phase=phase, start=start, actor=actor)
    return startup


def change_phase(*, startup, phase, start, actor, reason="", decision_id=None, may_override=False):
    """Close the open period and open ``phase`` on ``start``, in one transaction; announce it.

    A move outside the usual path needs ``reason`` and ``may_override`` (the caller has checked
    that the actor manages the product). Raises ValidationError with a French message and changes
    nothing when the move is refused. ``signals.phase_changed`` is sent inside the transaction
    (what its receivers write, the next committee's due date, stays or goes with the move).
    Returns the new PhasePeriod.
    """
    phase = Phase(phase)
    reason = reason.strip()
    _check_start(start)
    with transaction.atomic():
        locked = Startup.objects.select_for_update().get(pk=startup.pk)
        current = locked.periods.open().first()
        regular = is_regular_move(current and current.phase, phase)
        if current is not None:
            _check_move(current, phase, start, regular=regular, reason=reason, may_override=may_override)
            current.end = start
            current.save(update_fields=["end"])
        period = PhasePeriod.objects.create(
            startup=locked,
            phase=phase,
            start=start,
            comment=reason,
            is_override=not regular,
            decided_by=actor,
            decision_id=decision_id,
        )
        locked.phase = phase
        locked.updated_at = timezone.now()
        locked.save(update_fields=["phase", "updated_at"])
        startup.phase, startup.updated_at = locked.phase, locked.updated_at
        phase_changed.send(sender=Startup, startup=startup, phase=phase, start=start, actor=actor, period=period)
    return period


def check_phase_change(*, startup, phase, start, reason="", may_override=False):
    """Raise the ValidationError ``change_phase`` would raise, changing nothing.

    Returns True when the move follows the usual path. The phase form asks this before it shows
    its confirmation page, so a refused move is refused before the manager confirms it.
    """
    phase = Phase(phase)
    _check_start(start)
    current = startup.periods.open().first()
    regular = is_regular_move(current and current.phase, phase)
    if current is not None:
        _check_move(current, phase, start, regular=regular, reason=reason.strip(), may_override=may_override)
    return regular


def _check_start(start):
    if start > timezone.localdate():
        raise ValidationError(_("A phase cannot start in the future."), code="future")


def _check_move(current, phase, start, *, regular, reason, may_override):
    if current.phase == phase:
        raise ValidationError(_("The product is already in this phase."), code="same")
    if start <= current.start:
        raise ValidationError(
            _("The new phase must start after the current one (started on %(date)s).")
            % {"date": formats.date_format(current.start, "SHORT_DATE_FORMAT")},
            code="start",
        )
    if regular:
        return
    labels = {"from": Phase(current.phase).label, "to": phase.label}
    if not may_override:
        raise ValidationError(
            _(
                "Moving from %(from)s to %(to)s is outside the usual path: "
                "only a manager of the product's incubator can do it."
            )
            % labels,
            code="forbidden",
        )
    if not reason:
        raise ValidationError(
            _("Moving from %(from)s to %(to)s is outside the usual path: give the reason.") % labels, code="reason"
        )

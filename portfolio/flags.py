"""Consistency flags of products: what a manager should look at, computed and never stored.

A flag is an ``incubator.registry.Flag`` of a page (the product page, the portfolio list): a
``Q`` over the page's queryset. ``with_flags`` adds each registered flag to the page's one query as
a boolean annotation (``flag_<key>``), so a list of any length computes them in that query;
``raised`` reads them back on a product; ``having`` filters on one (the list's ``flag`` filter).

The portfolio's own flags (registered by ``contributions.register_contributions``):

- ``fin-financement-phase-active``: a "funding stopped" event dated in the current phase, and the
  phase is still an active one;
- ``phase-trop-longue``: the current phase has lasted longer than its typical maximum
  (``TYPICAL_MAX_DAYS``: investigation about 9 weeks, construction 18 months, acceleration 12,
  consolidation 18);
- ``phase-passee-trop-longue``: a past phase lasted longer than its typical maximum;
- ``hors-parcours``: a phase change outside the usual path in the history (``PhasePeriod.is_override``:
  a step back or a skip, recorded with a manager's reason).

The committees add theirs (no committee ever, overdue) from ``committees/contributions.py``.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import BooleanField, Case, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from incubator import registry

from .models import ACTIVE_PHASES, TYPICAL_MAX_DAYS, EventKind, Phase, PhasePeriod, ProductEvent
from .presenters import describe_duration

# The list filter's value for "at least one flag" (active products only: an ended product's
# history is no longer something to act on).
ANY = "produit-actif-signale"

FUNDING_STOPPED = "fin-financement-phase-active"
PHASE_TOO_LONG = "phase-trop-longue"
PAST_PHASE_TOO_LONG = "phase-passee-trop-longue"
OVERRIDE = "hors-parcours"


def attribute(flag):
    """The annotation that holds ``flag`` on each row: ``flag_`` and its key, as an identifier."""
    return "flag_" + flag.key.replace("-", "_")


# The portfolio's conditions -----------------------------------------------------------------


def funding_stopped_while_active():
    """A "funding stopped" event dated on or after the current phase's start, in an active phase
    (a product moved to a new phase after the stop was funded again: not flagged)."""
    stops = ProductEvent.objects.filter(
        startup=OuterRef("pk"),
        kind=EventKind.FUNDING_STOPPED,
        startup__periods__end__isnull=True,
        date__gte=F("startup__periods__start"),
    )
    return Q(phase__in=ACTIVE_PHASES) & Q(Exists(stops))


def current_phase_too_long():
    """The open period began more than its phase's typical maximum ago."""
    today = timezone.localdate()
    late = Q()
    for phase, days in TYPICAL_MAX_DAYS.items():
        late |= Q(phase=phase, start__lt=today - timedelta(days=days))
    return Q(Exists(PhasePeriod.objects.open().filter(late, startup=OuterRef("pk"))))


def past_phase_too_long():
    """An ended period lasted longer than its phase's typical maximum."""
    length = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    longer = Q()
    for phase, days in TYPICAL_MAX_DAYS.items():
        longer |= Q(phase=phase, length__gt=timedelta(days=days))
    periods = PhasePeriod.objects.filter(startup=OuterRef("pk"), end__isnull=False).alias(length=length)
    return Q(Exists(periods.filter(longer)))


def override_in_history():
    return Q(Exists(PhasePeriod.objects.filter(startup=OuterRef("pk"), is_override=True)))


def portfolio_flags(page):
    """The portfolio's flags of ``page``, to register."""
    return [
        registry.Flag(
            page,
            FUNDING_STOPPED,
            gettext_lazy("Funding stopped, phase still active"),
            funding_stopped_while_active,
            level="error",
            order=10,
        ),
        registry.Flag(
            page, PHASE_TOO_LONG, gettext_lazy("Current phase longer than usual"), current_phase_too_long, order=20
        ),
        registry.Flag(
            page,
            PAST_PHASE_TOO_LONG,
            gettext_lazy("A past phase lasted longer than usual"),
            past_phase_too_long,
            level="info",
            order=30,
        ),
        registry.Flag(
            page,
            OVERRIDE,
            gettext_lazy("Phase change outside the usual path in the history"),
            override_in_history,
            level="info",
            order=40,
        ),
    ]


# Computing, reading, filtering --------------------------------------------------------------


def with_flags(queryset, page):
    """``queryset`` with one boolean annotation per flag of ``page`` (``flag_<key>``). The flags
    read the page's other annotations: add them first (``registry.annotate(page, ...)``)."""
    return queryset.annotate(
        **{
            attribute(flag): Case(When(flag.condition(), then=True), default=False, output_field=BooleanField())
            for flag in registry.flags(page)
        }
    )


def any_flag(page):
    """The condition "an active product with at least one flag of ``page``"."""
    raised = Q()
    for flag in registry.flags(page):
        raised |= flag.condition()
    return Q(phase__in=ACTIVE_PHASES) & raised


def having(queryset, page, key):
    """The rows of ``queryset`` that raise the flag ``key`` (``ANY``: active ones with any flag)."""
    if key == ANY:
        return queryset.filter(any_flag(page))
    flag = next(flag for flag in registry.flags(page) if flag.key == key)
    return queryset.filter(flag.condition())


def choices(page):
    """The list filter's choices: "any flag", then each flag of ``page``."""
    return [
        (ANY, gettext_lazy("Active products with at least one flag")),
        *((f.key, f.label) for f in registry.flags(page)),
    ]


@dataclass
class Raised:
    """A flag raised on one product, with what the portfolio can say of it (``details``)."""

    key: str
    label: str
    level: str
    details: list = field(default_factory=list)


def raised(startup, page, *, periods=(), events=(), today=None):
    """The flags ``startup`` raises (read from its annotations: no query), each with details built
    from the rows the page already fetched: the periods and events concerned."""
    details = {
        FUNDING_STOPPED: lambda: funding_stop_details(periods, events),
        PHASE_TOO_LONG: lambda: too_long_details(periods, today, current=True),
        PAST_PHASE_TOO_LONG: lambda: too_long_details(periods, today, current=False),
        OVERRIDE: lambda: override_details(periods),
    }
    return [
        Raised(flag.key, str(flag.label), flag.level, details[flag.key]() if flag.key in details else [])
        for flag in registry.flags(page)
        if getattr(startup, attribute(flag), False)
    ]


def short(day):
    return date_format(day, "SHORT_DATE_FORMAT")


def usual_length(days):
    """A typical maximum as the network's guide says it: "9 weeks", "18 months" (months of 31 days,
    as ``TYPICAL_MAX_DAYS`` counts them)."""
    if days < 100 and days % 7 == 0:
        return ngettext("%(count)d week", "%(count)d weeks", days // 7) % {"count": days // 7}
    return ngettext("%(count)d month", "%(count)d months", round(days / 31)) % {"count": round(days / 31)}


def is_too_long(period, today):
    limit = TYPICAL_MAX_DAYS.get(Phase(period.phase))
    return bool(limit and period.duration_days(today) > limit)


def too_long_details(periods, today, *, current):
    today = today or timezone.localdate()
    lines = []
    for period in sorted(periods, key=lambda period: period.start):
        if (period.end is None) != current or not is_too_long(period, today):
            continue
        facts = {
            "phase": Phase(period.phase).label,
            "start": short(period.start),
            "duration": describe_duration(period.duration_days(today)),
            "usual": usual_length(TYPICAL_MAX_DAYS[Phase(period.phase)]),
        }
        if current:
            lines.append(_("%(phase)s since %(start)s: %(duration)s (usually at most %(usual)s)") % facts)
        else:
            facts["end"] = short(period.end)
            lines.append(_("%(phase)s from %(start)s to %(end)s: %(duration)s (usually at most %(usual)s)") % facts)
    return lines


def override_details(periods):
    return [
        _("%(phase)s from %(start)s, outside the usual path") % {"phase": Phase(p.phase).label, "start": short(p.start)}
        for p in sorted(periods, key=lambda period: period.start)
        if p.is_override
    ]


def funding_stop_details(periods, events):
    current = next((period for period in periods if period.end is None), None)
    stops = sorted((event.date for event in events if event.is_funding_stop and event.date), reverse=True)
    if not stops or current is None:
        return []
    return [
        _("Funding stopped on %(date)s; the product is in phase %(phase)s since %(start)s.")
        % {"date": short(stops[0]), "phase": Phase(current.phase).label, "start": short(current.start)}
    ]

"""What the product pages show, computed from already-fetched rows (no query per row)."""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import TYPICAL_MAX_DAYS, Phase, PhasePeriod, Startup, TeamMembership

HISTORY_LENGTH = 20
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 600, 200, 30


def describe_duration(days):
    """'3 months', '2 years and 1 month', '12 days'."""
    if days < 60:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    months = round(days / 30.44)
    years, months = divmod(months, 12)
    if not years:
        return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    text = ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    if months:
        text = _("%(years)s and %(months)s") % {
            "years": text,
            "months": ngettext("%(count)d month", "%(count)d months", months) % {"count": months},
        }
    return text


@dataclass
class TimelineStep:
    period: PhasePeriod
    label: str
    duration: str
    is_current: bool
    too_long: bool


def build_timeline(periods, today=None):
    """Periods, oldest first, with their durations and a flag when longer than usual."""
    today = today or timezone.localdate()
    steps = []
    for period in sorted(periods, key=lambda period: period.start):
        days = period.duration_days(today)
        limit = TYPICAL_MAX_DAYS.get(Phase(period.phase))
        steps.append(
            TimelineStep(
                period=period,
                label=Phase(period.phase).label,
                duration=describe_duration(days),
                is_current=period.end is None,
                too_long=bool(limit and days > limit and period.end is None),
            )
        )
    return steps


@dataclass
class Chart:
    indicator: object
    measurements: list
    points: str = ""
    target_y: float | None = None
    labels: list = field(default_factory=list)
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def indicator_charts(indicators):
    """An SVG polyline per indicator (drawn server side: no script, no inline style)."""
    charts = []
    for indicator in indicators:
        measurements = sorted(indicator.measurements.all(), key=lambda measurement: measurement.date)
        chart = Chart(indicator=indicator, measurements=measurements)
        if measurements:
            values = [float(measurement.value) for measurement in measurements]
            if indicator.target is not None:
                values.append(float(indicator.target))
            low, high = min(0.0, *values), max(values) or 1.0
            first, last = measurements[0].date.toordinal(), measurements[-1].date.toordinal()
            span = (last - first) or 1

            def x(day: date, first=first, span=span):
                return CHART_PAD + (day.toordinal() - first) / span * (CHART_WIDTH - 2 * CHART_PAD)

            def y(value, low=low, high=high):
                return CHART_HEIGHT - CHART_PAD - (value - low) / ((high - low) or 1) * (CHART_HEIGHT - 2 * CHART_PAD)

            chart.points = " ".join(f"{x(m.date):.1f},{y(float(m.value)):.1f}" for m in measurements)
            chart.labels = [(x(m.date), y(float(m.value)), m) for m in measurements]
            if indicator.target is not None:
                chart.target_y = y(float(indicator.target))
        charts.append(chart)
    return charts


@dataclass
class HistoryEntry:
    when: object
    who: object
    what: str
    changes: list


def field_label(name):
    """The label of a product field, as people read it in the history."""
    return str(Startup._meta.get_field(name).verbose_name)


def build_history(startup):
    """The latest changes of the sheet, its phases and its team, newest first (three queries)."""
    entries = []
    sheet = list(startup.history.select_related("history_user")[: HISTORY_LENGTH + 1])
    for newer, older in zip(sheet, [*sheet[1:], None], strict=False):
        if older is None and len(sheet) > HISTORY_LENGTH:
            break
        changes = [] if older is None else [field_label(change.field) for change in newer.diff_against(older).changes]
        what = _("Product created") if older is None else _("Sheet edited")
        entries.append(HistoryEntry(newer.history_date, newer.history_user, what, changes))
    periods = PhasePeriod.history.filter(startup_id=startup.pk).select_related("history_user")[:HISTORY_LENGTH]
    for record in periods:
        label = Phase(record.phase).label
        what = (_("Phase %(phase)s started") if record.history_type == "+" else _("Phase %(phase)s updated")) % {
            "phase": label
        }
        entries.append(HistoryEntry(record.history_date, record.history_user, what, []))
    team = TeamMembership.history.filter(startup_id=startup.pk).select_related("history_user", "user")
    verbs = {
        "+": _("Joined the team: %(name)s"),
        "~": _("Team member edited: %(name)s"),
        "-": _("Left the team: %(name)s"),
    }
    for record in team[:HISTORY_LENGTH]:
        name = str(record.user) if record.user_id else record.name
        entries.append(
            HistoryEntry(record.history_date, record.history_user, verbs[record.history_type] % {"name": name}, [])
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:HISTORY_LENGTH]


def startup_json(startup, request):
    """The public fields of a product, for the open-data export."""
    return {
        "slug": startup.slug,
        "name": startup.name,
        "pitch": startup.pitch,
        "phase": startup.phase,
        "incubator": startup.incubator.slug,
        "other_incubators": [incubator.slug for incubator in startup.other_incubators.all()],
        "sponsors": [sponsor.acronym for sponsor in startup.sponsors.all()],
        "website": startup.website,
        "repository": startup.repository,
        "accessibility_status": startup.accessibility_status,
        "dsfr_status": startup.dsfr_status,
        "user_types": startup.user_types,
        "themes": startup.themes,
        "phases": [
            {"phase": period.phase, "start": period.start.isoformat(), "end": period.end and period.end.isoformat()}
            for period in sorted(startup.periods.all(), key=lambda period: period.start)
        ],
        "updated_at": startup.updated_at.isoformat(),
        "url": request.build_absolute_uri(startup.get_public_url()),
    }

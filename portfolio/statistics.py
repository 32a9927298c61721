"""The network's public statistics: the figures of ``/statistiques/`` and ``/api/statistiques.json``.

Public facts only: the published products and their phase history (``PhasePeriod``). Every
figure is an aggregate of the database, in two queries whatever the number of products:

- the phase periods counted by phase, year of start and year of end (and whether the period is
  in force today), from which come the products in each phase today and at the end of each year
  (a period is in force on a day when it started on or before it and ends after it), and the
  entries into each phase per year (the first period of a product is its entry into its first
  phase);
- the products that went through an investigation, by the year their (first) investigation
  began, with what became of them: reached construction (or any later phase), stopped at the end
  of the investigation, stopped later, transferred (at some point), still in investigation. A
  product transferred then stopped counts in both: the shares do not add up to 100 %.

``today`` is the day the figures stand on (every figure reads only the periods begun by then).

The current year's "end of year" is today. Only sums over these few grouped rows are done in
Python (years x phases), never a loop over products. The page, its CSV files and the JSON read the
same ``Statistics`` (``charts()``, drawn by ``incubator.charts`` with their data tables, and
``as_json()``), so they cannot disagree.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator import charts

from .models import Phase, PhasePeriod, Startup

STOPPED = (Phase.ABANDONED_INVESTIGATION, Phase.ABANDONED)
# Where an investigation that succeeded went: construction, or a later phase reached by a skip.
BEYOND_INVESTIGATION = (Phase.CONSTRUCTION, Phase.ACCELERATION, Phase.CONSOLIDATION, Phase.OPERATED, Phase.TRANSFERRED)
OUTCOMES = ("reached_construction", "stopped_after_investigation", "stopped_later", "transferred", "investigating")


@dataclass(frozen=True)
class Cohort:
    """The products whose investigation began in ``year`` (``None``: every year), and what became of them."""

    year: int | None
    launched: int
    reached_construction: int = 0
    stopped_after_investigation: int = 0
    stopped_later: int = 0
    transferred: int = 0
    investigating: int = 0

    def share(self, outcome):
        """The percentage of the launched investigations with ``outcome``, one decimal (None without any)."""
        return round(100 * getattr(self, outcome) / self.launched, 1) if self.launched else None

    @property
    def shares(self):
        return {outcome: self.share(outcome) for outcome in OUTCOMES}

    def counts(self):
        return {"launched": self.launched, **{outcome: getattr(self, outcome) for outcome in OUTCOMES}}


@dataclass(frozen=True)
class Statistics:
    today: datetime.date
    years: list  # from the first year of the history to today's
    by_phase: dict  # phase -> products in it today
    at_year_end: dict  # year -> {phase: products in it on 31 December (today for this year)}
    entries: dict  # year -> {phase: periods that began that year}
    cohorts: list  # [Cohort], by year
    total: Cohort

    @property
    def investigations_launched(self):
        return {cohort.year: cohort.launched for cohort in self.cohorts}

    def as_json(self):
        """The figures of ``/api/statistiques.json`` (``docs/opendata.md``): years as strings."""
        return {
            "date": self.today.isoformat(),
            "phases": list(Phase.values),
            "products_by_phase": self.by_phase,
            "products_by_phase_at_year_end": {str(year): phases for year, phases in self.at_year_end.items()},
            "phase_entries_per_year": {str(year): phases for year, phases in self.entries.items()},
            "investigations": {
                "per_year": [{"year": cohort.year, **cohort.counts()} for cohort in self.cohorts],
                "total": self.total.counts(),
                "shares_percent": self.total.shares,
            },
        }

    def charts(self):
        """The page's charts, in order, each with its data table; each is also a CSV file
        (``chart(key)``). Labels are ours (phases, years, outcomes): no user text."""
        directory = reverse("portfolio:directory")
        # The current year's end is today.
        year_ends = [year if year < self.today.year else _("%(year)s (today)") % {"year": year} for year in self.years]
        outcomes = {
            "launched": _("Investigations launched"),
            "reached_construction": _("Reached construction"),
            "stopped_after_investigation": _("Stopped after the investigation"),
            "stopped_later": _("Stopped later"),
            # Not the phase's label ("Transféré"): an outcome, as the others ("Transférées").
            "transferred": _("Transferred later"),
            "investigating": _("Still in investigation"),
        }

        def per_phase(by_year):
            return [charts.Series(phase.label, tuple(by_year[year][phase] for year in self.years)) for phase in Phase]

        return [
            charts.bars(
                "produits-par-phase",
                _("Products by phase today"),
                [charts.Row(p.label, self.by_phase[p], f"{directory}?phase={p.value}") for p in Phase],
                csv_url=reverse("portfolio:statistics_csv", args=["produits-par-phase"]),
                label_header=_("Phase"),
                value_label=_("Products"),
            ),
            charts.stacked(
                "phases-fin-d-annee",
                _("Products in each phase at the end of each year"),
                year_ends,
                per_phase(self.at_year_end),
                csv_url=reverse("portfolio:statistics_csv", args=["phases-fin-d-annee"]),
                label_header=_("Year"),
            ),
            charts.stacked(
                "entrees-par-an",
                _("Entries into each phase per year"),
                self.years,
                per_phase(self.entries),
                csv_url=reverse("portfolio:statistics_csv", args=["entrees-par-an"]),
                label_header=_("Year"),
            ),
            charts.grouped(
                "investigations",
                _("Investigations launched per year and what became of them"),
                [cohort.year for cohort in self.cohorts],
                [
                    charts.Series(label, tuple(getattr(cohort, name) for cohort in self.cohorts))
                    for name, label in outcomes.items()
                ],
                csv_url=reverse("portfolio:statistics_csv", args=["investigations"]),
                label_header=_("Year the investigation began"),
            ),
            charts.bars(
                "devenir-des-investigations",
                _("What became of the investigations (share of those launched, in %)"),
                [charts.Row(outcomes[name], self.total.share(name)) for name in OUTCOMES],
                csv_url=reverse("portfolio:statistics_csv", args=["devenir-des-investigations"]),
                label_header=_("Outcome"),
                value_label=_("Share (%)"),
            ),
        ]

    def chart(self, key):
        return next((chart for chart in self.charts() if chart.key == key), None)


def period_counts(today):
    """(phase, start year, end year or None, in force today, count) of the published products'
    periods begun by ``today``: one query."""
    in_force = ExpressionWrapper(Q(end__isnull=True) | Q(end__gt=today), output_field=BooleanField())
    return (
        PhasePeriod.objects.filter(startup__is_published=True, start__lte=today)
        .values_list("phase", ExtractYear("start"), ExtractYear("end"))
        .annotate(current=in_force, count=Count("pk"))
        .order_by()
    )


def cohorts(today):
    """The products that went through an investigation begun by ``today``, per year it began, and
    their outcomes as they stood on ``today``: one query."""
    periods = PhasePeriod.objects.filter(startup=OuterRef("pk"), start__lte=today)
    first_investigation = periods.filter(phase=Phase.INVESTIGATION).order_by("start").values("start")[:1]
    in_force = Q(end__isnull=True) | Q(end__gt=today)
    rows = (
        Startup.objects.published()
        .annotate(investigated_on=Subquery(first_investigation))
        .filter(investigated_on__isnull=False)
        .values(year=ExtractYear("investigated_on"))
        .annotate(
            launched=Count("pk"),
            reached_construction=Count("pk", filter=Exists(periods.filter(phase__in=BEYOND_INVESTIGATION))),
            stopped_after_investigation=Count("pk", filter=Exists(periods.filter(phase=Phase.ABANDONED_INVESTIGATION))),
            stopped_later=Count("pk", filter=Exists(periods.filter(phase=Phase.ABANDONED))),
            transferred=Count("pk", filter=Exists(periods.filter(phase=Phase.TRANSFERRED))),
            investigating=Count("pk", filter=Exists(periods.filter(in_force, phase=Phase.INVESTIGATION))),
        )
        .order_by("year")
    )
    return [Cohort(**row) for row in rows]


def network_statistics(today=None):
    """The network's statistics on ``today`` (Paris time's today by default): two queries."""
    today = today or timezone.localdate()
    rows = list(period_counts(today))
    starts = [start_year for _phase, start_year, _end_year, _current, _count in rows]
    years = list(range(min(starts), today.year + 1)) if starts else []
    by_phase = dict.fromkeys(Phase.values, 0)
    entries = {year: dict.fromkeys(Phase.values, 0) for year in years}
    began, ended = defaultdict(int), defaultdict(int)  # (phase, year) -> periods
    for phase, start_year, end_year, current, count in rows:
        entries[start_year][phase] += count
        began[phase, start_year] += count
        if end_year is not None:
            ended[phase, end_year] += count
        if current:
            by_phase[phase] += count
    at_year_end = {}
    for year in years:
        if year == today.year:
            at_year_end[year] = dict(by_phase)
            continue
        at_year_end[year] = {
            phase: sum(began[phase, y] - ended[phase, y] for y in years if y <= year) for phase in Phase.values
        }
    found = cohorts(today)
    total = Cohort(
        None,
        sum(cohort.launched for cohort in found),
        **{outcome: sum(getattr(cohort, outcome) for cohort in found) for outcome in OUTCOMES},
    )
    return Statistics(
        today=today,
        years=years,
        by_phase=by_phase,
        at_year_end=at_year_end,
        entries=entries,
        cohorts=found,
        total=total,
    )

"""The calls' dashboard tiles (``incubator.registry.Tile``; registered by ``CallsConfig.ready``
after the contributions), with their figures per incubator for the network cockpit:

- ``open_calls`` (registered in ``contributions``): completed with its count per incubator (the
  incubator's open calls and the network-wide ones);
- ``call_funnel``: the applications to the scope's calls at each stage they reached (drafts,
  submitted, shortlisted, laureates, onboarded; a later stage counts in the earlier ones, as the
  call's own funnel does), one query. Each stage links to the managers' list of applications
  across calls filtered on the stage (``calls:manage_application_list``, ``?incubator=<slug>&stage=<key>``;
  the network: ``?stage=<key>``), whose rows are exactly what the stage counts: the stages'
  statuses are ``filters.STAGES``, which the list's ``stage`` filter reads too.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from incubator import charts, registry, versions
from portfolio.tiles import shared

from .filters import STAGE_LABELS, STAGES
from .models import Application, Call


def application_list(scope, **params):
    """The managers' list of applications across calls, on the scope's calls (an incubator's:
    ``?incubator=<slug>``; the network: all), filtered on ``params`` too."""
    if not scope.is_network:
        params = {"incubator": scope.incubator.slug, **params}
    link = reverse("calls:manage_application_list")
    return f"{link}?{urlencode(params)}" if params else link


def funnel_link(scope):
    """The tile's link: every application to the scope's calls, whatever their stage."""
    return application_list(scope)


def stage_link(scope, stage):
    """A stage's link: the applications to the scope's calls that the stage counts."""
    return application_list(scope, stage=stage)


def open_calls_per_incubator(user, scope, incubators):
    """The open calls of each incubator, plus the network-wide ones (one query)."""
    counts = dict(
        Call.objects.open()
        .filter(Q(incubator__in=incubators) | Q(incubator__isnull=True))
        .order_by()
        .values_list("incubator")
        .annotate(count=Count("pk"))
    )
    network_wide = counts.pop(None, 0)
    return {incubator.pk: counts.get(incubator.pk, 0) + network_wide for incubator in incubators}


def stage_counts():
    return {stage: Count("pk", filter=Q(status__in=statuses)) for stage, statuses in STAGES.items()}


def funnel_rows():
    """The applications at each stage, grouped by their call's incubator (None: the network-wide
    calls): one query, once a page (``portfolio.tiles.shared``), the network's figure and the
    comparison both read."""
    rows = Application.objects.order_by().values("call__incubator").annotate(**stage_counts())
    return shared("call_funnel", lambda: list(rows))


def funnel(user, scope):
    """Stage -> applications to the scope's calls (the incubator's; the network: all), one query."""
    if scope.is_network:
        rows = funnel_rows()
        return {stage: sum(row[stage] for row in rows) for stage in STAGES}
    applications = Application.objects.filter(call__incubator=scope.incubator)
    return applications.aggregate(**stage_counts())


def funnel_per_incubator(user, scope, incubators):
    found = {row["call__incubator"]: {stage: row[stage] for stage in STAGES} for row in funnel_rows()}
    return {incubator.pk: found.get(incubator.pk, dict.fromkeys(STAGES, 0)) for incubator in incubators}


def funnel_chart(value, scope):
    rows = [charts.Row(STAGE_LABELS[stage], value[stage], stage_link(scope, stage)) for stage in STAGES]
    return charts.bars("call-funnel", _("Call funnel"), rows, label_header=_("Stage"), value_label=_("Applications"))


def register_tiles():
    # The figures are kept between requests (portfolio.tiles.kept) until one of these rows changes.
    versions.STEERING.watch(Call, Application)
    registry.extend_tile("open_calls", per_incubator=open_calls_per_incubator)
    registry.register_tile(
        registry.Tile(
            "call_funnel",
            _("Call funnel"),
            compute=funnel,
            order=31,
            link=funnel_link,
            link_permission="calls.manage_calls",  # the management list: managers only (a coach sees the figures)
            chart=funnel_chart,
            per_incubator=funnel_per_incubator,
            summary=lambda value: value["submitted"],
            summary_label=_("Applications submitted"),
            summary_link=lambda scope: stage_link(scope, "submitted"),  # the comparison's cell: what it counts
        )
    )

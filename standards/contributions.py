"""What the standards add to other apps' pages (registered by ``StandardsConfig.ready``;
``incubator.registry``, ``docs/architecture.md``, "Plugging into the core"):

- the scorecard on the product page (``portfolio.startup_detail``, slot ``aside_after_phases``):
  every criterion of the current version with the product's answer, in one query;
- the dashboard tile ``standards_coverage``: the share of the criteria done (not applicable ones
  aside) over the scope's active products, in one query;
- the open data (``registry.OpenDataField`` "standards" of ``/api/startups.json``): the current
  version's name and each criterion's status per published product (public facts only), in two
  queries; a saved answer rebuilds the document (``portfolio.opendata.watch``).

- the scorecard on the committee page (``committees.committee_detail``, slot
  ``main_after_indicators``, declared by ``committees/contributions.py``; committees is before
  standards in ``INSTALLED_APPS``, so the page is declared first): the page is named by its
  string, the wing imports nothing of committees. Shown to who may read the product (a
  committee's outside attendee reads the committee, not the product's scorecard): two queries.
"""

from django.db.models import Count, IntegerField, Max, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from incubator import registry
from portfolio.contributions import PRODUCT_PAGE, in_scope
from portfolio.models import Startup

from . import todo
from .models import SETTLED, ProductStandard, Standard, Status


def scorecard(startup, user):
    """The product's scorecard (one query) and whether the user may answer it (no query: the
    page's ``can_edit`` is the same rule)."""
    criteria = list(Standard.objects.current().with_answer_of(startup))
    for criterion in criteria:
        criterion.status = criterion.answer_status or Status.NOT_STARTED
        criterion.status_label = Status(criterion.status).label
        criterion.is_done = criterion.status == Status.DONE
        criterion.is_in_progress = criterion.status == Status.IN_PROGRESS
    done = sum(criterion.is_done for criterion in criteria)
    applicable = sum(criterion.status != Status.NOT_APPLICABLE for criterion in criteria)
    return {
        "standards_criteria": criteria,
        "standards_done": done,
        "standards_applicable": applicable,
        "standards_missing": sum(criterion.status not in SETTLED for criterion in criteria),
    }


COMMITTEE_PAGE = "committees.committee_detail"


def committee_scorecard(committee, user):
    """The committee's product's scorecard, for who may read the product (None otherwise: the
    panel is left out), and whether the user may answer it."""
    startup = committee.startup
    if not Startup.objects.visible_to(user).filter(pk=startup.pk).exists():
        return None
    return {**scorecard(startup, user), "can_answer_standards": user.has_perm("standards.change_scorecard", startup)}


def coverage(user, scope):
    """{"done", "applicable", "percent"} over the scope's active products and the current criteria:
    one query (the number of criteria is a subquery of it)."""
    criteria = Standard.objects.current().order_by().values("version").annotate(count=Count("pk")).values("count")[:1]
    current = Q(standards__standard__version__is_current=True)
    figures = (
        in_scope(scope)
        .active()
        .aggregate(
            products=Count("pk", distinct=True),
            criteria=Coalesce(Max(Subquery(criteria, output_field=IntegerField())), 0),
            done=Count("standards", filter=current & Q(standards__status=Status.DONE)),
            not_applicable=Count("standards", filter=current & Q(standards__status=Status.NOT_APPLICABLE)),
        )
    )
    applicable = figures["products"] * figures["criteria"] - figures["not_applicable"]
    percent = round(100 * figures["done"] / applicable) if applicable > 0 else 0
    return {"done": figures["done"], "applicable": applicable, "percent": percent}


def open_data_statuses(startups):
    """``/api/startups.json``'s ``standards`` of each published product (public facts only: the
    version and each criterion's status, never who answered or the review dates): two queries."""
    criteria = list(Standard.objects.current().select_related("version").order_by("order", "pk"))
    answers = {
        (startup_id, standard_id): status
        for startup_id, standard_id, status in ProductStandard.objects.filter(
            startup__in=startups, standard__in=criteria
        ).values_list("startup_id", "standard_id", "status")
    }
    version = criteria[0].version.name if criteria else None

    def value_of(pk):
        statuses = {criterion.key: answers.get((pk, criterion.pk), Status.NOT_STARTED) for criterion in criteria}
        return {"version": version, "statuses": statuses}

    return value_of


def register_contributions():
    registry.register_panel(
        registry.Panel(
            PRODUCT_PAGE,
            "aside_after_phases",
            "standards_scorecard",
            "standards/includes/_product_scorecard.html",
            context=scorecard,
            order=40,
        )
    )
    registry.register_panel(
        registry.Panel(
            COMMITTEE_PAGE,
            "main_after_indicators",
            "standards_scorecard",
            "standards/includes/_committee_scorecard.html",
            context=committee_scorecard,
            order=40,
        )
    )
    registry.register_open_data_field(registry.OpenDataField("standards", open_data_statuses, order=50))
    registry.register_tile(registry.Tile("standards_coverage", _("Standards done"), compute=coverage, order=40))
    registry.register_todo_source(registry.TodoSource("standards", todo.standards_todo, order=40))

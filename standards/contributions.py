"""What the standards add to other apps' pages (registered by ``StandardsConfig.ready``;
``incubator.registry``, ``docs/architecture.md``, "Plugging into the core"):

- the scorecard on the product page (``portfolio.startup_detail``, slot ``aside_after_phases``):
  every criterion of the current version with the product's answer, in one query;
- the dashboard tile ``standards_coverage``: the share of the criteria done (not applicable ones
  aside) over the scope's active products, in one query.

The committee page declares no slot today (``committees`` opens none): the scorecard is not on it
yet; a ``declare_page("committees.committee_detail", ...)`` there would let a panel join.
"""

from django.db.models import Count, IntegerField, Max, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from incubator import registry
from portfolio.contributions import PRODUCT_PAGE, in_scope

from .models import SETTLED, Standard, Status


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
    registry.register_tile(registry.Tile("standards_coverage", _("Standards done"), compute=coverage, order=40))

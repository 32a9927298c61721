"""What the standards ask of a person on "Mon espace" (``incubator.registry.TodoSource``,
registered by ``contributions.register_contributions``): the standards missing before a committee.

An active product whose next committee is due within ``BEFORE_COMMITTEE_DAYS`` (or is overdue,
then late: past due with no committee held since, as the portfolio list's ``is_overdue`` reads it),
and whose scorecard is not ready for it: a criterion of the current version neither done nor marked
not applicable (missing), or settled but with a review date before the committee (outdated). The
wing knows of committees only what the portfolio holds, the due date the committees maintain
(``Startup.next_committee_due``, as ``reminders.MissingBeforeCommittee`` reads it), and the
portfolio list's annotations the committees register (``registry.annotate``); the item is dated on
the due date and links to the scorecard's edit page.

For the managers of the product's incubators (``portfolio.todo.managed_startups``) and its current
team (``team_startups``). One query, whatever the number of products and criteria.
"""

from datetime import timedelta

from django.db.models import Count, F, IntegerField, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incubator import registry
from portfolio.contributions import PORTFOLIO_LIST
from portfolio.models import Startup
from portfolio.todo import managed_startups, team_startups

from .models import SETTLED, Standard

BEFORE_COMMITTEE_DAYS = 45


def startups_missing_standards(user, today):
    """The user's products due for a committee soon whose scorecard is not ready, each annotated
    with ``todo_missing``: the criteria missing or outdated at the committee (one query)."""
    criteria = Standard.objects.current().order_by().values("version").annotate(count=Count("pk")).values("count")[:1]
    ready = Q(
        standards__standard__version__is_current=True,
        standards__status__in=SETTLED,
    ) & (Q(standards__review_due__isnull=True) | Q(standards__review_due__gte=F("next_committee_due")))
    mine = managed_startups(user).values("pk")
    team = team_startups(user, today).values("pk")
    startups = registry.annotate(PORTFOLIO_LIST, Startup.objects.filter(Q(pk__in=mine) | Q(pk__in=team)).active())
    if "is_overdue" in startups.query.annotations:
        # The portfolio list's schedule (the committees' annotations): a due date past whose committee
        # took place, its decision still to record, is no committee to prepare for any more.
        startups = startups.filter(Q(next_committee_due__gte=today) | Q(is_overdue=True))
    return (
        startups.filter(next_committee_due__lte=today + timedelta(days=BEFORE_COMMITTEE_DAYS))
        .annotate(
            todo_criteria=Coalesce(Subquery(criteria, output_field=IntegerField()), 0),
            todo_ready=Count("standards", filter=ready),
        )
        .annotate(todo_missing=F("todo_criteria") - F("todo_ready"))
        .filter(todo_missing__gt=0)
        .order_by("next_committee_due", "pk")
    )


def standards_todo(user, today):
    """The standards' items for ``user`` on ``today`` (one query)."""
    if not user.is_authenticated:
        return []
    return [
        registry.TodoItem(
            startup.next_committee_due,
            _("Standards"),
            ngettext(
                "%(product)s: %(count)d standard to settle or review before its committee",
                "%(product)s: %(count)d standards to settle or review before its committee",
                startup.todo_missing,
            )
            % {"product": startup.name, "count": startup.todo_missing},
            reverse("standards:scorecard_edit", kwargs={"slug": startup.slug}),
            late=startup.next_committee_due < today,
        )
        for startup in startups_missing_standards(user, today)
    ]

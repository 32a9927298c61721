"""The standards' reminder kind, declared for the core's reminder engine (``incubator.reminders``,
``docs/decisions/0003-reminder-engine.md``).

``standards.missing_before_committee``: before the next committee is due (D-30 by the rule that
migration 0003 seeds; anchored on ``Startup.next_committee_due``), to the product's current team
and its principal incubator's managers, listing the criteria of the current version neither done
nor marked not applicable. A product with nothing missing gets nothing. Five queries, whatever the
number of products.
"""

from collections import defaultdict

from django.db.models import Prefetch
from django.urls import reverse

from incubator.mail import absolute_url
from incubator.models import Membership
from incubator.reminders import Due, Recipient, ReminderKind, register
from portfolio.models import ACTIVE_PHASES, Startup, TeamMembership

from .models import ProductStandard, Standard


def managers_by_incubator(incubator_ids):
    """incubator id -> [Recipient] of its managers (one query)."""
    people = defaultdict(list)
    memberships = Membership.objects.filter(
        incubator__in=incubator_ids, role__in=Membership.MANAGER_ROLES
    ).select_related("user")
    for membership in memberships:
        people[membership.incubator_id].append(Recipient(membership.user.email, str(membership.user)))
    return people


@register
class MissingBeforeCommittee(ReminderKind):
    code = "standards.missing_before_committee"

    def due(self, rule, *, anchors_from, anchors_to):
        criteria = list(Standard.objects.current().order_by("order", "pk"))
        if not criteria:
            return []
        team = TeamMembership.objects.current().select_related("user")
        startups = list(
            Startup.objects.filter(
                phase__in=ACTIVE_PHASES, next_committee_due__range=(anchors_from, anchors_to)
            ).prefetch_related(Prefetch("team", queryset=team, to_attr="current_team"))
        )
        settled = defaultdict(set)
        for startup_id, standard_id in (
            ProductStandard.objects.settled()
            .filter(startup__in=startups, standard__in=criteria)
            .values_list("startup_id", "standard_id")
        ):
            settled[startup_id].add(standard_id)
        managers = managers_by_incubator({startup.incubator_id for startup in startups})
        dues = []
        for startup in startups:
            missing = [criterion.label for criterion in criteria if criterion.pk not in settled[startup.pk]]
            if not missing:
                continue
            dues.append(
                Due(
                    object_key=f"portfolio.startup:{startup.pk}",
                    occurrence=startup.next_committee_due.isoformat(),
                    recipients=[Recipient(member.contact_email, member.display_name) for member in startup.current_team]
                    + managers[startup.incubator_id],
                    context={
                        "startup": startup,
                        "due_date": startup.next_committee_due,
                        "missing": missing,
                        "url": absolute_url(reverse("standards:scorecard_edit", kwargs={"slug": startup.slug})),
                    },
                )
            )
        return dues

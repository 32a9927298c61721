"""Demo committees: the sample's dated committees (held, with a decision to continue), the next
due date of every active product, and one committee planned ahead for the demo incubator."""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from incubator.demo import DEMO_DOMAIN, DEMO_INCUBATOR
from incubator.models import User
from portfolio.models import ACTIVE_PHASES, Phase, Startup

from .models import Attendee, Committee, Decision
from .services import default_attendees

KINDS = {"Comité de fin d'investigation": Committee.Kind.END_OF_INVESTIGATION}


def seed(sample):
    """Create the committees once (a product that already has committees is left alone)."""
    manager = User.objects.filter(email=f"responsable@{DEMO_DOMAIN}").first()
    startups = {startup.slug: startup for startup in Startup.objects.prefetch_related("periods")}
    held = 0
    for row in sample["startups"]:
        startup = startups.get(row["slug"])
        if startup is None or startup.committees.exists():
            continue
        for day, *label in row.get("committees", []):
            held += record_past_committee(
                startup, datetime.date.fromisoformat(day), KINDS.get(label[0] if label else "")
            )
    for startup in Startup.objects.filter(phase__in=ACTIVE_PHASES, next_committee_due__isnull=True):
        last = startup.committees.order_by("-scheduled_at").first()
        since = last.local_date if last else max(period.start for period in startup.periods.all())
        startup.next_committee_due = since + relativedelta(months=6)
        startup.save(update_fields=["next_committee_due"])
    planned = plan_demo_committee(manager)
    return [f"{held} past committees, {planned} planned committee, next due dates set."]


def record_past_committee(startup, day, kind=None):
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14)))
    committee = Committee.objects.create(
        startup=startup,
        kind=kind or Committee.Kind.PERIODIC,
        scheduled_at=at,
        status=Committee.Status.HELD,
        place="Visioconférence",
    )
    outcome = Decision.Outcome.STOP if startup.phase == Phase.ABANDONED_INVESTIGATION else Decision.Outcome.CONTINUE
    Decision.objects.create(
        committee=committee,
        outcome=outcome,
        decided_on=day,
        granted_months=6,
        purchasing_told=True,
        minutes="Décision reprise de l'historique du produit.",
    )
    return 1


def plan_demo_committee(manager):
    """A committee of a product of the demo incubator, three weeks ahead, if none is planned."""
    startup = Startup.objects.filter(incubator__slug=DEMO_INCUBATOR, phase__in=ACTIVE_PHASES).order_by("name").first()
    if startup is None or startup.committees.planned().exists():
        return 0
    day = timezone.localdate() + datetime.timedelta(days=21)
    committee = Committee.objects.create(
        startup=startup,
        kind=Committee.Kind.PERIODIC,
        created_by=manager,
        place="20 avenue de Ségur, Paris",
        scheduled_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
        requested_budget=320000,
        requested_months=6,
        requested_team="1 intrapreneur, 2 développeurs, 1 designer",
        objectives="Doubler le nombre d'associations accompagnées.",
        success_criteria="500 dossiers instruits par mois.",
    )
    Attendee.objects.bulk_create(Attendee(committee=committee, **person) for person in default_attendees(startup))
    return 1

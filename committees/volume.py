"""Volume data of the committees (``seed_volume``, see ``incubator/volume.py``).

Scale 1: 2,000 committees of the volume products, three attendees each (the manager and two
people invited by email). Most were held over the last three years (most in the last 200 days)
and have their decision; one in five is planned in the next four months, a few wait for their
decision, some were cancelled. The products' next due dates then follow from these committees
and the phase histories by the cadence's rule (``cadence.refresh_all``): at scale 0.1, about
three active products in ten are past due. Bulk rows, not the services: the volume is a fixture
of the benchmarks, written as the services would leave it.
"""

import datetime

from incubator import volume
from portfolio.models import Startup

from .cadence import refresh_all
from .models import Attendee, Committee, Decision

COMMITTEES = 2000
S = Committee.Status
# (status, days from today: low, high, with a decision), one in twenty of each kind of row.
SHAPES = (
    [(S.HELD, -200, -1, True)] * 10
    + [(S.HELD, -1000, -201, True)] * 3
    + [(S.PLANNED, 1, 120, False)] * 4
    + [
        (S.PLANNED, -20, -1, False),
        (S.CANCELLED, -600, 60, False),
        (S.CANCELLED, -600, 60, False),
    ]
)
KINDS = [Committee.Kind.PERIODIC] * 3 + [Committee.Kind.END_OF_INVESTIGATION, Committee.Kind.CONSOLIDATION]


def seed(plan):
    rng = plan.rng("committees")
    manager = volume.manager()
    startups = list(Startup.objects.filter(slug__startswith="volume-produit-").order_by("slug"))
    committees, shapes = [], []
    for index in range(plan.count(COMMITTEES)):
        status, low, high, decided = SHAPES[index % len(SHAPES)]
        day = plan.today + datetime.timedelta(days=rng.randint(low, high))
        shapes.append(decided)
        committees.append(
            Committee(
                startup=startups[rng.randrange(len(startups))],
                kind=KINDS[index % len(KINDS)],
                scheduled_at=plan.instant(day, hour=rng.choice([9, 10, 14, 16])),
                place="20 avenue de Ségur, Paris",
                status=status,
                requested_budget=rng.choice([150000, 250000, 400000]),
                requested_months=6,
                objectives="Atteindre 1 000 usagers actifs et mesurer le délai de traitement.",
                created_by=manager,
            )
        )
    committees = Committee.objects.bulk_create(committees, batch_size=volume.BATCH_SIZE)
    Attendee.objects.bulk_create(attendees(committees, manager), batch_size=volume.BATCH_SIZE)
    decisions = Decision.objects.bulk_create(
        (
            Decision(
                committee=committee,
                outcome=rng.choice([Decision.Outcome.CONTINUE] * 4 + [Decision.Outcome.PROVISIONAL]),
                decided_on=committee.local_date,
                granted_amount=committee.requested_budget,
                granted_months=6,
                minutes="Le comité salue le travail de l'équipe et fixe les objectifs du semestre.",
                purchasing_told=rng.random() < 0.8,
                recorded_by=manager,
            )
            for committee, decided in zip(committees, shapes, strict=True)
            if decided
        ),
        batch_size=volume.BATCH_SIZE,
    )
    due = refresh_all(Startup.objects.filter(slug__startswith="volume-produit-"))
    return [f"{len(committees)} committees with 3 attendees each, {len(decisions)} decisions, {due} due dates."]


def attendees(committees, manager):
    for committee in committees:
        yield Attendee(
            committee=committee,
            user=manager,
            name=manager.get_full_name(),
            email=manager.email,
            role=Attendee.Role.INCUBATOR_MANAGER,
            mandatory=True,
        )
        yield Attendee(
            committee=committee,
            name="Sponsor de l'exemple",
            email=f"sponsor-{committee.pk}@{volume.DOMAIN}",
            role=Attendee.Role.SPONSOR,
            mandatory=True,
        )
        yield Attendee(
            committee=committee,
            name="Intrapreneur de l'exemple",
            email=f"intrapreneur-{committee.pk}@{volume.DOMAIN}",
            role=Attendee.Role.INTRAPRENEUR,
        )

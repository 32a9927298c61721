"""Volume data of the portfolio (``seed_volume``, see ``incubator/volume.py``): products with their
phase histories, sponsors, teams, and two indicators measured monthly for half a year.

Scale 1: 1,028 products, 928 of them published, spread over the volume incubators (one in ten
co-incubated). Each history follows the usual path; its periods tile the time from the first
day to today (each ends the day the next begins, the last one open), as the phase service
writes them.
"""

import datetime
import itertools
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from incubator import volume
from incubator.markdown import render_markdown

from .models import Indicator, Measurement, Phase, PhasePeriod, Startup, TeamMembership, Theme, UserType

PRODUCTS = 1028
PUBLISHED = 928
P = Phase
# The paths a history may follow (docs/architecture.md, "Products and phases"), the most common first.
PATHS = [
    [P.INVESTIGATION],
    [P.INVESTIGATION, P.CONSTRUCTION],
    [P.INVESTIGATION, P.CONSTRUCTION],
    [P.INVESTIGATION, P.CONSTRUCTION, P.ACCELERATION],
    [P.INVESTIGATION, P.CONSTRUCTION, P.ACCELERATION],
    [P.INVESTIGATION, P.CONSTRUCTION, P.ACCELERATION, P.CONSOLIDATION],
    [P.INVESTIGATION, P.CONSTRUCTION, P.ACCELERATION, P.OPERATED],
    [P.INVESTIGATION, P.ABANDONED_INVESTIGATION],
    [P.INVESTIGATION, P.CONSTRUCTION, P.ABANDONED],
    [P.INVESTIGATION, P.CONSTRUCTION, P.ACCELERATION, P.TRANSFERRED],
]
WORDS = ["Mon", "Aide", "Dossier", "Portail", "Suivi", "Carte", "Guichet", "Registre", "Signal", "Agenda"]
TOPICS = ["Eau", "Logement", "Santé", "Emploi", "Justice", "Forêt", "Culture", "Transport", "École", "Données"]
DESCRIPTION = """## Le problème

Les usagers remplissent trois formulaires papier et attendent six semaines une réponse.

## La solution

Un service en ligne simple, construit avec ses premiers utilisateurs, qui **réduit les délais**
et rend compte de son impact chaque mois.
"""
TEAM_ROLES = [TeamMembership.Role.INTRAPRENEUR, TeamMembership.Role.DEVELOPER, TeamMembership.Role.DESIGNER]
MEASUREMENTS = 6


def seed(plan):
    rng = plan.rng("portfolio")
    incubators = volume.incubators()
    sponsors = volume.organisations()
    count = plan.count(PRODUCTS)
    published = min(count, plan.count(PUBLISHED))
    html = render_markdown(DESCRIPTION)
    now = timezone.now()
    startups, histories = [], []
    for index in range(count):
        path = PATHS[index % len(PATHS)]
        starts = history_starts(rng, plan.today, len(path))
        histories.append(list(zip(path, starts, strict=True)))
        word, topic = WORDS[index % 10], TOPICS[(index // 10) % 10]
        startups.append(
            Startup(
                slug=f"volume-produit-{index + 1:05d}",
                name=f"{word} {topic} {index + 1}",
                pitch=f"Simplifie une démarche « {topic.lower()} » pour les usagers et les agents.",
                description=DESCRIPTION,
                description_html=html,
                contact_email=f"produit-{index + 1}@{volume.DOMAIN}",
                website=f"https://produit-{index + 1}.example.fr",
                accessibility_status=rng.choice(["non-conforme", "partiellement-conforme", "totalement-conforme"]),
                dsfr_status=rng.choice(["non", "partiel", "complet"]),
                user_types=sorted(rng.sample(UserType.values, 2)),
                themes=sorted(rng.sample(Theme.values, 2)),
                incubator=incubators[index % len(incubators)],
                phase=path[-1],
                # Spread evenly: exactly ``published`` of the ``count`` products are published.
                is_published=(index + 1) * published // count > index * published // count,
                updated_at=now - datetime.timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440)),
            )
        )
    startups = Startup.objects.bulk_create(startups, batch_size=volume.BATCH_SIZE)
    PhasePeriod.objects.bulk_create(periods(startups, histories), batch_size=volume.BATCH_SIZE)
    link_organisations(rng, startups, sponsors, incubators)
    TeamMembership.objects.bulk_create(teams(startups, histories), batch_size=volume.BATCH_SIZE)
    indicators = Indicator.objects.bulk_create(
        (
            Indicator(startup=startup, kind=kind, name=name, unit=unit, target=target)
            for startup in startups
            for kind, name, unit, target in [
                (Indicator.Kind.USED, "Usagers actifs par mois", "usagers", 1000),
                (Indicator.Kind.IMPACTFUL, "Délai moyen de traitement", "jours", 15),
            ]
        ),
        batch_size=volume.BATCH_SIZE,
    )
    month = plan.today.replace(day=1)
    Measurement.objects.bulk_create(
        (
            Measurement(
                indicator=indicator,
                date=month - relativedelta(months=MEASUREMENTS - n),
                value=Decimal(rng.randint(10, 2000)),
            )
            for indicator in indicators
            for n in range(MEASUREMENTS)
        ),
        batch_size=volume.BATCH_SIZE,
    )
    return [
        f"{len(startups)} products ({published} published), {sum(map(len, histories))} phase periods, "
        f"{len(indicators)} indicators with {MEASUREMENTS} measurements each."
    ]


def history_starts(rng, today, phases):
    """``phases`` increasing start days, the first between about 9 months and 8 years ago, the last before today."""
    first = today - datetime.timedelta(days=rng.randint(270, 3000))
    span = (today - first).days
    cuts = sorted(rng.sample(range(1, span), phases - 1))
    return [first, *(first + datetime.timedelta(days=cut) for cut in cuts)]


def periods(startups, histories):
    for startup, history in zip(startups, histories, strict=True):
        ends = [start for _phase, start in history[1:]] + [None]
        for (phase, start), end in zip(history, ends, strict=True):
            yield PhasePeriod(startup=startup, phase=phase, start=start, end=end)


def link_organisations(rng, startups, sponsors, incubators):
    """One or two sponsors each; one product in ten co-incubated by the next incubator."""
    Sponsor = Startup.sponsors.through
    Sponsor.objects.bulk_create(
        (
            Sponsor(startup_id=startup.pk, organisation_id=organisation.pk)
            for startup in startups
            for organisation in rng.sample(sponsors, rng.choice([1, 1, 2]))
        ),
        batch_size=volume.BATCH_SIZE,
    )
    Partner = Startup.other_incubators.through
    following = dict(itertools.pairwise([*incubators, incubators[0]]))
    Partner.objects.bulk_create(
        (
            Partner(startup_id=startup.pk, incubator_id=following[startup.incubator].pk)
            for index, startup in enumerate(startups)
            if index % 10 == 3 and len(incubators) > 1
        ),
        batch_size=volume.BATCH_SIZE,
    )


def teams(startups, histories):
    """Three people without an account each, from the first day (to the last one for an ended product)."""
    for number, (startup, history) in enumerate(zip(startups, histories, strict=True)):
        start = history[0][1]
        end = history[-1][1] if startup.is_ended else None
        for offset, role in enumerate(TEAM_ROLES):
            first, last = volume.person_name(3 * number + offset)
            yield TeamMembership(startup=startup, name=f"{first} {last}", role=role, start=start, end=end)

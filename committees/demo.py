"""Demo committees.

- The sample's dated committees, imported as history through the decision service (a decision
  to continue; a stop for the one held the day its product stopped): so the last committee sets
  the next due date (``cadence.py``), as on the decision page. The first committee of an
  investigation is its end-of-investigation committee (``services.usual_kind``). The sample's phase moves are
  already loaded (``portfolio/demo.py``); every due date follows from that record.
- The demo incubator's invented products (``portfolio/demo.py``) go through their committees:
  each committee is held on the day it was due, with its attendees and its deck, and its decision
  is recorded by the decision service, which moves the phase and sets the next due date, as the
  decision page does. What is left for a manager to act on: a committee held yesterday whose
  decision is not recorded, a committee in six days without its deck, an end-of-investigation
  committee due in 40 days and not planned (that product's investigation started 23 days ago).
- A committee planned three weeks ahead for Data.Subvention, its deck uploaded.

History records are dated when each event happened; the emails the services queue for these past
events are dropped (``incubator.demo.quiet_outbox``). Everything is created once: a product that
already has committees is left alone.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incubator.demo import DEMO_DOMAIN, DEMO_INCUBATOR, at, dated_history, demo_pdf, quiet_outbox
from incubator.models import User
from portfolio.models import ENDED_PHASES, Phase, PhasePeriod, Startup, TeamMembership

from .cadence import months_allowed
from .forms import DocumentForm
from .models import Attendee, Committee, CommitteeDocument, Decision
from .services import default_attendees, phase_after, plan_committee, record_decision, usual_kind

KINDS = {"Comité de fin d'investigation": Committee.Kind.END_OF_INVESTIGATION}
Kind, Outcome = Committee.Kind, Decision.Outcome
PLACE = "20 avenue de Ségur, Paris"

# Per invented product: its committees, in order: (kind, outcome, next phase, months granted,
# amount granted). Each is held on the day the previous decision (or the investigation) made it due.
JOURNEYS = {
    "voirie-en-ligne": [(Kind.END_OF_INVESTIGATION, Outcome.NEXT_PHASE, Phase.CONSTRUCTION, 6, 180000)],
    "cantine-locale": [
        (Kind.END_OF_INVESTIGATION, Outcome.NEXT_PHASE, Phase.CONSTRUCTION, 6, 200000),
        (Kind.PERIODIC, Outcome.CONTINUE, "", 6, 260000),
        (Kind.PERIODIC, Outcome.NEXT_PHASE, Phase.ACCELERATION, 6, 320000),
    ],
    "inventaire-equipements": [
        (Kind.END_OF_INVESTIGATION, Outcome.NEXT_PHASE, Phase.CONSTRUCTION, 12, 240000),
        (Kind.PERIODIC, Outcome.NEXT_PHASE, Phase.ACCELERATION, 12, 380000),
        (Kind.PERIODIC, Outcome.NEXT_PHASE, Phase.OPERATED, 6, 300000),
        (Kind.PERIODIC, Outcome.CONTINUE, "", 6, 280000),
    ],
    "covoiturage-agents": [
        (Kind.END_OF_INVESTIGATION, Outcome.NEXT_PHASE, Phase.CONSTRUCTION, 6, 150000),
        (Kind.PERIODIC, Outcome.STOP, "", 6, None),
    ],
}
# Why an invented product was granted more than the 6-month rule allows (``cadence.check_rule``).
BEYOND_RULE_REASON = "Marché public d'équipement à passer : le comité accorde une période plus longue."
NEXT_OBJECTIVES = {
    Outcome.NEXT_PHASE: "Atteindre les objectifs de la nouvelle phase et en mesurer l'impact.",
    Outcome.CONTINUE: "Doubler les usagers actifs et publier les statistiques d'usage.",
}
HYPOTHESES = "Les agents adoptent le service sans formation ; les partenaires financent la suite."
MINUTES = {
    Outcome.NEXT_PHASE: "Le comité constate que les objectifs de la phase sont atteints et valide le passage à la suite.",
    Outcome.CONTINUE: "Le comité constate des progrès réguliers et reconduit l'équipe pour la période demandée.",
    Outcome.STOP: "Trop peu d'usage malgré les ajustements : le comité décide l'arrêt et la réorientation des sites.",
}


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
            day = datetime.date.fromisoformat(day)
            held += record_past_committee(
                startup, day, KINDS.get(label[0] if label else "") or usual_kind(startup, day)
            )
    played = play_journeys(manager)
    planned = plan_demo_committee(manager)
    return [
        f"{held} past committees (their decisions through the decision service), {planned} planned committee.",
        f"Demo incubator: {played} committees of the invented products (one awaiting its decision, "
        "one in 6 days without a deck).",
    ]


def record_past_committee(startup, day, kind=None):
    """A committee of the sample, held on ``day``, its decision recorded by the decision service.

    The sample's phase moves are already loaded: the decision continues, or, held the day the
    product ended, stops it (the service then has no phase left to move, and the move is linked
    to the decision). The service recomputes the next due date; its emails are dropped."""
    with dated_history(at(day, 14)):
        committee = Committee.objects.create(
            startup=startup, kind=kind or Committee.Kind.PERIODIC, scheduled_at=at(day, 14), place="Visioconférence"
        )
    ended_that_day = startup.periods.filter(start=day, phase__in=ENDED_PHASES).first()
    outcome = Decision.Outcome.STOP if ended_that_day else Decision.Outcome.CONTINUE
    with quiet_outbox(), dated_history(at(day, 16)):
        decision = record_decision(
            committee=committee,
            actor=None,
            outcome=outcome,
            decided_on=day,
            granted_months=6,
            minutes="Décision reprise de l'historique du produit.",
        )
    decision.purchasing_told = True
    with dated_history(at(day, 16)):
        decision.save(update_fields=["purchasing_told"])
    if ended_that_day:
        PhasePeriod.objects.filter(pk=ended_that_day.pk).update(decision_id=decision.pk)
    Committee.objects.filter(pk=committee.pk).update(created_at=at(day, 14), updated_at=at(day, 16))
    Decision.objects.filter(pk=decision.pk).update(recorded_at=at(day, 16))
    return 1


def play_journeys(manager):
    """The invented products' committees, through the decision service (once per product)."""
    today = timezone.localdate()
    count = 0
    for slug, steps in JOURNEYS.items():
        startup = Startup.objects.filter(slug=slug, incubator__slug=DEMO_INCUBATOR).first()
        if startup is None or startup.committees.exists():
            continue
        sheet_updated = startup.updated_at  # the phase service stamps "now": put the real date back
        for kind, outcome, next_phase, months, amount in steps:
            day = startup.next_committee_due
            committee = past_committee(startup, day, kind, manager, months=months, amount=amount)
            decide(committee, manager, outcome=outcome, next_phase=next_phase, months=months, amount=amount)
            startup.refresh_from_db()
            count += 1
        Startup.objects.filter(pk=startup.pk).update(updated_at=max(sheet_updated, at(day, 16)))
        if startup.is_ended:
            end_team(startup, day)
        if slug == "voirie-en-ligne":  # held yesterday, the decision not recorded yet
            past_committee(startup, today - datetime.timedelta(days=1), Kind.PERIODIC, manager, months=6, amount=300000)
            count += 1
        if slug == "cantine-locale":  # in six days, invitations sent three weeks ago, no deck yet
            day = today + datetime.timedelta(days=6)
            with quiet_outbox(), dated_history(at(day - datetime.timedelta(days=21), 10)):
                committee = plan_committee(
                    startup=startup,
                    actor=manager,
                    attendees=default_attendees(startup),
                    **request(startup, Kind.PERIODIC, day, months=6, amount=400000),
                )
            planned_on = at(day - datetime.timedelta(days=21), 10)
            Committee.objects.filter(pk=committee.pk).update(created_at=planned_on, updated_at=planned_on)
            count += 1
    return count


def request(startup, kind, day, *, months, amount):
    """What the team asks the committee for: the fields of the planning form."""
    team = startup.team.current(today=day).exclude(role=TeamMembership.Role.COACH).count()
    return {
        "kind": kind,
        "scheduled_at": at(day, 14),
        "place": PLACE,
        "requested_budget": amount,
        "requested_months": months,
        "requested_team": f"{team} personnes à temps plein",
        "objectives": "Étendre le service à de nouveaux territoires et mesurer son impact.",
        "success_criteria": "Les indicateurs d'usage atteignent la cible fixée au dernier comité.",
    }


def past_committee(startup, day, kind, manager, *, months, amount):
    """A committee planned three weeks before ``day`` (in the past), with attendees and a deck."""
    planned_on = at(day - datetime.timedelta(days=21), 10)
    with dated_history(planned_on):
        committee = Committee.objects.create(
            startup=startup, created_by=manager, **request(startup, kind, day, months=months, amount=amount)
        )
        Attendee.objects.bulk_create(Attendee(committee=committee, **person) for person in default_attendees(startup))
    Committee.objects.filter(pk=committee.pk).update(created_at=planned_on, updated_at=planned_on)
    upload_deck(committee, manager, at(day - datetime.timedelta(days=5), 16))
    return committee


def decide(committee, manager, *, outcome, next_phase, months, amount):
    day = committee.local_date
    startup = committee.startup
    phase_then = phase_after(outcome, startup, next_phase) or startup.phase
    team = startup.team.current(today=day).exclude(role=TeamMembership.Role.COACH).count()
    with quiet_outbox(), dated_history(at(day, 16)):
        decision = record_decision(
            committee=committee,
            actor=manager,
            outcome=outcome,
            decided_on=day,
            granted_months=months,
            granted_amount=amount,
            minutes=MINUTES[outcome],
            next_phase=next_phase,
            beyond_rule_reason=BEYOND_RULE_REASON if months > months_allowed(phase_then) else "",
            next_objectives=NEXT_OBJECTIVES.get(outcome, ""),
            team_size=team or None,
            hypotheses=HYPOTHESES if outcome != Outcome.STOP else "",
        )
    # The follow-up the committee page asks for, done in the following days.
    decision.purchasing_told = decision.deck_published = decision.sheet_updated = True
    with dated_history(at(day + datetime.timedelta(days=3), 11)):
        decision.save(update_fields=["purchasing_told", "deck_published", "sheet_updated"])
    Decision.objects.filter(pk=decision.pk).update(recorded_at=at(day, 16))
    Committee.objects.filter(pk=committee.pk).update(updated_at=at(day, 16))
    return decision


def end_team(startup, day):
    """A stopped product's team leaves on the day it stopped."""
    with dated_history(at(day, 18)):
        for member in startup.team.filter(end__isnull=True):
            member.end = day
            member.save(update_fields=["end"])


def upload_deck(committee, uploader, when):
    """The deck, a small real PDF, through the upload form (its content is checked)."""
    startup = committee.startup
    indicators = [
        f"{indicator.name} : {last.value.normalize():f} {indicator.unit}"
        for indicator in startup.indicators.prefetch_related("measurements")
        if (last := indicator.measurements.filter(date__lte=committee.local_date).last())
    ]
    pdf = demo_pdf(
        f"Comité d'investissement — {startup.name}",
        [
            (startup.name, [startup.pitch[:90], startup.pitch[90:]]),
            ("Indicateurs", indicators or ["Premiers entretiens avec les usagers"]),
            (
                "Demande au comité",
                [f"Budget : {committee.requested_budget} €", f"Période : {committee.requested_months} mois"],
            ),
        ],
    )
    name = f"support-{startup.slug}-{committee.local_date.isoformat()}.pdf"
    form = DocumentForm(
        data={"kind": CommitteeDocument.Kind.DECK, "contents": CommitteeDocument.Content.values},
        files={"file": SimpleUploadedFile(name, pdf, content_type="application/pdf")},
        instance=CommitteeDocument(committee=committee, uploaded_by=uploader),
    )
    if not form.is_valid():
        raise ValueError(f"The demo deck was refused: {form.errors.as_text()}")
    document = form.save()
    CommitteeDocument.objects.filter(pk=document.pk).update(uploaded_at=when)
    return document


def plan_demo_committee(manager):
    """Data.Subvention's next committee, three weeks ahead, its deck uploaded, if none is planned."""
    startup = Startup.objects.filter(slug="data-subvention", incubator__slug=DEMO_INCUBATOR).first()
    if startup is None or startup.committees.planned().exists():
        return 0
    now = timezone.now()
    day = timezone.localdate() + datetime.timedelta(days=21)
    with quiet_outbox(), dated_history(now - datetime.timedelta(days=14)):
        committee = plan_committee(
            startup=startup,
            actor=manager,
            attendees=default_attendees(startup),
            kind=Committee.Kind.PERIODIC,
            place=PLACE,
            scheduled_at=at(day, 10),
            requested_budget=320000,
            requested_months=6,
            requested_team="1 intrapreneur, 2 développeurs, 1 designer",
            objectives="Doubler le nombre d'associations accompagnées.",
            success_criteria="500 dossiers instruits par mois.",
        )
    Committee.objects.filter(pk=committee.pk).update(created_at=now - datetime.timedelta(days=14))
    upload_deck(committee, manager, now - datetime.timedelta(days=2))
    return 1

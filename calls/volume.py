"""Volume data of the calls (``seed_volume``, see ``incubator/volume.py``).

Scale 1: one call of the first volume incubator, closed five days ago, with 10,000 applications
(one applicant account each): 9,000 submitted, 200 found ineligible, 200 withdrawn, 600 drafts
left. Twelve jurors (the incubator's jury members) are in pre-selection: each has ticked about
one submitted application in five and declared a conflict of interest on about one in a hundred.

Rows are created in their status, as seed data (not moves of the state machines: no history,
no email); the applications' tick counts are then set from the votes in one UPDATE.
"""

import datetime

from django.utils import timezone

from incubator import volume
from incubator.models import Membership, User

from .models import Application, Call, ConflictOfInterest, PreselectionVote, Question

SLUG = "volume-appel-intrapreneurs"
APPLICATIONS = 10000
JURORS = 12
TICK_RATE = 0.2
CONFLICT_RATE = 0.01
# Per fifty applications: 45 submitted, 3 drafts, one ineligible, one withdrawn.
STATUSES = ([Application.Status.SUBMITTED] * 15 + [Application.Status.DRAFT]) * 3 + [
    Application.Status.INELIGIBLE,
    Application.Status.WITHDRAWN,
]
PROBLEMS = [
    "Les agents ressaisissent chaque demande de subvention dans trois outils différents.",
    "Les usagers ne savent pas où en est leur dossier et appellent le standard.",
    "Les inspecteurs préparent leurs visites avec des tableurs envoyés par courriel.",
    "Les convocations aux examens partent encore par courrier papier.",
    "Les collectivités ne trouvent pas les données de référence sur leurs équipements.",
    "Les demandes d'aide d'urgence sont instruites sur papier, avec des délais de six semaines.",
]
ADMINISTRATIONS = ["Ministère de l'Exemple", "Direction des usagers", "Agence de l'exemple", "Préfecture de l'Exemple"]


def seed(plan):
    rng = plan.rng("calls")
    incubator = volume.incubators()[0]
    now = timezone.now()
    call, questions = create_call(plan, incubator, now)
    jurors = User.objects.bulk_create(volume.new_users("jury", JURORS))
    Membership.objects.bulk_create(
        Membership(user=juror, incubator=incubator, role=Membership.Role.JURY) for juror in jurors
    )
    call.jurors.set(jurors)
    count = plan.count(APPLICATIONS)
    applicants = User.objects.bulk_create(volume.new_users("candidat", count), batch_size=volume.BATCH_SIZE)
    applications = Application.objects.bulk_create(
        (new_application(rng, call, questions, applicant, index) for index, applicant in enumerate(applicants)),
        batch_size=volume.BATCH_SIZE,
    )
    judged = [application for application in applications if application.status in Application.JURY_STATUSES]
    votes, conflicts = [], []
    for application in judged:
        for juror in jurors:
            draw = rng.random()
            if draw < CONFLICT_RATE:
                conflicts.append(ConflictOfInterest(application=application, juror=juror, comment="Même service."))
            elif draw < CONFLICT_RATE + TICK_RATE:
                votes.append(PreselectionVote(application=application, juror=juror))
    PreselectionVote.objects.bulk_create(votes, batch_size=volume.BATCH_SIZE)
    ConflictOfInterest.objects.bulk_create(conflicts, batch_size=volume.BATCH_SIZE)
    call.applications.recount_ticks()  # bulk_create skips the votes' own counting
    return [
        f"1 call with {len(applications)} applications ({len(judged)} before the jury), {JURORS} jurors, "
        f"{len(votes)} ticks, {len(conflicts)} conflicts of interest."
    ]


def create_call(plan, incubator, now):
    closes = now - datetime.timedelta(days=5)
    call = Call(
        incubator=incubator,
        slug=SLUG,
        title="Appel à intrapreneurs — grand volume",
        description="Vous êtes agent public et vous avez repéré un problème ? **Candidatez.**",
        eligibility="Agents publics de l'État, titulaires ou contractuels, avec l'accord de leur hiérarchie.",
        themes=["numerique"],
        opens_at=closes - datetime.timedelta(days=60),
        closes_at=closes,
        preselection_on=plan.today + datetime.timedelta(days=5),
        selection_on=plan.today + datetime.timedelta(days=20),
        investigation_starts_on=plan.today + datetime.timedelta(days=35),
        investigations_planned=5,
        budget=300000,
        status=Call.Status.CLOSED,
        created_by=volume.manager(),
    )
    call.save()  # one row: the model's save renders the description, as the manager's form does
    questions = Question.objects.bulk_create(
        [
            Question(call=call, label="Votre hiérarchie est-elle informée ?", kind=Question.Kind.YES_NO, order=1),
            Question(call=call, label="Combien de personnes sont concernées ?", kind=Question.Kind.SHORT_TEXT, order=2),
        ]
    )
    return call, questions


def new_application(rng, call, questions, applicant, index):
    status = STATUSES[index % len(STATUSES)]
    started = call.opens_at + datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 58))
    submitted = (
        started + datetime.timedelta(minutes=rng.randint(5, 600)) if status != Application.Status.DRAFT else None
    )
    return Application(
        call=call,
        applicant=applicant,
        status=status,
        administration=ADMINISTRATIONS[index % len(ADMINISTRATIONS)],
        service=f"Bureau n° {index % 97 + 1}",
        role="Chargé de mission",
        problem=f"{PROBLEMS[index % len(PROBLEMS)]}\n{rng.randint(2, 90) * 1000} dossiers par an (n° {index + 1}).",
        solution="Un service en ligne simple, construit avec les premiers utilisateurs.",
        first_users="Les agents d'un service pilote, puis les autres services de la direction.",
        population="Les agents instructeurs et les usagers concernés.",
        manager_agreement=index % 3 != 0,
        answers={str(questions[0].pk): index % 4 != 0, str(questions[1].pk): str(rng.randint(100, 100000))},
        consent_guide=submitted is not None,
        consent_sharing=submitted is not None,
        draft_saved_at=submitted or started,
        submitted_at=submitted,
        status_changed_at=submitted or started,
    )

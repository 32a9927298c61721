"""Demo calls of the demo incubator: one open call (drafts and submitted applications with ticks) and
one past call whose applications went through every later status. Created once."""

import datetime

from django.db import transaction
from django.utils import timezone

from incubator.demo import DEMO_DOMAIN, DEMO_INCUBATOR
from incubator.models import Incubator, User

from .models import Application, Call, JuryScore, PreselectionVote, Question

OPEN_SLUG = "demo-appel-intrapreneurs-ouvert"
PAST_SLUG = "demo-appel-intrapreneurs-precedent"
# The statuses the demo applications are created in, in the open call and in the past one.
OPEN_CALL_STATUSES = [
    Application.Status.SUBMITTED,
    Application.Status.SUBMITTED,
    Application.Status.SUBMITTED,
    Application.Status.DRAFT,
]
PAST_CALL_STATUSES = [
    Application.Status.INELIGIBLE,
    Application.Status.NOT_SHORTLISTED,
    Application.Status.NOT_SELECTED,
    Application.Status.LAUREATE,
    Application.Status.COMMITMENT_SIGNED,
    Application.Status.WITHDRAWN,
]
# Ticked by the demo juror; scored by them too (the pitched ones).
TICKED_STATUSES = {
    Application.Status.SUBMITTED,
    Application.Status.LAUREATE,
    Application.Status.COMMITMENT_SIGNED,
    Application.Status.NOT_SELECTED,
}
SCORED_STATUSES = {Application.Status.LAUREATE, Application.Status.COMMITMENT_SIGNED, Application.Status.NOT_SELECTED}
PROBLEMS = [
    "Les agents ressaisissent chaque demande de subvention dans trois outils différents.\n1 200 dossiers par an.",
    "Les usagers ne savent pas où en est leur dossier et appellent le standard.\n30 000 appels par an.",
    "Les inspecteurs préparent leurs visites avec des tableurs envoyés par courriel.",
    "Les convocations aux examens partent encore par courrier papier.\n80 000 courriers par an.",
    "Les collectivités ne trouvent pas les données de référence sur leurs équipements.",
    "Les demandes d'aide d'urgence sont instruites sur papier, avec des délais de six semaines.",
]


def seed(sample):
    """Create the two demo calls once (an existing one is left as it is). Returns lines to print."""
    incubator = Incubator.objects.filter(slug=DEMO_INCUBATOR).first()
    if incubator is None or Call.objects.filter(slug__in=[OPEN_SLUG, PAST_SLUG]).exists():
        return ["Demo calls already there (or no demo incubator): nothing to do."]
    with transaction.atomic():
        jury = User.objects.filter(email=f"jury@{DEMO_DOMAIN}").first()
        manager = User.objects.filter(email=f"responsable@{DEMO_DOMAIN}").first()
        open_call = create_call(incubator, OPEN_SLUG, "Appel à intrapreneurs — printemps", -15, manager, jury)
        past_call = create_call(incubator, PAST_SLUG, "Appel à intrapreneurs — automne dernier", -200, manager, jury)
        agent = User.objects.filter(email=f"agent@{DEMO_DOMAIN}").first()
        applicants = demo_applicants(12)
        created = [apply(open_call, agent, Application.Status.DRAFT, 0)] if agent else []
        for n, status in enumerate(OPEN_CALL_STATUSES):
            created.append(apply(open_call, applicants[n], status, n))
        for n, status in enumerate(PAST_CALL_STATUSES):
            created.append(apply(past_call, applicants[len(OPEN_CALL_STATUSES) + n], status, n))
        tick_and_score(created, jury)
    return [f"2 demo calls, {len(created)} applications."]


def create_call(incubator, slug, title, opened_days_ago, manager, jury):
    now = timezone.now()
    opens = now + datetime.timedelta(days=opened_days_ago)
    closes = opens + datetime.timedelta(days=45)
    past = closes < now
    call = Call.objects.create(
        incubator=incubator,
        slug=slug,
        title=title,
        description=(
            "Vous êtes agent public et vous avez repéré un problème que rencontrent les usagers ou vos collègues ? "
            "Candidatez : l'incubateur vous accompagne pendant 9 semaines d'investigation."
        ),
        eligibility="Agents publics de l'État, titulaires ou contractuels, avec l'accord de leur hiérarchie.",
        themes=["numerique"],
        opens_at=opens,
        closes_at=closes,
        preselection_on=(closes + datetime.timedelta(days=10)).date(),
        selection_on=(closes + datetime.timedelta(days=25)).date(),
        investigation_starts_on=(closes + datetime.timedelta(days=40)).date(),
        investigations_planned=3,
        budget=180000,
        status=Call.Status.SELECTION_DONE if past else Call.Status.PUBLISHED,
        created_by=manager,
    )
    Question.objects.create(
        call=call, label="Votre hiérarchie est-elle informée ?", kind=Question.Kind.YES_NO, required=False, order=1
    )
    if jury:
        call.jurors.add(jury)
    return call


def demo_applicants(count):
    users = []
    for n in range(1, count + 1):
        user, _created = User.objects.get_or_create(
            email=f"candidat-{n}@{DEMO_DOMAIN}", defaults={"first_name": "Candidat", "last_name": f"n° {n}"}
        )
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    return users


def apply(call, user, status, n):
    """An application created in ``status``: demo seed data, not a move of the state machine (no
    history of moves, no email is sent)."""
    submitted = status != Application.Status.DRAFT
    return Application.objects.create(
        call=call,
        applicant=user,
        status=status,
        administration="Ministère de l'Exemple",
        service="Direction des usagers",
        role="Chargé de mission",
        problem=PROBLEMS[n % len(PROBLEMS)],
        solution="Un service en ligne simple, construit avec les premiers utilisateurs.",
        first_users="Les agents d'un service pilote, puis les autres services de la direction.",
        population="Les agents instructeurs et les usagers concernés.",
        consent_guide=submitted,
        consent_sharing=submitted,
        submitted_at=call.opens_at + datetime.timedelta(days=5 + n) if submitted else None,
    )


def tick_and_score(applications, jury):
    if jury is None:
        return
    for application in applications:
        if application.status in TICKED_STATUSES:
            PreselectionVote.objects.get_or_create(application=application, juror=jury)  # counts its tick
        if application.status in SCORED_STATUSES:
            for score, criterion in enumerate(JuryScore.Criterion.values, start=2):
                JuryScore.objects.get_or_create(
                    application=application, juror=jury, criterion=criterion, defaults={"score": min(score, 5)}
                )

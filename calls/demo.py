"""Demo calls of the demo incubator: one open call (drafts and submitted applications with ticks) and
one past call whose applications went through every later status. Created once."""

import datetime

from django.db import transaction
from django.utils import timezone

from incubator.demo import DEMO_DOMAIN, DEMO_INCUBATOR
from incubator.models import Incubator, User

from .models import Application, Call, JuryScore, PreselectionVote, Question

S = Application.Status
OPEN_SLUG = "demo-appel-intrapreneurs-ouvert"
PAST_SLUG = "demo-appel-intrapreneurs-precedent"
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
        created = [apply(open_call, agent, S.DRAFT, 0)] if agent else []
        now = [S.SUBMITTED, S.SUBMITTED, S.SUBMITTED, S.DRAFT]
        later = [S.INELIGIBLE, S.NOT_SHORTLISTED, S.NOT_SELECTED, S.LAUREATE, S.COMMITMENT_SIGNED, S.WITHDRAWN]
        for n, status in enumerate(now):
            created.append(apply(open_call, applicants[n], status, n))
        for n, status in enumerate(later):
            created.append(apply(past_call, applicants[len(now) + n], status, n))
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
    """An application in ``status`` (demo data: statuses are set directly, no email is sent)."""
    submitted = status != S.DRAFT
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
        if application.status in (S.SUBMITTED, S.LAUREATE, S.COMMITMENT_SIGNED, S.NOT_SELECTED):
            PreselectionVote.objects.get_or_create(application=application, juror=jury)
        if application.status in (S.LAUREATE, S.COMMITMENT_SIGNED, S.NOT_SELECTED):
            for score, criterion in enumerate(JuryScore.Criterion.values, start=2):
                JuryScore.objects.get_or_create(
                    application=application, juror=jury, criterion=criterion, defaults={"score": min(score, 5)}
                )

"""What the calls hold about a person (registered by ``CallsConfig.ready``; ``incubator.personal_data``):
their applications, and their work as a juror (seats, ticks, conflicts declared, scores)."""

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incubator import personal_data, retention
from incubator.personal_data import DataCategory, LegalBasis, iso

from .models import Application, Call, ConflictOfInterest, JuryScore, PreselectionVote, keep_jury_record

# What an application says about its applicant (the problem and the solution are the call's record);
# the talent pool's consent goes with them (an anonymised application is in no pool).
IDENTITY_FIELDS = {
    "administration": "",
    "service": "",
    "role": "",
    "remarks": "",
    "callback_requested": False,
    "talent_pool_consent_at": None,
}
JURY_MODELS = (PreselectionVote, ConflictOfInterest, JuryScore)


def export(user):
    applications = Application.objects.filter(applicant=user).select_related("call").order_by("pk")
    return {
        "applications": [
            {
                "number": application.pk,
                "call": application.call.title,
                "status": application.status,
                "submitted_at": iso(application.submitted_at),
                "administration": application.administration,
                "service": application.service,
                "role": application.role,
                "problem": application.problem,
                "solution": application.solution,
                "first_users": application.first_users,
                "population": application.population,
                "potential_sponsor": application.potential_sponsor,
                "manager_agreement": application.manager_agreement,
                "callback_requested": application.callback_requested,
                "remarks": application.remarks,
                "answers": application.answers,
                "consent_guide": application.consent_guide,
                "consent_sharing": application.consent_sharing,
                "talent_pool_consent_at": iso(application.talent_pool_consent_at),
                "commitment_form": application.commitment_form.name or None,
                "created_at": iso(application.created_at),
            }
            for application in applications
        ],
        "jury": {
            "calls": list(Call.objects.filter(jurors=user).order_by("pk").values_list("title", flat=True)),
            # An application by its number: its applicant is another person.
            "ticks": [
                {"application": vote.application_id, "created_at": iso(vote.created_at)}
                for vote in PreselectionVote.objects.filter(juror=user).order_by("pk")
            ],
            "conflicts": [
                {
                    "application": conflict.application_id,
                    "comment": conflict.comment,
                    "declared_at": iso(conflict.declared_at),
                }
                for conflict in ConflictOfInterest.objects.filter(juror=user).order_by("pk")
            ],
            "scores": [
                {"application": score.application_id, "criterion": score.criterion, "score": score.score}
                for score in JuryScore.objects.filter(juror=user).order_by("pk")
            ],
        },
        "calls_created": list(Call.objects.filter(created_by=user).order_by("pk").values_list("title", flat=True)),
    }


def erase(user, *, actor):
    """Drafts go, with their history; a submitted application keeps the problem and the solution the
    jury judged and loses what identifies its applicant (administration, service, role, remarks,
    signed form), in its history too. Ticks, conflicts and scores stay under the juror's pseudonym
    (``keep_jury_record``: the rankings still add up); the juror's seats go."""
    mine = Application.objects.filter(applicant=user)
    drafts = mine.filter(status=Application.Status.DRAFT)
    draft_ids = list(drafts.values_list("pk", flat=True))
    erased = {"drafts": drafts.delete()[0]}
    Application.history.filter(id__in=draft_ids).delete()  # the deletion's own history row too
    for application in mine.exclude(commitment_form=""):
        application.commitment_form.delete(save=False)
    erased["applications_pseudonymised"] = mine.update(commitment_form="", **IDENTITY_FIELDS)
    Application.history.filter(applicant_id=user.pk).update(commitment_form="", **IDENTITY_FIELDS)
    keep_jury_record(sender=None, instance=user)
    erased["jury_records_pseudonymised"] = sum(
        model.objects.filter(juror=user).update(juror=None) for model in JURY_MODELS
    )
    erased["jury_seats"] = Call.jurors.through.objects.filter(user=user).delete()[0]
    erased["calls_created"] = Call.objects.filter(created_by=user).update(created_by=None)
    return erased


# Applications the call did not keep: anonymised ``retention.application_days()`` after it closes.
NOT_KEPT = (
    Application.Status.NOT_SHORTLISTED,
    Application.Status.NOT_SELECTED,
    Application.Status.INELIGIBLE,
    Application.Status.WITHDRAWN,
)
# What an anonymised application loses (the jury's scores stay, on its number).
ANONYMISED_FIELDS = {
    **IDENTITY_FIELDS,
    "problem": "",
    "solution": "",
    "first_users": "",
    "population": "",
    "potential_sponsor": "",
    "answers": {},
}


def stored_answer_files(application):
    """The storage names of the files an application's answers point to."""
    return [
        answer["path"]
        for answer in (application.answers or {}).values()
        if isinstance(answer, dict) and isinstance(answer.get("path"), str) and answer["path"]
    ]


def files(user):
    """The signed commitment forms and the answer files of the user's applications (the ZIP)."""
    listed = []
    for application in Application.objects.filter(applicant=user).order_by("pk"):
        if application.commitment_form:
            listed.append(
                (
                    f"{application.pk}/{application.commitment_form.name.rsplit('/', 1)[-1]}",
                    application.commitment_form.name,
                )
            )
        listed.extend(
            (f"{application.pk}/{path.rsplit('/', 1)[-1]}", path) for path in stored_answer_files(application)
        )
    return listed


def purge(now, *, dry_run=False):
    """Retention (issue 14 item 5): drafts never submitted go once their call has closed; an
    application the call did not keep is anonymised (in its history too) once its call closed
    ``retention.application_days()`` ago, or ``retention.talent_pool_days()`` ago when its applicant
    consented to the talent pool (and has not withdrawn it). A second run finds nothing left to do."""
    drafts = Application.objects.filter(status=Application.Status.DRAFT, call__closes_at__lt=now)
    in_pool = Q(
        talent_pool_consent_at__isnull=False,
        call__closes_at__gte=retention.cutoff(now, retention.talent_pool_days()),
    )
    not_kept = Application.objects.filter(
        status__in=NOT_KEPT, call__closes_at__lt=retention.cutoff(now, retention.application_days())
    ).exclude(in_pool)
    identifying = Q(commitment_form__gt="") | Q(callback_requested=True) | ~Q(answers={})
    for name, value in ANONYMISED_FIELDS.items():
        if value == "":
            identifying |= ~Q(**{name: ""})
    to_anonymise = not_kept.filter(identifying)
    report = {"drafts_deleted": drafts.count(), "applications_anonymised": to_anonymise.count()}
    if dry_run:
        return report
    draft_ids = list(drafts.values_list("pk", flat=True))
    drafts.delete()
    Application.history.filter(id__in=draft_ids).delete()
    ids = list(to_anonymise.values_list("pk", flat=True))
    for application in Application.objects.filter(pk__in=ids):
        if application.commitment_form:
            application.commitment_form.delete(save=False)
        for path in stored_answer_files(application):
            default_storage.delete(path)
    Application.objects.filter(pk__in=ids).update(commitment_form="", **ANONYMISED_FIELDS)
    Application.history.filter(id__in=ids).update(commitment_form="", **ANONYMISED_FIELDS)
    return report


def register_provider():
    personal_data.register(
        personal_data.Provider(
            key="calls",
            label=_("Calls for intrapreneurs"),
            order=30,
            categories=(
                DataCategory(
                    key="applications",
                    label=_(
                        "Your applications to calls: who you are in your administration, the problem you bring, "
                        "your answers, your signed commitment form."
                    ),
                    fields=tuple(
                        f"calls.application.{name}"
                        for name in (
                            "applicant",
                            "administration",
                            "service",
                            "role",
                            "problem",
                            "solution",
                            "first_users",
                            "population",
                            "potential_sponsor",
                            "manager_agreement",
                            "callback_requested",
                            "remarks",
                            "answers",
                            "consent_guide",
                            "consent_sharing",
                            "commitment_form",
                        )
                    ),
                    purpose=_("Selecting the intrapreneurs of a call and onboarding the laureates."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=retention.describe(
                        retention.application_days,
                        _(
                            "A draft never submitted is deleted when the call closes; an application not shortlisted, "
                            "ineligible, not selected or withdrawn is anonymised %(period)s after the call closes; a "
                            "laureate's application stays with the product it started."
                        ),
                    ),
                ),
                DataCategory(
                    key="talent_pool",
                    label=_(
                        "Your consent to the talent pool, with its date: ticked in the application form, "
                        "withdrawn from your application's page."
                    ),
                    fields=("calls.application.talent_pool_consent_at",),
                    purpose=_(
                        "Letting the network's incubators contact you for another call when this one does not "
                        "keep your application."
                    ),
                    legal_basis=LegalBasis.CONSENT,
                    retention=retention.describe(
                        retention.talent_pool_days,
                        _(
                            "With your consent, an application the call does not keep is anonymised %(period)s "
                            "after the call closes instead; once you withdraw it, at the next daily purge if the "
                            "usual period is over."
                        ),
                    ),
                ),
                DataCategory(
                    key="jury",
                    label=_(
                        "Your work as a juror: the calls you judge, your ticks, the conflicts of interest you "
                        "declared, your scores."
                    ),
                    fields=(
                        "calls.call.jurors",
                        "calls.preselectionvote.juror",
                        "calls.conflictofinterest.juror",
                        "calls.conflictofinterest.comment",
                        "calls.juryscore.juror",
                    ),
                    purpose=_("Running a fair selection and being able to account for it."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("With the call; under a pseudonym once your account is deleted."),
                ),
                DataCategory(
                    key="created_by",
                    label=_("The calls you created."),
                    fields=("calls.call.created_by",),
                    purpose=_("Knowing who set up each call."),
                    legal_basis=LegalBasis.PUBLIC_TASK,
                    retention=_("While the account exists."),
                ),
            ),
            export=export,
            erase=erase,
            purge=purge,
            files=files,
        )
    )

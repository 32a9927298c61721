"""Call workflows: the application's and the call's state machines, the jury's work, the draw, onboarding.

Each state machine has one map on its model (``Application.TRANSITIONS``, ``Call.TRANSITIONS``)
and one function here that performs its moves and is the only writer of its status
(``transition_application``, ``transition_call``); the verbs (``submit``, ``withdraw``,
``decide``...) go through them. Workflows take keyword-only arguments and an explicit ``actor``
(the juror, for the jury's work), recorded in the history (see ``docs/architecture.md``).
"""

import random
import secrets
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from incubator import mail, outbox
from incubator.ics import CalendarEvent, ics_file
from incubator.models import OutboxMessage
from incubator.text import unique_slug
from portfolio.models import Phase, Startup, TeamMembership
from portfolio.services import create_startup

from .models import Application, Call, ConflictOfInterest, JuryScore, Pitch, PreselectionVote


def transition_application(*, application, to, actor, fields=None, email=None):
    """Move ``application`` to ``to`` if ``Application.TRANSITIONS`` allows it: the only writer of
    ``Application.status``. Saves ``fields`` with it; queues ``email``, (template, key) for
    ``mail.send_templated`` to the applicant, which leaves once the transaction commits.

    Runs under a row lock: two clicks, two tabs or a racing autosave see the same state; the move
    is in the application's history, by ``actor``. Raises ValidationError and changes nothing otherwise.
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("call", "applicant").get(pk=application.pk)
        if not locked.may_become(to):
            raise ValidationError(
                _("This application is %(status)s: it cannot become %(to)s.")
                % {"status": locked.get_status_display().lower(), "to": Application.Status(to).label.lower()},
                code="transition",
            )
        if to in Application.PRESELECTION_RESULTS:
            check_preselection_allowed(locked.call)
        for name, value in (fields or {}).items():
            setattr(locked, name, value)
        locked.status = to
        locked.status_changed_at = timezone.now()
        locked._history_user = actor
        locked.save(update_fields=["status", "status_changed_at", "updated_at", *(fields or {})])
        if email:
            template, key = email
            notify_applicant(locked, template, key)
    application.status, application.status_changed_at = locked.status, locked.status_changed_at
    for name in fields or {}:
        setattr(application, name, getattr(locked, name))
    return locked


def notify_applicant(application, template, key):
    mail.send_templated(
        to=[application.applicant.email],
        template=template,
        context={"application": application, "call": application.call, "applicant": application.applicant},
        key=f"application:{application.pk}:{key}",
    )


def check_deadline(call, now=None):
    if not call.is_open(now):
        raise ValidationError(
            _("The call is closed: applications can no longer be submitted or changed."), code="closed"
        )


def deadline_label(call):
    return formats.date_format(timezone.localtime(call.closes_at), "DATETIME_FORMAT")


def check_preselection_allowed(call, now=None):
    """The pre-selection (and its emails) waits for the call's deadline, or for its early closing."""
    if call.before_deadline(now):
        raise ValidationError(
            _(
                "The call takes applications until %(date)s: the pre-selection can start only after this "
                "deadline, or once the call is closed early (with a reason)."
            )
            % {"date": deadline_label(call)},
            code="before_deadline",
        )


def save_draft(*, application, actor, values, now=None):
    """Autosave and "save the draft": write the typed values of a draft before the deadline.

    A conditional UPDATE: an autosave that arrives after the submission (which holds the row
    lock while it writes) changes nothing and returns False, so the submitted version stands.
    ``actor`` is the applicant; a draft's saves are not in the history (only its moves are).
    """
    check_deadline(application.call, now)
    stamp = timezone.now()
    updated = Application.objects.filter(pk=application.pk, status=Application.Status.DRAFT).update(
        **values, draft_saved_at=stamp, updated_at=stamp
    )
    return bool(updated)


def submit(*, application, actor, values=None, now=None):
    """Write the final values and submit, under the row lock, before the deadline."""
    check_deadline(application.call, now)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if values and locked.is_draft:
            Application.objects.filter(pk=locked.pk).update(**values)
        return transition_application(
            application=application,
            to=Application.Status.SUBMITTED,
            actor=actor,
            fields={"submitted_at": timezone.now()},
            email=("application_submitted", "submitted"),
        )


def update_submitted(*, application, actor, values, now=None):
    """Change a submitted application before the deadline."""
    check_deadline(application.call, now)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not locked.is_submitted:
            raise ValidationError(_("This application can no longer be changed."), code="status")
        for name, value in values.items():
            setattr(locked, name, value)
        locked._history_user = actor
        locked.save(update_fields=[*values, "updated_at"])
    return locked


def withdraw(*, application, actor):
    return transition_application(application=application, to=Application.Status.WITHDRAWN, actor=actor)


def withdraw_talent_pool_consent(*, application, actor):
    """The applicant withdraws their consent to the talent pool (in the history, by ``actor``): the
    retention's usual period applies again (``calls.personal_data.purge``). Returns False when there
    was no consent to withdraw."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.talent_pool_consent_at is None:
            return False
        locked.talent_pool_consent_at = None
        locked._history_user = actor
        locked.save(update_fields=["talent_pool_consent_at", "updated_at"])
    application.talent_pool_consent_at = None
    return True


def preselect(*, applications, to, actor):
    """Bulk pre-selection result: shortlist, not shortlisted or ineligible, with the applicant's email.

    Refused as a whole before the call's deadline (``check_preselection_allowed``): nothing moves,
    no email is queued.
    """
    templates = {
        Application.Status.SHORTLISTED: "application_shortlisted",
        Application.Status.NOT_SHORTLISTED: "application_not_shortlisted",
        Application.Status.INELIGIBLE: "application_ineligible",
    }
    applications = list(applications)
    for call in {application.call for application in applications}:
        check_preselection_allowed(call)
    moved = []
    with transaction.atomic():  # all of them or none
        for application in applications:
            email = (templates[to], "preselection")
            moved.append(transition_application(application=application, to=to, actor=actor, email=email))
    return moved


def pitch_order(seed, application_ids):
    """The order of the pitches drawn from ``seed``: reproducible by anyone holding the seed."""
    order = sorted(application_ids)
    random.Random(seed).shuffle(order)  # a fair draw, not a secret
    return order


def draw_pitches(*, call, actor, seed=None):
    """Draw the pitch order of the shortlisted applications and give each its slot."""
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.drawn_at:
            raise ValidationError(_("The pitch order was already drawn."), code="drawn")
        applications = {a.pk: a for a in locked.applications.filter(status=Application.Status.SHORTLISTED)}
        if not applications:
            raise ValidationError(_("No shortlisted application to draw."), code="empty")
        locked.draw_seed = seed or secrets.token_hex(8)
        locked.drawn_at = timezone.now()
        locked._history_user = actor
        locked.save(update_fields=["draw_seed", "drawn_at", "updated_at"])
        slot = timedelta(minutes=locked.pitch_minutes + locked.questions_minutes)
        first = timezone.make_aware(datetime.combine(locked.selection_on, time(9, 30)))
        Pitch.objects.bulk_create(
            Pitch(application_id=pk, order=rank, starts_at=first + (rank - 1) * slot)
            for rank, pk in enumerate(pitch_order(locked.draw_seed, applications), start=1)
        )
    call.draw_seed, call.drawn_at = locked.draw_seed, locked.drawn_at
    return locked


def onboard(*, application, actor, name, sponsors=()):
    """Create the laureate's product in investigation, once: a second press returns the same product.

    The investigation starts on the call's date (today if that date is still ahead), so the
    end-of-investigation committee is due 9 weeks later (portfolio's phase service sets it).
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("call", "applicant").get(pk=application.pk)
        if locked.startup_id:
            return locked.startup
        if not locked.can_be_onboarded:
            raise ValidationError(_("Only a laureate whose commitment form is signed can be onboarded."), code="status")
        call = locked.call
        start = min(call.investigation_starts_on, timezone.localdate())
        startup = create_startup(
            startup=Startup(
                name=name,
                slug=unique_slug(name, queryset=Startup.objects.all(), fallback="produit"),
                pitch=(locked.problem.strip().splitlines() or [""])[0][:280],
                description=startup_description(locked),
                incubator=call.incubator,
                themes=call.themes,
            ),
            phase=Phase.INVESTIGATION,
            start=start,
            actor=actor,
            sponsors=sponsors,
            team=[TeamMembership(user=locked.applicant, role=TeamMembership.Role.INTRAPRENEUR, start=start)],
        )
        transition_application(
            application=application, to=Application.Status.ONBOARDED, actor=actor, fields={"startup": startup}
        )
    return startup


def decide(*, application, to, actor):
    """The selection day's decision, laureate or not selected, as one action: a shortlisted
    application (its pitch heard, not marked yet) is first marked pitched, in the same transaction."""
    if to not in Application.DECISIONS:
        raise ValidationError(_("Choose one of the offered decisions."), code="decision")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.is_shortlisted:
            transition_application(application=application, to=Application.Status.PITCHED, actor=actor)
        return transition_application(application=application, to=to, actor=actor)


def startup_description(application):
    return "\n\n".join(
        f"## {title}\n\n{text}"
        for title, text in [
            (_("The problem"), application.problem),
            (_("The potential solution"), application.solution),
            (_("First users, partners and diffusion"), application.first_users),
            (_("Population concerned"), application.population),
        ]
        if text
    )


def closes_early(call, to, now=None):
    """Whether moving ``call`` to ``to`` closes it before its deadline (a reason is then required)."""
    return to == Call.Status.CLOSED and call.before_deadline(now)


def transition_call(*, call, to, actor, reason="", now=None):
    """Move ``call`` to ``to`` if ``Call.TRANSITIONS`` allows it: the only writer of ``Call.status``.
    The move, its author and ``reason`` go to the call's history, under a row lock.

    Closing before the deadline needs a reason: applicants lose the days they were promised.
    """
    reason = reason.strip()
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if not locked.may_become(to):
            raise ValidationError(
                _("This call is %(status)s: it cannot become %(to)s.")
                % {"status": locked.get_status_display().lower(), "to": Call.Status(to).label.lower()},
                code="transition",
            )
        if to == Call.Status.PUBLISHED and not locked.questions.exists() and not locked.description.strip():
            raise ValidationError(_("Describe the call before publishing it."), code="empty")
        if closes_early(locked, to, now) and not reason:
            raise ValidationError(
                _("The call takes applications until %(date)s: to close it before, say why.")
                % {"date": deadline_label(locked)},
                code="early",
            )
        locked.status = to
        locked._history_user = actor
        locked._change_reason = reason or None
        locked.save(update_fields=["status", "updated_at"])
    call.status = locked.status
    return locked


def status_history(call):
    """[(historical record, status label)] of the moves of the call's status, oldest first, with their reason."""
    rows, previous = [], None
    for record in call.history.select_related("history_user").order_by("history_date", "history_id"):
        if record.status != previous:
            rows.append((record, Call.Status(record.status).label))
        previous = record.status
    return rows


def convoke(*, call, actor):
    """Email each shortlisted applicant their pitch slot, with an .ics (once per slot)."""
    pitches = Pitch.objects.filter(application__call=call).select_related("application__applicant", "application__call")
    for pitch in pitches:
        application = pitch.application
        mail.send_templated(
            to=[application.applicant.email],
            template="application_convocation",
            context={"application": application, "call": call, "applicant": application.applicant, "pitch": pitch},
            key=f"application:{application.pk}:convocation:{pitch.starts_at.isoformat()}",
            attachments=[("pitch.ics", pitch_calendar(pitch), "text/calendar")],
        )
    return len(pitches)


def pitch_calendar(pitch):
    """The pitch slot as an iCalendar file (bytes), in Paris time."""
    call = pitch.application.call
    event = CalendarEvent(
        uid=f"pitch-{pitch.pk}@portail-des-incubateurs",
        summary=_("Pitch: %(title)s") % {"title": call.title},
        start=pitch.starts_at,
        end=pitch.starts_at + timedelta(minutes=call.pitch_minutes + call.questions_minutes),
    )
    return ics_file([event], prodid="-//Portail des incubateurs//Appels à intrapreneurs//FR")


def prepare_results(*, call, actor):
    """The selection results as held outbox messages, for the manager to review before sending."""
    templates = {
        Application.Status.LAUREATE: "application_laureate",
        Application.Status.NOT_SELECTED: "application_not_selected",
    }
    rows = []
    for application in call.applications.filter(status__in=templates).select_related("applicant"):
        rows.append(
            mail.send_templated(
                to=[application.applicant.email],
                template=templates[Application.Status(application.status)],
                context={"application": application, "call": call, "applicant": application.applicant},
                key=f"application:{application.pk}:result",
                hold=True,
            )
        )
    return rows


def results_outbox(call):
    keys = [f"application:{pk}:result" for pk in call.applications.values_list("pk", flat=True)]
    return OutboxMessage.objects.filter(idempotency_key__in=keys)


def send_results(*, call, actor):
    """Send the reviewed results in one action."""
    return outbox.release(results_outbox(call))


def score_summary(application_scores):
    """{criterion: (mean, spread)} and the overall mean, from a list of JuryScore rows of one application."""
    by_criterion = {}
    for score in application_scores:
        by_criterion.setdefault(score.criterion, []).append(score.score)
    summary = {
        criterion: (sum(values) / len(values), max(values) - min(values)) for criterion, values in by_criterion.items()
    }
    means = [mean for mean, _spread in summary.values()]
    return summary, (sum(means) / len(means) if means else None)


def toggle_vote(*, application, juror):
    """A juror ticks (or unticks) an application they want to hear. Returns True when ticked.

    The vote and the application's tick count change in one transaction (``PreselectionVote``).
    """
    if not application.can_be_voted:
        raise ValidationError(_("Votes are closed for this application."), code="closed")
    with transaction.atomic():
        deleted, _rows = PreselectionVote.objects.filter(application=application, juror=juror).delete()
        if deleted:
            return False
        PreselectionVote.objects.get_or_create(application=application, juror=juror)
    return True


def declare_conflict(*, application, juror, comment=""):
    """The juror will no longer see nor vote on this application; their vote (and the tick it
    counted) and their scores, if any, are removed."""
    with transaction.atomic():
        ConflictOfInterest.objects.get_or_create(application=application, juror=juror, defaults={"comment": comment})
        PreselectionVote.objects.filter(application=application, juror=juror).delete()
        JuryScore.objects.filter(application=application, juror=juror).delete()


def record_scores(*, application, juror, scores):
    """A juror's scores of a pitch, one per criterion (0 to 5), replacing their previous ones."""
    if not application.can_be_scored:
        raise ValidationError(_("Only a shortlisted application can be scored."), code="status")
    with transaction.atomic():
        for criterion, value in scores.items():
            JuryScore.objects.update_or_create(
                application=application, juror=juror, criterion=criterion, defaults={"score": value}
            )

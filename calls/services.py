"""Call workflows: the application's state machine, the jury's work, the draw, onboarding."""

import random
import secrets
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from incubator import mail
from incubator.models import OutboxMessage
from portfolio.models import Phase, Startup, TeamMembership
from portfolio.services import create_startup

from .models import Application, Call, ConflictOfInterest, JuryScore, Pitch, PreselectionVote

S = Application.Status

# The one map of allowed moves of an application (DESIGN 4.4).
TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.INELIGIBLE, S.SHORTLISTED, S.NOT_SHORTLISTED, S.WITHDRAWN},
    S.SHORTLISTED: {S.PITCHED, S.NOT_SHORTLISTED, S.WITHDRAWN},
    S.PITCHED: {S.LAUREATE, S.NOT_SELECTED, S.WITHDRAWN},
    S.LAUREATE: {S.COMMITMENT_SIGNED, S.WITHDRAWN},
    S.COMMITMENT_SIGNED: {S.ONBOARDED},
    S.INELIGIBLE: set(),
    S.NOT_SHORTLISTED: set(),
    S.NOT_SELECTED: set(),
    S.ONBOARDED: set(),
    S.WITHDRAWN: set(),
}
# What the applicant may still change before the deadline.
EDITABLE = {S.DRAFT, S.SUBMITTED}
# The results of the pre-selection: only once the call takes no more applications.
PRESELECTION = {S.INELIGIBLE, S.SHORTLISTED, S.NOT_SHORTLISTED}


def transition(application, to, *, actor, fields=None, email=None):
    """Move ``application`` to ``to`` if the map allows it; save ``fields`` with it; queue ``email``.

    Runs under a row lock: two clicks, two tabs or a racing autosave see the same state.
    ``email`` is (template, key) for ``mail.send_templated``, sent to the applicant.
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("call", "applicant").get(pk=application.pk)
        if to not in TRANSITIONS[S(locked.status)]:
            raise ValidationError(
                _("This application is %(status)s: it cannot become %(to)s.")
                % {"status": locked.get_status_display().lower(), "to": S(to).label.lower()},
                code="transition",
            )
        if to in PRESELECTION:
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
    application.status = locked.status
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


def save_draft(application, values, *, now=None):
    """Autosave and "save the draft": write the typed values of a draft before the deadline.

    A conditional UPDATE: an autosave that arrives after the submission (which holds the row
    lock while it writes) changes nothing and returns False, so the submitted version stands.
    """
    check_deadline(application.call, now)
    stamp = timezone.now()
    updated = Application.objects.filter(pk=application.pk, status=S.DRAFT).update(
        **values, draft_saved_at=stamp, updated_at=stamp
    )
    return bool(updated)


def submit(application, *, actor, values=None, now=None):
    """Write the final values and submit, under the row lock, before the deadline."""
    check_deadline(application.call, now)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if values and locked.status == S.DRAFT:
            Application.objects.filter(pk=locked.pk).update(**values)
        return transition(
            application,
            S.SUBMITTED,
            actor=actor,
            fields={"submitted_at": timezone.now()},
            email=("application_submitted", "submitted"),
        )


def update_submitted(application, *, actor, values, now=None):
    """Change a submitted application before the deadline."""
    check_deadline(application.call, now)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != S.SUBMITTED:
            raise ValidationError(_("This application can no longer be changed."), code="status")
        for name, value in values.items():
            setattr(locked, name, value)
        locked._history_user = actor
        locked.save(update_fields=[*values, "updated_at"])
    return locked


def withdraw(application, *, actor):
    return transition(application, S.WITHDRAWN, actor=actor)


def preselect(applications, to, *, actor):
    """Bulk pre-selection result: shortlist, not shortlisted or ineligible, with the applicant's email.

    Refused as a whole before the call's deadline (``check_preselection_allowed``): nothing moves,
    no email is queued.
    """
    templates = {
        S.SHORTLISTED: "application_shortlisted",
        S.NOT_SHORTLISTED: "application_not_shortlisted",
        S.INELIGIBLE: "application_ineligible",
    }
    applications = list(applications)
    for call in {application.call for application in applications}:
        check_preselection_allowed(call)
    moved = []
    for application in applications:
        moved.append(transition(application, to, actor=actor, email=(templates[to], "preselection")))
    return moved


def pitch_order(seed, application_ids):
    """The order of the pitches drawn from ``seed``: reproducible by anyone holding the seed."""
    order = sorted(application_ids)
    random.Random(seed).shuffle(order)  # a fair draw, not a secret
    return order


def draw_pitches(call, *, actor, seed=None):
    """Draw the pitch order of the shortlisted applications and give each its slot."""
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.drawn_at:
            raise ValidationError(_("The pitch order was already drawn."), code="drawn")
        applications = {a.pk: a for a in locked.applications.filter(status=S.SHORTLISTED)}
        if not applications:
            raise ValidationError(_("No shortlisted application to draw."), code="empty")
        locked.draw_seed = seed or secrets.token_hex(8)
        locked.drawn_at = timezone.now()
        locked.save(update_fields=["draw_seed", "drawn_at", "updated_at"])
        slot = timedelta(minutes=locked.pitch_minutes + locked.questions_minutes)
        first = timezone.make_aware(datetime.combine(locked.selection_on, time(9, 30)))
        Pitch.objects.bulk_create(
            Pitch(application_id=pk, order=rank, starts_at=first + (rank - 1) * slot)
            for rank, pk in enumerate(pitch_order(locked.draw_seed, applications), start=1)
        )
    call.draw_seed, call.drawn_at = locked.draw_seed, locked.drawn_at
    return locked


def onboard(application, *, actor, name, sponsors=()):
    """Create the laureate's product in investigation, once: a second press returns the same product.

    The investigation starts on the call's date (today if that date is still ahead), so the
    end-of-investigation committee is due 9 weeks later (portfolio's phase service sets it).
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("call", "applicant").get(pk=application.pk)
        if locked.startup_id:
            return locked.startup
        if locked.status != S.COMMITMENT_SIGNED:
            raise ValidationError(_("Only a laureate whose commitment form is signed can be onboarded."), code="status")
        call = locked.call
        start = min(call.investigation_starts_on, timezone.localdate())
        startup = create_startup(
            startup=Startup(
                name=name,
                slug=unique_slug(name),
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
        locked.startup = startup
        locked.status = S.ONBOARDED
        locked.status_changed_at = timezone.now()
        locked._history_user = actor
        locked.save(update_fields=["startup", "status", "status_changed_at", "updated_at"])
    application.startup, application.status = startup, locked.status
    return startup


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


def unique_slug(base):
    slug = slugify(base)[:70] or "produit"
    taken = set(Startup.objects.filter(slug__startswith=slug).values_list("slug", flat=True))
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


C = Call.Status

# The one map of a call's states (DESIGN 4.4).
CALL_TRANSITIONS = {
    C.DRAFT: {C.PUBLISHED},
    C.PUBLISHED: {C.CLOSED, C.DRAFT},
    C.CLOSED: {C.PRESELECTION_DONE},
    C.PRESELECTION_DONE: {C.SELECTION_DONE},
    C.SELECTION_DONE: {C.ARCHIVED},
    C.ARCHIVED: set(),
}


def closes_early(call, to, now=None):
    """Whether moving ``call`` to ``to`` closes it before its deadline (a reason is then required)."""
    return to == C.CLOSED and call.before_deadline(now)


def change_call_status(call, to, *, actor, reason="", now=None):
    """Move the call along its map; the move, its author and ``reason`` go to the call's history.

    Closing before the deadline needs a reason: applicants lose the days they were promised.
    """
    reason = reason.strip()
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if to not in CALL_TRANSITIONS[C(locked.status)]:
            raise ValidationError(
                _("This call is %(status)s: it cannot become %(to)s.")
                % {"status": locked.get_status_display().lower(), "to": C(to).label.lower()},
                code="transition",
            )
        if to == C.PUBLISHED and not locked.questions.exists() and not locked.description.strip():
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
            rows.append((record, C(record.status).label))
        previous = record.status
    return rows


def convoke(call):
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
    call = pitch.application.call
    calendar = Calendar()
    calendar.add("prodid", "-//Portail des incubateurs//Appels à intrapreneurs//FR")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"pitch-{pitch.pk}@portail-des-incubateurs")
    event.add("summary", _("Pitch: %(title)s") % {"title": call.title})
    event.add("dtstart", pitch.starts_at)
    event.add("dtend", pitch.starts_at + timedelta(minutes=call.pitch_minutes + call.questions_minutes))
    event.add("dtstamp", timezone.now())
    calendar.add_component(event)
    return calendar.to_ical()


def prepare_results(call, *, actor):
    """The selection results as held outbox messages, for the manager to review before sending."""
    templates = {S.LAUREATE: "application_laureate", S.NOT_SELECTED: "application_not_selected"}
    rows = []
    for application in call.applications.filter(status__in=templates).select_related("applicant"):
        rows.append(
            mail.send_templated(
                to=[application.applicant.email],
                template=templates[S(application.status)],
                context={"application": application, "call": call, "applicant": application.applicant},
                key=f"application:{application.pk}:result",
                hold=True,
            )
        )
    return rows


def results_outbox(call):
    keys = [f"application:{pk}:result" for pk in call.applications.values_list("pk", flat=True)]
    return OutboxMessage.objects.filter(idempotency_key__in=keys)


def send_results(call, *, actor):
    """Send the reviewed results in one action."""
    return mail.release(results_outbox(call))


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


def toggle_vote(application, *, juror):
    """A juror ticks (or unticks) an application they want to hear. Returns True when ticked."""
    if application.status != S.SUBMITTED:
        raise ValidationError(_("Votes are closed for this application."), code="closed")
    deleted, _rows = PreselectionVote.objects.filter(application=application, juror=juror).delete()
    if deleted:
        return False
    PreselectionVote.objects.get_or_create(application=application, juror=juror)
    return True


def declare_conflict(application, *, juror, comment=""):
    """The juror will no longer see nor vote on this application; their vote, if any, is removed."""
    with transaction.atomic():
        ConflictOfInterest.objects.get_or_create(application=application, juror=juror, defaults={"comment": comment})
        PreselectionVote.objects.filter(application=application, juror=juror).delete()
        JuryScore.objects.filter(application=application, juror=juror).delete()


def record_scores(application, *, juror, scores):
    """A juror's scores of a pitch, one per criterion (0 to 5), replacing their previous ones."""
    if application.status not in (S.SHORTLISTED, S.PITCHED):
        raise ValidationError(_("Only a shortlisted application can be scored."), code="status")
    with transaction.atomic():
        for criterion, value in scores.items():
            JuryScore.objects.update_or_create(
                application=application, juror=juror, criterion=criterion, defaults={"score": value}
            )

"""Committee workflows: planning, recording the decision, invitations and calendars."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator import mail
from incubator.ics import CalendarEvent, ics_file
from incubator.mail import absolute_url
from incubator.models import Membership
from incubator.templatetags.portal_dates import long_date
from portfolio.models import ALLOWED_MOVES, ENDED_PHASES, Phase, TeamMembership
from portfolio.services import change_phase

from .cadence import DEFAULT_GRANTED_MONTHS, check_rule, refresh_due_date
from .models import Attendee, Committee, Decision

# The phases a stop or a transfer has nothing left to move from.
ALREADY_THERE = {
    Decision.Outcome.STOP: {Phase.ABANDONED, Phase.ABANDONED_INVESTIGATION},
    Decision.Outcome.TRANSFER: {Phase.TRANSFERRED},
}
# Why a move outside ``Committee.TRANSITIONS`` is refused, by target status.
REFUSALS = {
    Committee.Status.CANCELLED: (gettext_lazy("Only a planned committee can be cancelled."), "status"),
    Committee.Status.HELD: (gettext_lazy("Only a planned committee can receive its decision."), "status"),
}


# The attendee role of each team role: one mapping, used to pre-fill the invitations.
TEAM_ROLES = {
    TeamMembership.Role.INTRAPRENEUR: Attendee.Role.INTRAPRENEUR,
    TeamMembership.Role.COACH: Attendee.Role.COACH,
    TeamMembership.Role.PRODUCT: Attendee.Role.TEAM,
    TeamMembership.Role.DEVELOPER: Attendee.Role.TEAM,
    TeamMembership.Role.DESIGNER: Attendee.Role.TEAM,
    TeamMembership.Role.DEPLOYMENT: Attendee.Role.TEAM,
    TeamMembership.Role.OTHER: Attendee.Role.TEAM,
}
MANAGER_ROLES = {
    Membership.Role.MANAGER: Attendee.Role.INCUBATOR_MANAGER,
    Membership.Role.PORTFOLIO_MANAGER: Attendee.Role.PORTFOLIO_MANAGER,
}


@dataclass
class InvitationPlan:
    """Who a committee of a product usually invites, and who cannot be invited, with why."""

    attendees: list = field(default_factory=list)
    # Current team members with no email (no account, no address): they cannot be invited.
    without_email: list = field(default_factory=list)
    # The product's sponsor organisations without a contact email.
    sponsors_without_contact: list = field(default_factory=list)
    has_sponsor: bool = False


def invitation_plan(startup):
    """The usual attendees of a committee of ``startup`` (the team, its sponsors' contacts, the
    incubator's managers; editable on the planning page) and the people left out (3 queries)."""
    plan, people = InvitationPlan(), []
    for member in startup.team.current().select_related("user"):
        if not member.contact_email:
            plan.without_email.append(member)
            continue
        people.append(
            {
                "user": member.user,
                "name": member.display_name,
                "email": member.contact_email,
                "role": TEAM_ROLES.get(member.role, Attendee.Role.TEAM),
                "mandatory": member.role == TeamMembership.Role.INTRAPRENEUR,
            }
        )
    for organisation in startup.sponsors.order_by("acronym"):
        plan.has_sponsor = True
        if not organisation.contact_email:
            plan.sponsors_without_contact.append(organisation)
            continue
        people.append(
            {
                "user": None,
                "name": organisation.contact_name or organisation.acronym,
                "email": organisation.contact_email,
                "role": Attendee.Role.SPONSOR,
                "mandatory": False,
            }
        )
    memberships = Membership.objects.filter(incubator=startup.incubator, role__in=MANAGER_ROLES)
    for membership in memberships.select_related("user"):
        people.append(
            {
                "user": membership.user,
                "name": str(membership.user),
                "email": membership.user.email,
                "role": MANAGER_ROLES[membership.role],
                "mandatory": membership.role == Membership.Role.MANAGER,
            }
        )
    unique = {}
    for person in people:
        unique.setdefault(person["email"].lower(), person)
    plan.attendees = list(unique.values())
    return plan


def default_attendees(startup):
    """Who is usually invited (see ``invitation_plan``)."""
    return invitation_plan(startup).attendees


def usual_kind(startup, day):
    """The kind of ``startup``'s committee held on ``day``: the first one of an investigation (the
    product in investigation that day, or ending it that day) is its end-of-investigation
    committee, any other a periodic one. Two queries at most."""
    investigation = (
        startup.periods.filter(phase=Phase.INVESTIGATION, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .order_by("-start")
        .first()
    )
    if investigation is None:
        return Committee.Kind.PERIODIC
    earlier = Committee.objects.exclude(status=Committee.Status.CANCELLED).filter(
        startup=startup, scheduled_at__date__gte=investigation.start, scheduled_at__date__lt=day
    )
    return Committee.Kind.PERIODIC if earlier.exists() else Committee.Kind.END_OF_INVESTIGATION


def plan_committee(*, startup, actor, attendees, **fields):
    """Create a planned committee with its attendees and queue the invitations (with an .ics)."""
    if fields["scheduled_at"] <= timezone.now():
        raise ValidationError(_("A committee cannot be planned in the past."), code="past")
    with transaction.atomic():
        committee = Committee.objects.create(startup=startup, created_by=actor, **fields)
        Attendee.objects.bulk_create(Attendee(committee=committee, **person) for person in attendees)
        invite(committee)
    return committee


def invite(committee, *, update=0):
    """Email each attendee the invitation with the committee's .ics (once per attendee and version)."""
    ics = calendar_for([committee])
    for attendee in committee.attendees.all():
        mail.send_templated(
            to=[attendee.email],
            template="committee_invitation",
            context={"committee": committee, "attendee": attendee, "url": absolute_url(committee.get_absolute_url())},
            key=f"committee:{committee.pk}:invitation:{update}:{attendee.email}",
            attachments=[("comite.ics", ics, "text/calendar")],
        )


def transition_committee(*, committee, to, actor):
    """Move ``committee`` to the status ``to`` if ``Committee.TRANSITIONS`` allows it: the only
    writer of ``Committee.status``. Under a row lock (two tabs see the same state); the move is in
    the committee's history, by ``actor``. Raises ValidationError and changes nothing otherwise."""
    to = Committee.Status(to)
    with transaction.atomic():
        locked = Committee.objects.select_for_update().get(pk=committee.pk)
        if not locked.may_become(to):
            message, code = REFUSALS[to]
            raise ValidationError(str(message), code=code)
        locked.status = to
        locked._history_user = actor
        locked.save(update_fields=["status", "updated_at"])
    committee.status, committee.updated_at = locked.status, locked.updated_at
    return locked


def cancel_committee(*, committee, actor):
    """Cancel a planned committee (its attendees' calendars show it cancelled)."""
    return transition_committee(committee=committee, to=Committee.Status.CANCELLED, actor=actor)


def phase_after(outcome, startup, next_phase=""):
    """The phase a decision moves the product to (None: it stays where it is)."""
    if outcome == Decision.Outcome.NEXT_PHASE:
        return Phase(next_phase)
    if Phase(startup.phase) in ALREADY_THERE.get(outcome, ()):
        return None  # already stopped or transferred (a past decision loaded after its history)
    if outcome == Decision.Outcome.STOP:
        return Phase.ABANDONED_INVESTIGATION if startup.phase == Phase.INVESTIGATION else Phase.ABANDONED
    if outcome == Decision.Outcome.TRANSFER:
        return Phase.TRANSFERRED
    return None


def next_phase_choices(startup):
    """The phases a "next phase" decision may choose: the usual moves forward, exits excluded."""
    exits = {Phase.ABANDONED, Phase.ABANDONED_INVESTIGATION, Phase.TRANSFERRED}
    return [phase for phase in Phase if phase in ALLOWED_MOVES[Phase(startup.phase)] and phase not in exits]


def decision_blocker(committee, *, has_decision, now=None):
    """Why no decision can be recorded for ``committee`` now, as a ValidationError (None: it can).

    A decision is recorded once the meeting has started, once, and never for a cancelled committee."""
    if committee.is_cancelled:
        return ValidationError(_("This committee was cancelled: no decision can be recorded."), code="cancelled")
    if has_decision:
        return ValidationError(_("A decision was already recorded for this committee."), code="exists")
    if committee.scheduled_at > (now or timezone.now()):
        start = long_date(timezone.localtime(committee.scheduled_at), "weekday_datetime")
        return ValidationError(
            _("The committee starts on %(start)s: its decision can be recorded once it has started.")
            % {"start": start},
            code="not_started",
        )
    return None


def record_decision(
    *,
    committee,
    actor,
    outcome,
    decided_on,
    granted_months=None,
    granted_amount=None,
    minutes="",
    next_phase="",
    beyond_rule_reason="",
    next_objectives="",
    team_size=None,
    hypotheses="",
):
    """Store the decision, hold the committee, move the phase, recompute the next due date
    (``cadence.refresh_due_date``) and queue the emails: one transaction.

    The 6-month rule (``cadence.check_rule``, in the phase the decision leaves the product in):
    more than 6 months (12 in consolidation or opéré) needs ``beyond_rule_reason`` and marks the
    decision ``beyond_rule``; more than 24 is refused. ``next_objectives``, ``team_size`` and
    ``hypotheses`` are what the next committee's page shows back.

    The decision returned carries ``summary``: what changed, in a sentence (the message and the emails)."""
    with transaction.atomic():
        locked = Committee.objects.select_for_update().select_related("startup__incubator").get(pk=committee.pk)
        blocker = decision_blocker(locked, has_decision=Decision.objects.filter(committee=locked).exists())
        if blocker is not None:
            raise blocker
        if decided_on < locked.local_date:
            raise ValidationError(_("The decision cannot come before the committee."), code="date")
        startup = locked.startup
        previous_phase = Phase(startup.phase)
        target = phase_after(outcome, startup, next_phase)
        if outcome == Decision.Outcome.NEXT_PHASE and target not in next_phase_choices(startup):
            raise ValidationError(_("Choose one of the phases that follow the current one."), code="next_phase")
        months = granted_months or DEFAULT_GRANTED_MONTHS
        phase_then = target or previous_phase
        beyond = phase_then not in ENDED_PHASES and check_rule(
            phase=phase_then, months=months, reason=beyond_rule_reason
        )
        decision = Decision.objects.create(
            committee=locked,
            outcome=outcome,
            next_phase=next_phase if target else "",
            decided_on=decided_on,
            granted_amount=granted_amount,
            granted_months=months,
            beyond_rule=beyond,
            beyond_rule_reason=beyond_rule_reason.strip(),
            minutes=minutes,
            next_objectives=next_objectives,
            team_size=team_size,
            hypotheses=hypotheses,
            recorded_by=actor,
        )
        transition_committee(committee=locked, to=Committee.Status.HELD, actor=actor)
        if target is not None:  # the move's ``phase_changed`` recomputes the due date
            reason = _("Decision of the investment committee of %(date)s.") % {"date": long_date(locked.local_date)}
            change_phase(
                startup=startup,
                phase=target,
                start=decided_on,
                actor=actor,
                decision_id=decision.pk,
                reason=reason,
                may_override=True,
            )
        else:
            refresh_due_date(startup=startup, actor=actor, reason=_("Committee decision"))
        decision.summary = decision_summary(decision, previous_phase=previous_phase)
        announce_decision(decision)
    committee.status = locked.status
    return decision


def decision_summary(decision, *, previous_phase):
    """What the decision did to the product, in one sentence: it stays in its phase (continue,
    provisional, pivot), moves (next phase) or ends (stop, transfer); and when the next committee is due."""
    startup = decision.committee.startup
    values = {
        "name": startup.name,
        "phase": startup.get_phase_display(),
        "previous": Phase(previous_phase).label,
        "due": long_date(startup.next_committee_due) if startup.next_committee_due else "",
    }
    Outcome = Decision.Outcome
    sentences = {
        Outcome.CONTINUE: _("Continuation approved: %(name)s stays in %(phase)s; next committee due by %(due)s."),
        Outcome.PROVISIONAL: _(
            "Provisional continuation: %(name)s stays in %(phase)s; more evidence is expected at the next "
            "committee, due by %(due)s."
        ),
        Outcome.PIVOT: _("Pivot approved: %(name)s stays in %(phase)s; next committee due by %(due)s."),
        Outcome.NEXT_PHASE: _(
            "Move approved: %(name)s moves from %(previous)s to %(phase)s; next committee due by %(due)s."
        ),
        Outcome.STOP: _("Stop decided: %(name)s is stopped after %(previous)s; no further committee is due."),
        Outcome.TRANSFER: _(
            "Transfer decided: %(name)s is transferred after %(previous)s; no further committee is due."
        ),
    }
    return sentences[Outcome(decision.outcome)] % values


def announce_decision(decision):
    """The decision to the attendees and to the incubator's purchasing contact (an order takes a month)."""
    committee = decision.committee
    context = {
        "decision": decision,
        "committee": committee,
        "startup": committee.startup,
        "summary": getattr(decision, "summary", ""),
        "url": absolute_url(committee.get_absolute_url()),
    }
    recipients = {attendee.email.lower() for attendee in committee.attendees.all()}
    purchasing = committee.startup.incubator.purchasing_email
    for email in sorted(recipients):
        mail.send_templated(
            to=[email], template="committee_decision", context=context, key=f"decision:{decision.pk}:{email}"
        )
    if purchasing:
        mail.send_templated(
            to=[purchasing],
            template="committee_decision_purchasing",
            context=context,
            key=f"decision:{decision.pk}:purchasing:{purchasing.lower()}",
        )


def committee_events(committees):
    """One ``CalendarEvent`` per committee (its product selected with it), in Paris time."""
    site = settings.SITE_URL.split("://")[-1]
    return (
        CalendarEvent(
            uid=f"committee-{committee.pk}@{site}",
            summary=_("Investment committee: %(name)s") % {"name": committee.startup.name},
            start=committee.scheduled_at,
            end=committee.scheduled_at + timedelta(minutes=committee.duration_minutes),
            stamp=committee.updated_at,
            location=committee.video_link or committee.place,
            url=absolute_url(committee.get_absolute_url()),
            status="CANCELLED" if committee.status == Committee.Status.CANCELLED else "CONFIRMED",
        )
        for committee in committees
    )


def calendar_for(committees, *, name=None):
    """An iCalendar file (bytes) with one event per committee, in Paris time."""
    return ics_file(
        committee_events(committees), prodid="-//Portail des incubateurs//Comités d'investissement//FR", name=name
    )

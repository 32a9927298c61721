"""Community workflows: requesting a resource and answering it; registering for an event, cancelling
and the waiting list.

Each state machine has one map (``ResourceRequest.TRANSITIONS``, ``Registration.TRANSITIONS``) and
one function that moves it (``transition_request``, ``transition_registration``): the only writers of
the statuses. Emails go through the outbox in the same transaction (sent after commit).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator import mail
from incubator.mail import absolute_url
from incubator.templatetags.portal_dates import long_date
from portfolio.models import TeamMembership

from .ics import calendar_for
from .models import Event, Registration, RequestComment, Resource, ResourceRequest, sponsor_types

RequestStatus = ResourceRequest.Status
RegistrationStatus = Registration.Status

# Why a resource of each access mode cannot be requested here.
NOT_ON_REQUEST = {
    Resource.AccessMode.OPEN: gettext_lazy("This resource is open to all: use its link, there is nothing to request."),
    Resource.AccessMode.CALL: gettext_lazy(
        "This resource is given through a call for applications: apply through the call."
    ),
    Resource.AccessMode.CONTRACT: gettext_lazy(
        "This resource is a public contract: contact its holder to order from it."
    ),
}


# Requests -----------------------------------------------------------------------------------------


def request_blocker(resource, startup=None):
    """Why ``resource`` cannot be requested (for ``startup``, if given), a ValidationError, or None."""
    if not resource.can_be_requested:
        return ValidationError(str(NOT_ON_REQUEST[Resource.AccessMode(resource.access_mode)]), code="not_on_request")
    if startup is not None:
        if startup.is_ended:
            return ValidationError(_("This product has ended: it can no longer request resources."), code="ended")
        reason = resource.ineligibility(startup, sponsor_types(startup))
        if reason:
            return ValidationError(reason, code="ineligible")
    return None


def request_resource(*, resource, actor, message, startup=None, incubator=None):
    """Create a submitted request for a product (``startup``) or an incubator, and tell the handlers."""
    blocker = request_blocker(resource, startup)
    if blocker is not None:
        raise blocker
    incubator = startup.incubator if startup is not None else incubator
    open_requests = ResourceRequest.objects.open().filter(resource=resource)
    open_requests = (
        open_requests.filter(startup=startup) if startup else open_requests.filter(incubator=incubator, startup=None)
    )
    duplicate = ValidationError(
        _("A request for this resource is already open for %(name)s.")
        % {"name": startup.name if startup else incubator.title},
        code="duplicate",
    )
    if open_requests.exists():
        raise duplicate
    try:
        with transaction.atomic():
            created = ResourceRequest(
                resource=resource, startup=startup, incubator=incubator, requester=actor, message=message
            )
            created._history_user = actor
            created.save()
            notify_handlers(created)
    except IntegrityError as error:  # the same request sent twice at once: the unique constraint
        raise duplicate from error
    return created


def handler_emails(resource):
    """Who is told of a new request: the handlers, or the resource's contact when it has none."""
    emails = sorted({user.email.lower() for user in resource.handlers.all() if user.email})
    return emails or ([resource.contact_email] if resource.contact_email else [])


def requester_emails(resource_request):
    """Who is told of an answer: the requester and the product's current team (with an address)."""
    emails = set()
    if resource_request.requester_id and resource_request.requester.email:
        emails.add(resource_request.requester.email.lower())
    if resource_request.startup_id:
        team = TeamMembership.objects.current().filter(startup=resource_request.startup_id).select_related("user")
        emails |= {member.contact_email.lower() for member in team if member.contact_email}
    return sorted(emails)


def request_context(resource_request, **extra):
    return {
        "request": resource_request,
        "resource": resource_request.resource,
        "target": resource_request.target_name,
        "url": absolute_url(resource_request.get_absolute_url()),
        **extra,
    }


def notify_handlers(resource_request):
    context = request_context(
        resource_request,
        requester=resource_request.requester,
        when=timezone.localtime(resource_request.submitted_at),
        queue_url=absolute_url(reverse("community:queue")),
    )
    for email in handler_emails(resource_request.resource):
        mail.send_templated(
            to=[email],
            template="community_request_submitted",
            context=context,
            key=f"community:request:{resource_request.pk}:submitted:{email}",
        )


def transition_request(resource_request, to, *, actor, comment=""):
    """Move a request to ``to`` if the map allows it, with the comment, and email the requester's side.

    Under a row lock: two handlers answering at once, or a double click, see the same state."""
    to = RequestStatus(to) if to in RequestStatus.values else None
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = ResourceRequest.objects.select_for_update().get(pk=resource_request.pk)
        if to is None or to not in ResourceRequest.TRANSITIONS[RequestStatus(locked.status)]:
            raise ValidationError(
                _("This request is %(status)s: it cannot become %(to)s.")
                % {"status": locked.get_status_display().lower(), "to": to.label.lower() if to else "?"},
                code="transition",
            )
        if to == RequestStatus.REFUSED and not comment:
            raise ValidationError(_("Say why the request is refused: the team reads it."), code="comment_required")
        locked.status = to
        locked.status_changed_at = timezone.now()
        locked._history_user = actor
        locked.save(update_fields=["status", "status_changed_at", "updated_at"])
        step = RequestComment.objects.create(request=locked, author=actor, body=comment, status=to)
        locked = ResourceRequest.objects.for_list().get(pk=locked.pk)
        context = request_context(locked, step=step, actor=actor, when=timezone.localtime(step.created_at))
        for email in requester_emails(locked):
            mail.send_templated(
                to=[email],
                template="community_request_status",
                context=context,
                key=f"community:request:{locked.pk}:{to}:{email}",
            )
    resource_request.status = locked.status
    return locked


def comment_request(*, resource_request, actor, body):
    """Add a comment; the other side is told (the handlers of a requester's comment, and the other way)."""
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a comment."), code="empty")
    with transaction.atomic():
        comment = RequestComment.objects.create(request=resource_request, author=actor, body=body)
        handlers = {user.pk for user in resource_request.resource.handlers.all()}
        from_handler = actor.pk in handlers or actor.is_network_admin
        recipients = requester_emails(resource_request) if from_handler else handler_emails(resource_request.resource)
        context = request_context(resource_request, comment=comment, actor=actor)
        for email in recipients:
            if email != actor.email.lower():
                mail.send_templated(
                    to=[email],
                    template="community_request_comment",
                    context=context,
                    key=f"community:comment:{comment.pk}:{email}",
                )
    return comment


# Events -------------------------------------------------------------------------------------------


def registration_blocker(event, now=None):
    """Why nobody can register for ``event`` now (a ValidationError with a clear message), or None."""
    now = now or timezone.now()
    state = event.registration_state(now)
    if state == "not_yet":
        opens = long_date(timezone.localtime(event.registration_opens_at), "weekday_datetime")
        return ValidationError(
            _("The registration opens on %(date)s.") % {"date": opens},
            code="not_open",
        )
    if state == "closed":
        closes = long_date(timezone.localtime(min(event.registration_closes_at, event.starts_at)), "weekday_datetime")
        return ValidationError(
            _("The registration closed on %(date)s: it is no longer possible to register.") % {"date": closes},
            code="closed",
        )
    return None


def transition_registration(registration, to, *, actor, fields=None):
    """Move a registration (already locked by the caller's transaction) to ``to`` if the map allows it."""
    if to not in Registration.TRANSITIONS[RegistrationStatus(registration.status)]:
        raise ValidationError(
            _("This registration is %(status)s: it cannot become %(to)s.")
            % {"status": registration.get_status_display().lower(), "to": RegistrationStatus(to).label.lower()},
            code="transition",
        )
    for name, value in (fields or {}).items():
        setattr(registration, name, value)
    registration.status = to
    registration.status_changed_at = timezone.now()
    registration._history_user = actor
    registration.save(update_fields=["status", "status_changed_at", *(fields or {})])
    return registration


def register(*, event, actor, now=None):
    """A seat for ``actor`` if one is free, else the next place on the waiting list; one transaction.

    The event's row is locked first, by every registration and cancellation: two people asking for
    the last seat at once are served one after the other (one seat, one waiting place)."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        blocker = registration_blocker(locked, now)
        if blocker is not None:
            raise blocker
        registrations = Registration.objects.filter(event=locked)
        if registrations.active().filter(user=actor).exists():
            raise ValidationError(_("You are already registered for this event."), code="registered")
        confirmed = registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        registration = Registration(event=locked, user=actor)
        if confirmed < locked.capacity:
            registration.status = RegistrationStatus.CONFIRMED
        else:
            registration.status = RegistrationStatus.WAITLISTED
            last = (
                registrations.filter(status=RegistrationStatus.WAITLISTED).aggregate(last=Max("position"))["last"] or 0
            )
            registration.position = last + 1
        registration._history_user = actor
        registration.save()
        notify_registration(registration)
    return registration


def waiting_rank(registration):
    """1 for the first on the waiting list."""
    return (
        Registration.objects.waiting().filter(event=registration.event_id, position__lte=registration.position).count()
    )


def cancel_registration(*, registration, actor):
    """Cancel a seat or a waiting place; a freed seat goes to the first on the waiting list, who is emailed.

    Returns (the cancelled registration, the promoted one or None). Cancelling twice (two tabs, a
    double click) is refused the second time: nobody is promoted twice."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        was_confirmed = locked.status == RegistrationStatus.CONFIRMED
        try:
            transition_registration(locked, RegistrationStatus.CANCELLED, actor=actor, fields={"position": None})
        except ValidationError as error:
            raise ValidationError(_("This registration is already cancelled."), code="cancelled") from error
        promoted = fill_seats(event, actor=actor) if was_confirmed else []
    registration.status = locked.status
    return locked, (promoted[0] if promoted else None)


def fill_seats(event, *, actor):
    """Give the free seats of ``event`` (locked by the caller) to the first on its waiting list, in order."""
    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()
    free = event.capacity - confirmed
    if free <= 0:
        return []
    promoted = []
    for waiter in Registration.objects.waiting().filter(event=event).select_for_update()[:free]:
        transition_registration(waiter, RegistrationStatus.CONFIRMED, actor=actor, fields={"position": None})
        notify_registration(waiter, promoted=True)
        promoted.append(waiter)
    return promoted


def notify_registration(registration, *, promoted=False):
    """The person's confirmation (with the .ics), waiting place, or promotion from the waiting list."""
    event = registration.event
    context = {
        "event": event,
        "registration": registration,
        "person": registration.user,
        "starts": timezone.localtime(event.starts_at),
        "ends": timezone.localtime(event.ends_at),
        "rank": waiting_rank(registration) if registration.status == RegistrationStatus.WAITLISTED else None,
        "promoted": promoted,
        "url": absolute_url(event.get_absolute_url()),
    }
    attachments = []
    if registration.status == RegistrationStatus.CONFIRMED:
        attachments = [("evenement.ics", calendar_for([event]), "text/calendar")]
    mail.send_templated(
        to=[registration.user.email],
        template="community_registration",
        context=context,
        key=f"community:registration:{registration.pk}:{'promoted' if promoted else registration.status}",
        attachments=attachments,
    )

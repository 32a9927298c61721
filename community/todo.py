"""What the community asks of a person today ("Mon espace", ``incubator.registry.TodoSource``), in
two queries whatever the number of requests and registrations.

- A handler of a resource: its open requests (submitted or in progress), each with its age ("opened
  today", "open for 3 days"), undated. A network admin also answers the requests of the resources nobody handles
  (the queue of a network admin holds every request: the list asks only what nobody else will).
  The app has no deadline for an answer, so none is late.
- A lead or portfolio manager (``incubator.rules.managed_incubator_ids``): the open requests of
  their incubator's products and of the incubator itself (the request's ``incubator``), with
  their age, to follow up; a request they also handle is on the list once, to answer.
- A registrant: the events they hold a seat or a waiting place for within the next 7 days (their
  place on the waiting list said), and a seat given to them from the waiting list in the last 7
  days (``services.fill_seats``), whenever the event.

A request's state machine (``ResourceRequest.TRANSITIONS``) has no state that waits for the
requester, so the requester is asked nothing beyond their managers' follow-up.
"""

import datetime

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext_lazy

from incubator.registry import TodoItem
from incubator.reminders import day_bounds
from incubator.rules import managed_incubator_ids

from .models import Registration, Resource, ResourceRequest

EVENT_DAYS = 7  # an event this close is on the list
PROMOTION_DAYS = 7  # a seat from the waiting list is news this long


def open_requests(user):
    """The open requests ``user`` answers (``is_handled``) or follows up for an incubator they run,
    each once, oldest first (one query)."""
    resources = Resource.objects.filter(handlers=user)
    if user.is_network_admin:
        resources = Resource.objects.filter(Q(handlers=user) | Q(handlers__isnull=True))
    handled = Q(resource__in=resources.values("pk"))
    return (
        ResourceRequest.objects.open()
        .filter(handled | Q(incubator__in=managed_incubator_ids(user)))
        .annotate(is_handled=ExpressionWrapper(handled, output_field=BooleanField()))
        .select_related("resource", "startup", "incubator")
        .order_by("submitted_at", "pk")
    )


# A request's texts: submitted today, or its age in days.
REQUEST_TEXTS = {
    "follow_up": (
        _lazy("Your incubator's request for %(resource)s (%(target)s) awaits its answer, opened today"),
        ngettext_lazy(
            "Your incubator's request for %(resource)s (%(target)s) awaits its answer, open for %(count)s day",
            "Your incubator's request for %(resource)s (%(target)s) awaits its answer, open for %(count)s days",
            "count",
        ),
    ),
    "answer": (
        _lazy("Answer the request for %(resource)s (%(target)s), opened today"),
        ngettext_lazy(
            "Answer the request for %(resource)s (%(target)s), open for %(count)s day",
            "Answer the request for %(resource)s (%(target)s), open for %(count)s days",
            "count",
        ),
    ),
    "decide": (
        _lazy("Give your decision on the request for %(resource)s (%(target)s), opened today"),
        ngettext_lazy(
            "Give your decision on the request for %(resource)s (%(target)s), open for %(count)s day",
            "Give your decision on the request for %(resource)s (%(target)s), open for %(count)s days",
            "count",
        ),
    ),
}


def request_item(resource_request, now):
    """The item of an open request: undated (no deadline to answer it), its age in the text."""
    days = resource_request.age_days(now)
    values = {"resource": resource_request.resource.title, "target": resource_request.target_name, "count": days}
    if not resource_request.is_handled:
        step = "follow_up"
    elif resource_request.status == ResourceRequest.Status.SUBMITTED:
        step = "answer"
    else:
        step = "decide"
    today_text, age_text = REQUEST_TEXTS[step]
    text = (today_text if days == 0 else age_text) % values
    return TodoItem(None, _("Request"), text, resource_request.get_absolute_url())


def my_registrations(user, today, now):
    """The person's places at the events of the next days and their recent seats from the waiting
    list, with their rank on the waiting list (one query)."""
    _start, horizon = day_bounds(today, today + datetime.timedelta(days=EVENT_DAYS))
    was_waiting = Registration.history.model.objects.filter(id=OuterRef("pk"), status=Registration.Status.WAITLISTED)
    ahead = Registration.objects.waiting().filter(event=OuterRef("event"), position__lte=OuterRef("position"))
    promoted = Q(
        status=Registration.Status.CONFIRMED,
        was_waiting=True,
        status_changed_at__gte=now - datetime.timedelta(days=PROMOTION_DAYS),
    )
    return (
        Registration.objects.active()
        .filter(user=user, event__ends_at__gte=now)
        .annotate(
            was_waiting=Exists(was_waiting),
            rank=Coalesce(Subquery(ahead.order_by().values("event").annotate(n=Count("pk")).values("n")), 0),
        )
        .filter(Q(event__starts_at__lt=horizon) | promoted)
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )


def registration_item(registration, now):
    event = registration.event
    starts = timezone.localtime(event.starts_at)
    values = {"event": event.title, "time": formats.time_format(starts, "TIME_FORMAT"), "rank": registration.rank}
    if registration.status == Registration.Status.WAITLISTED:
        text = _("%(event)s at %(time)s: you are number %(rank)s on the waiting list") % values
    elif registration.was_waiting and registration.status_changed_at >= now - datetime.timedelta(days=PROMOTION_DAYS):
        text = _("%(event)s at %(time)s: a seat freed up and it is yours") % values
    else:
        text = _("%(event)s at %(time)s: you have a seat (cancel it if you cannot come)") % values
    return TodoItem(starts.date(), _("Event"), text, event.get_absolute_url())


def todo_items(user, today):
    """What the community asks of ``user`` on ``today``: requests to answer or to follow up, events
    to attend (two queries)."""
    if not user.is_authenticated:
        return []
    now = timezone.now()
    items = [request_item(resource_request, now) for resource_request in open_requests(user)]
    items += [registration_item(registration, now) for registration in my_registrations(user, today, now)]
    return items

"""Community pages: the catalogue, "for my product", requests and their queue, events and attendance.

Every view starts from a queryset scoped to the user (``visible_to``, ``queue_of``, ``organised_by``):
another incubator's request is a 404; a django-rules permission refuses an action with a 403. Only
POST changes state. The catalogue and the public events are open to visitors who are not signed in.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import DetailView, FormView, ListView, TemplateView

from incubator.exports import csv_response
from incubator.lists import FilteredListMixin  # the core's list mixin (issue 10: it moved from portfolio.views)
from incubator.models import Incubator
from portfolio.models import Startup, TeamMembership

from . import services
from .filters import EventFilter, RequestFilter, ResourceFilter
from .forms import STARTUP_PREFIX, CommentForm, RequestForm, TransitionForm
from .ics import calendar_for
from .models import DismissedSuggestion, Event, Registration, Resource, ResourceRequest, sponsor_types

# Catalogue -----------------------------------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class ResourceListView(FilteredListMixin, ListView):
    """The catalogue: the open resources for everyone, the whole offer once signed in."""

    template_name = "community/resource_list.html"
    http_method_names = ["get", "head"]
    filterset_class = ResourceFilter
    context_object_name = "resources"

    def get_base_queryset(self):
        return Resource.objects.visible_to(self.request.user).for_list()


@method_decorator(login_not_required, name="dispatch")
class ResourceDetailView(DetailView):
    template_name = "community/resource_detail.html"
    http_method_names = ["get", "head"]
    context_object_name = "resource"

    def get_queryset(self):
        return Resource.objects.published().for_list()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not Resource.objects.visible_to(request.user).filter(pk=self.object.pk).exists():
            return redirect_to_login(request.get_full_path())  # the offer beyond open links: signed in
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            call_is_open=self.object.call_is_open(),
            **kwargs,
        )


def requester_targets(user):
    """(products, incubators) the user may request for: products whose team they are in or that they
    manage, and incubators they run (network admins: all)."""
    if user.is_network_admin:
        return Startup.objects.active().order_by("name"), Incubator.objects.active().order_by("title")
    team = TeamMembership.objects.current().filter(user=user).values("startup")
    managed = Startup.objects.managed_by(user).values("pk")
    products = Startup.objects.filter(Q(pk__in=team) | Q(pk__in=managed)).active()
    return products.order_by("name"), Incubator.objects.managed_by(user).order_by("title")


class ForStartupView(TemplateView):
    """What a product may use, by its phase and its sponsors' organisation types, with its requests."""

    template_name = "community/for_startup.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        user = self.request.user
        startup = get_object_or_404(
            Startup.objects.visible_to(user).select_related("incubator"), slug=self.kwargs["slug"]
        )
        types = sponsor_types(startup)
        eligible = list(Resource.objects.published().eligible_for(startup, types).for_list())
        requests = ResourceRequest.objects.filter(startup=startup, resource__in=[r.pk for r in eligible])
        latest = {}
        for resource_request in requests.order_by("submitted_at"):
            latest[resource_request.resource_id] = resource_request
        categories = {}
        for resource in eligible:
            resource.latest_request = latest.get(resource.pk)
            categories.setdefault(resource.category, []).append(resource)
        return super().get_context_data(
            startup=startup,
            organisation_types=types,
            categories=categories.items(),
            count=len(eligible),
            can_request=user.has_perm("community.request_for_startup", startup),
            **kwargs,
        )


# Requests ------------------------------------------------------------------------------------------


class RequestCreateView(FormView):
    """Request an on-request resource for a product or an incubator. Other access modes are refused
    with the reason (and how to get it), before any form."""

    template_name = "community/request_form.html"
    form_class = RequestForm

    def dispatch(self, request, *args, **kwargs):
        self.resource = get_object_or_404(Resource.objects.published().for_list(), slug=kwargs["slug"])
        self.blocker = services.request_blocker(self.resource)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.blocker is not None:
            return self.render_to_response(self.get_context_data(form=None), status=400)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.blocker is not None:
            return self.render_to_response(self.get_context_data(form=None), status=400)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        startups, incubators = requester_targets(self.request.user)
        return {**super().get_form_kwargs(), "startups": startups, "incubators": incubators}

    def get_initial(self):
        product = self.request.GET.get("pour")
        return {"target": f"{STARTUP_PREFIX}{product}"} if product else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(resource=self.resource, blocker=self.blocker, **kwargs)
        form = context.get("form")
        context["has_targets"] = form is not None and len(form.fields["target"].choices) > 1
        return context

    def form_valid(self, form):
        target = form.cleaned_data["target"]
        try:
            created = services.request_resource(
                resource=self.resource, actor=self.request.user, message=form.cleaned_data["message"], **target
            )
        except ValidationError as error:
            form.add_error("target", error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request,
            _("Your request is sent. The handler is told and you will get an email at each step."),
        )
        return redirect(created)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MyRequestsView(FilteredListMixin, ListView):
    """ "Mes demandes": the requests of the user's products and incubators, open ones first."""

    template_name = "community/my_requests.html"
    http_method_names = ["get", "head"]
    filterset_class = RequestFilter
    context_object_name = "requests"

    def get_base_queryset(self):
        return ResourceRequest.objects.of_requester(self.request.user).for_list()

    def get_filterset(self, queryset):
        resources = Resource.objects.filter(pk__in=queryset.values("resource")).order_by("title")
        return self.filterset_class(self.request.GET or None, queryset=queryset, resources=resources)

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)


class QueueMixin:
    """The handler's queue: the requests of the resources the user answers (403 for anyone else)."""

    def dispatch(self, request, *args, **kwargs):
        self.resources = Resource.objects.handled_by(request.user).order_by("title")
        if not request.user.is_network_admin and not self.resources.exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return ResourceRequest.objects.queue_of(self.request.user).for_list().order_by("submitted_at", "pk")

    def get_filterset(self, queryset):
        return RequestFilter(self.request.GET or None, queryset=queryset, resources=self.resources)


class QueueView(QueueMixin, FilteredListMixin, ListView):
    template_name = "community/queue.html"
    http_method_names = ["get", "head"]
    filterset_class = RequestFilter
    context_object_name = "requests"

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)


class QueueExportView(QueueMixin, FilteredListMixin, ListView):
    """The queue as a CSV file, with the same filters."""

    http_method_names = ["get", "head"]
    filterset_class = RequestFilter
    paginate_by = None

    def render_to_response(self, context, **kwargs):
        if self.filterset.is_bound and not self.filterset.is_valid():
            return HttpResponse(status=400)
        now = timezone.now()
        header = [
            _("Resource"),
            _("For"),
            _("Incubator"),
            _("Requested by"),
            _("Submitted on"),
            _("Status"),
            _("Age (days)"),
            _("Page"),
        ]
        rows = (
            [
                resource_request.resource.title,
                resource_request.target_name,
                resource_request.incubator.title,
                str(resource_request.requester or ""),
                timezone.localtime(resource_request.submitted_at).date().isoformat(),
                resource_request.get_status_display(),
                resource_request.age_days(now),
                self.request.build_absolute_uri(resource_request.get_absolute_url()),
            ]
            for resource_request in context["object_list"]
        )
        return csv_response(f"demandes-{timezone.localdate():%Y-%m-%d}.csv", header, rows, request=self.request)


def get_request(request, pk):
    """A request the user can see (404 otherwise)."""
    queryset = ResourceRequest.objects.visible_to(request.user).for_list()
    return get_object_or_404(queryset, pk=pk)


class RequestDetailView(TemplateView):
    template_name = "community/request_detail.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        resource_request = get_request(self.request, self.kwargs["pk"])
        can_handle = self.request.user.has_perm("community.handle_request", resource_request)
        comments = resource_request.comments.select_related("author")
        return super().get_context_data(
            resource_request=resource_request,
            resource=resource_request.resource,
            comments=comments,
            can_handle=can_handle,
            transition_form=TransitionForm(resource_request=resource_request)
            if can_handle and resource_request.next_statuses
            else None,
            comment_form=CommentForm(),
            now=timezone.now(),
            **kwargs,
        )


@require_POST
def request_transition(request, pk):
    """The handler moves the request (the map decides which moves exist; a forged status changes nothing)."""
    resource_request = get_request(request, pk)
    if not request.user.has_perm("community.handle_request", resource_request):
        raise PermissionDenied
    form = TransitionForm(request.POST, resource_request=resource_request)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(resource_request)
    try:
        services.transition_request(
            resource_request, form.cleaned_data["to"], actor=request.user, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("The request is now %(status)s; the requester is told by email.")
            % {"status": resource_request.get_status_display().lower()},
        )
    return redirect(resource_request)


@require_POST
def request_comment(request, pk):
    resource_request = get_request(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_request(resource_request=resource_request, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Your comment is added."))
    else:
        messages.error(request, " ".join(form.errors["body"]))
    return redirect(resource_request)


# Events --------------------------------------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class EventListView(FilteredListMixin, ListView):
    """The events: the public ones for visitors, those of the person's audience once signed in."""

    template_name = "community/event_list.html"
    http_method_names = ["get", "head"]
    filterset_class = EventFilter
    context_object_name = "events"

    def get_base_queryset(self):
        user = self.request.user
        return Event.objects.visible_to(user).for_list(user)


def visible_events(request):
    return Event.objects.visible_to(request.user).select_related("audience_incubator", "organiser")


@method_decorator(login_not_required, name="dispatch")
class EventDetailView(DetailView):
    template_name = "community/event_detail.html"
    http_method_names = ["get", "head"]
    context_object_name = "event"

    def get_queryset(self):
        return visible_events(self.request).with_seats()

    def get_context_data(self, **kwargs):
        event, user = self.object, self.request.user
        registration = None
        if user.is_authenticated:
            registration = Registration.objects.active().filter(event=event, user=user).first()
        return super().get_context_data(
            registration=registration,
            rank=services.waiting_rank(registration) if registration and registration.position else None,
            seats_left=event.seats_left,
            in_audience=Event.objects.open_to(user).filter(pk=event.pk).exists(),
            blocker=services.registration_blocker(event),
            can_see_attendance=user.has_perm("community.see_attendance", event),
            **kwargs,
        )


@require_POST
def event_register(request, slug):
    event = get_object_or_404(visible_events(request), slug=slug)
    if not Event.objects.open_to(request.user).filter(pk=event.pk).exists():
        messages.error(
            request, _("This event is for %(audience)s: you cannot register.") % {"audience": event.audience_label}
        )
        return redirect(event)
    try:
        registration = services.register(event=event, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(
                request, _("You are registered: your seat is confirmed and the invitation is in your mailbox.")
            )
        else:
            messages.warning(
                request,
                _(
                    "The event is full: you are number %(rank)s on the waiting list. "
                    "You will get an email if a seat frees up."
                )
                % {"rank": services.waiting_rank(registration)},
            )
    return redirect(event)


@require_POST
def event_cancel(request, slug):
    """Cancel one's registration (asked first in a dialog); the freed seat goes to the waiting list."""
    event = get_object_or_404(visible_events(request), slug=slug)
    registration = Registration.objects.active().filter(event=event, user=request.user).first()
    if registration is None:
        messages.error(request, _("You are not registered for this event."))
        return redirect(event)
    try:
        services.cancel_registration(registration=registration, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(event)


@login_not_required
@require_safe
def event_ics(request, slug):
    event = get_object_or_404(visible_events(request), slug=slug)
    response = HttpResponse(calendar_for([event]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evenement-{event.pk}.ics"'
    return response


def attended_event(request, slug):
    """An event the user organises (network admins: any); another one is a 404."""
    return get_object_or_404(Event.objects.organised_by(request.user).with_seats(), slug=slug)


def attendance(event):
    return (
        Registration.objects.filter(event=event)
        .select_related("user")
        .order_by("status", "position", "created_at", "pk")
    )


class AttendanceView(TemplateView):
    """The organiser's list: the seats, the waiting list in its order, the cancellations."""

    template_name = "community/attendance.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        event = attended_event(self.request, self.kwargs["slug"])
        registrations = list(attendance(event))
        by_status = {status: [r for r in registrations if r.status == status] for status in Registration.Status}
        return super().get_context_data(
            event=event,
            confirmed=by_status[Registration.Status.CONFIRMED],
            waitlisted=by_status[Registration.Status.WAITLISTED],
            cancelled=by_status[Registration.Status.CANCELLED],
            **kwargs,
        )


@require_safe
def attendance_export(request, slug):
    event = attended_event(request, slug)
    header = [_("Name"), _("Email"), _("Status"), _("Place on the waiting list"), _("Registered at")]
    rows = (
        [
            str(registration.user),
            registration.user.email,
            registration.get_status_display(),
            registration.position or "",
            timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for registration in attendance(event)
    )
    return csv_response(f"participants-{event.slug}.csv", header, rows, request=request)


@require_POST
def dismiss_suggestion(request, slug, resource):
    """Stop suggesting ``resource`` for the product to this person (``community.suggestions``); a
    product the person may not see is a 404. Back to the page the form names, if it is ours."""
    startup = get_object_or_404(Startup.objects.visible_to(request.user), slug=slug)
    resource = get_object_or_404(Resource.objects.published(), slug=resource)
    DismissedSuggestion.objects.get_or_create(user=request.user, startup=startup, resource=resource)
    messages.success(request, _("This suggestion will no longer be shown for %(name)s.") % {"name": startup.name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("portfolio:startup_detail", kwargs={"slug": startup.slug})
    return redirect(target)

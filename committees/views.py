"""Committee pages: the calendar, planning, the committee page, documents, the decision, calendars.

Every view starts from ``Committee.objects.visible_to(user)`` (or the product's ``visible_to``):
a committee the user may not see (another incubator's, or their own incubator's for a coach, a
juror or a viewer) is a 404; a django-rules permission refuses an action with a 403.
"""

import datetime
import secrets
from pathlib import PurePath
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.generic import CreateView, FormView, ListView, TemplateView

from incubator import audit, registry
from incubator.ics import ics_file
from incubator.lists import FilteredListMixin
from incubator.mail import absolute_url
from portfolio.models import Measurement, Startup
from portfolio.views import StartupMixin

from . import cadence, services
from .contributions import COMMITTEE_PAGE, Schedule, with_schedule
from .filters import SECTIONS, CommitteeFilter, section_counts
from .forms import (
    ALLOWED_DOCUMENT_TYPES,
    AttendeeFormSet,
    CommitteeForm,
    DecisionForm,
    DocumentForm,
    DueDateForm,
    FollowUpForm,
)
from .models import CalendarFeed, Committee, CommitteeDocument, Decision

ATTENDEES_PREFIX = "attendees"
# Where an error of services.record_decision goes on the form (None: above the form).
DECISION_ERROR_FIELDS = {
    "date": "decided_on",
    "future": "decided_on",
    "start": "decided_on",
    "next_phase": "next_phase",
    "too_long": "granted_months",
    "beyond_rule_reason": "beyond_rule_reason",
}
# Where an error of cadence.set_due_date goes on the due date's form.
DUE_DATE_ERROR_FIELDS = {"too_long": "due", "beyond_rule_reason": "beyond_rule_reason"}
FEED_HISTORY = datetime.timedelta(days=365)
# The calendar lists the most overdue products; the portfolio list holds them all.
OVERDUE_SHOWN = 10


def visible_committees(user):
    return Committee.objects.visible_to(user).select_related(
        "startup", "startup__incubator", "decision", "decision__recorded_by", "created_by"
    )


def get_committee(request, pk, permission=None):
    """The committee if the user can see it (404 otherwise) and holds ``permission`` on it (403 otherwise)."""
    committee = get_object_or_404(visible_committees(request.user), pk=pk)
    if permission and not request.user.has_perm(permission, committee):
        raise PermissionDenied
    return committee


def decision_of(committee):
    return getattr(committee, "decision", None)


def decision_blocker(committee):
    """Why the committee cannot receive a decision now, a ValidationError (None: it can). The service
    checks again on POST."""
    return services.decision_blocker(committee, has_decision=decision_of(committee) is not None)


class CommitteeMixin:
    """A view of one committee: fetched once, visibility and ``permission`` checked."""

    permission = None

    def get_committee(self):
        if not hasattr(self, "committee"):
            self.committee = get_committee(self.request, self.kwargs["pk"], self.permission)
        return self.committee

    def get_context_data(self, **kwargs):
        committee = self.get_committee()
        return super().get_context_data(committee=committee, startup=committee.startup, **kwargs)


def overdue_startups(user, incubator=None):
    """Active products past due with no committee since (``contributions.with_schedule``, as the
    portfolio says) and none planned ahead, the most overdue first. Each row carries
    ``overdue_total``, how many there are (a window count: a slice of rows and the count in one query)."""
    scope = Startup.objects.visible_to(user)
    if incubator is not None:
        scope = scope.filter(Q(incubator=incubator) | Q(other_incubators=incubator))
    startups = with_schedule(Startup.objects.active().filter(pk__in=scope.values("pk")))  # no join: no duplicate
    return (
        # The due date's plain test first: the planner reads the products past due from it (the
        # ``is_overdue`` flag alone hides it in a CASE and joins 10 times more rows).
        startups.filter(next_committee_due__lt=timezone.localdate(), is_overdue=True, next_committee_at__isnull=True)
        .annotate(overdue_total=Window(Count("pk")))
        .select_related("incubator")
        .order_by("next_committee_due", "name")
    )


def overdue_summary(user, incubator=None):
    """The calendar's overdue callout: the first ``OVERDUE_SHOWN`` products, their number, the
    portfolio list of them all, and those the user may plan a committee for (2 queries, 1 if none)."""
    overdue = list(overdue_startups(user, incubator)[:OVERDUE_SHOWN])
    total = overdue[0].overdue_total if overdue else 0
    query = {"committee": Schedule.OVERDUE, **({"incubator": incubator.slug} if incubator else {})}
    managed = Startup.objects.managed_by(user).filter(pk__in=[startup.pk for startup in overdue])
    return {
        "overdue": overdue,
        "overdue_total": total,
        "overdue_list_url": f"{reverse('portfolio:startup_list')}?{urlencode(query)}",
        "managed_overdue": set(managed.values_list("pk", flat=True)) if overdue else set(),
    }


class CommitteeListView(FilteredListMixin, ListView):
    """The calendar: sections (upcoming, to hold, held, cancelled), filters, the overdue products."""

    template_name = "committees/committee_list.html"
    http_method_names = ["get", "head"]
    filterset_class = CommitteeFilter
    context_object_name = "committees"

    def get_base_queryset(self):
        return Committee.objects.visible_to(self.request.user)

    def get_page_rows(self, ids):
        """The page's committees with what the table shows (``incubator.lists``: the page is cut on
        the ids, counted in the same query, both kept with the page)."""
        return Committee.objects.filter(pk__in=ids).for_list()

    def get_filterset(self, queryset):
        return self.filterset_class(self.request.GET, queryset=queryset, user=self.request.user)

    def get_context_data(self, **kwargs):
        # The page's content is kept for the person ({% kept %}): the sections' counts and the
        # overdue products are read only when it is drawn.
        user = self.request.user
        valid = self.filterset.is_valid()
        incubator = self.filterset.form.cleaned_data.get("incubator") if valid else None

        def sections():
            counts = section_counts(Committee.objects.visible_to(user))
            return [(value, label, counts[value]) for value, label in SECTIONS]

        return super().get_context_data(
            sections=SimpleLazyObject(sections),
            section=self.filterset.data.get("section"),
            overdue_summary=SimpleLazyObject(lambda: overdue_summary(user, incubator)),
            **kwargs,
        )


class CommitteePlanView(StartupMixin, FormView):
    """Plan a committee of a product: the committee, the request and the attendees (pre-filled, editable)."""

    template_name = "committees/committee_plan.html"
    form_class = CommitteeForm
    permission = "committees.plan_committee"

    def get_initial(self):
        # The kind of a committee held today (the first of an investigation ends it), as the demo reads it.
        return {"kind": services.usual_kind(self.get_startup(), timezone.localdate()), "requested_months": 6}

    def get_invitation_plan(self):
        if not hasattr(self, "invitation_plan"):
            self.invitation_plan = services.invitation_plan(self.get_startup())
        return self.invitation_plan

    def get_formset(self):
        if self.request.method == "POST":
            return AttendeeFormSet(self.request.POST, prefix=ATTENDEES_PREFIX)
        return AttendeeFormSet(initial=self.get_invitation_plan().attendees, prefix=ATTENDEES_PREFIX)

    def get_context_data(self, **kwargs):
        if "formset" not in kwargs:
            kwargs["formset"] = self.get_formset()
        return super().get_context_data(invitation_plan=self.get_invitation_plan(), **kwargs)

    def post(self, request, *args, **kwargs):
        startup = self.get_startup()
        form, formset = self.get_form(), self.get_formset()
        if form.is_valid() & formset.is_valid():  # both validated: every error shows at once
            try:
                committee = services.plan_committee(
                    startup=startup, actor=request.user, attendees=formset.attendees(), **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error("scheduled_at", error)
            else:
                messages.success(request, _("The committee is planned and the invitations are on their way."))
                return redirect(committee)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


def checklist(contents):
    """[(label, covered)] for the network's checklist of a committee deck."""
    return [(label, value in contents) for value, label in CommitteeDocument.Content.choices]


def covered_labels(contents):
    return [label for label, covered in checklist(contents) if covered]


def indicators_since(startup, since=None):
    """The product's indicators with their latest measurement and, when ``since`` (the previous
    committee's day) is given, the value known then (``baseline_*``) and how many were measured
    after it (``measured_since``): one query, whatever the number of measurements."""
    mine = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-date", "-pk")
    indicators = startup.indicators.annotate(
        latest_value=Subquery(mine.values("value")[:1]), latest_date=Subquery(mine.values("date")[:1])
    )
    if since is None:
        return indicators
    before = mine.filter(date__lte=since)
    after = mine.filter(date__gt=since).order_by().values("indicator").annotate(n=Count("pk")).values("n")
    return indicators.annotate(
        baseline_value=Subquery(before.values("value")[:1]),
        baseline_date=Subquery(before.values("date")[:1]),
        measured_since=Coalesce(Subquery(after, output_field=IntegerField()), Value(0)),
    )


def previous_committee(committee):
    """The product's last committee held before ``committee``, with its decision (one query): the
    promise the committee checks the delivery against."""
    held = Committee.objects.filter(
        startup_id=committee.startup_id, status=Committee.Status.HELD, scheduled_at__lt=committee.scheduled_at
    )
    return held.select_related("decision").order_by("-scheduled_at", "-pk").first()


class CommitteeDetailView(CommitteeMixin, TemplateView):
    """The agenda, the request, the indicators, the attendees, the documents and the decision."""

    template_name = "committees/committee_detail.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        committee, user = self.get_committee(), self.request.user
        manages = user.has_perm("committees.manage_committee", committee)
        documents = list(committee.documents.select_related("uploaded_by"))
        decision = decision_of(committee)
        blocker = decision_blocker(committee)
        previous = previous_committee(committee)
        return super().get_context_data(
            decision=decision,
            attendees=committee.attendees.all(),
            documents=[(document, covered_labels(document.contents)) for document in documents],
            coverage=checklist({content for document in documents for content in document.contents}),
            previous=previous,
            previous_decision=decision_of(previous) if previous else None,
            indicators=indicators_since(committee.startup, previous.local_date if previous else None),
            panels=registry.panels_for(COMMITTEE_PAGE, committee, user),
            can_manage=manages,
            can_upload=committee.accepts_documents and (manages or user.has_perm("committees.add_document", committee)),
            can_decide=manages and blocker is None,
            decision_not_started=manages and blocker is not None and blocker.code == "not_started",
            can_cancel=manages and committee.can_cancel,
            follow_up_form=FollowUpForm(instance=decision) if manages and decision else None,
            **kwargs,
        )


class DocumentUploadView(CommitteeMixin, CreateView):
    template_name = "committees/document_form.html"
    form_class = DocumentForm
    permission = "committees.add_document"

    def dispatch(self, request, *args, **kwargs):
        if not self.get_committee().accepts_documents:
            messages.error(request, _("This committee was cancelled: no document can be added."))
            return redirect(self.get_committee())
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        form.instance.committee = self.get_committee()
        form.instance.uploaded_by = self.request.user
        document = form.save()
        audit.record(audit.Action.DOCUMENT_UPLOADED, document, actor=self.request.user)
        messages.success(self.request, _("The document %(name)s was added.") % {"name": document.original_name})
        return redirect(self.get_committee())


def download_name(document):
    """The original name, with the extension of the type read from the content."""
    extension = PurePath(document.file.name).suffix.lower()
    name = document.original_name
    return name if name.lower().endswith(extension) else f"{name}{extension}"


@require_safe
def document_download(request, pk):
    """Documents are served here only, to those who can see the committee (never from MEDIA_URL)."""
    document = get_object_or_404(CommitteeDocument.objects.visible_to(request.user), pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = ALLOWED_DOCUMENT_TYPES.get(PurePath(document.file.name).suffix.lstrip("."))
    audit.record(audit.Action.DOCUMENT_DOWNLOADED, document, actor=request.user)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(document),
        content_type=content_type or "application/octet-stream",
    )


class DecisionView(CommitteeMixin, FormView):
    template_name = "committees/decision_form.html"
    form_class = DecisionForm
    permission = "committees.record_decision"

    def get(self, request, *args, **kwargs):
        committee = self.get_committee()
        blocker = decision_blocker(committee)
        if blocker is not None and blocker.code == "not_started":  # the page says when it opens
            return self.render_to_response(self.get_context_data(form=None, not_started=blocker.messages[0]))
        if blocker is not None:
            messages.error(request, blocker.messages[0])
            return redirect(committee)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "phases": services.next_phase_choices(self.get_committee().startup)}

    def form_valid(self, form):
        committee = self.get_committee()
        try:
            decision = services.record_decision(committee=committee, actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(DECISION_ERROR_FIELDS.get(error.code), error)
            return self.form_invalid(form)
        messages.success(self.request, decision.summary)
        return redirect(committee)


@require_POST
def decision_follow_up(request, pk):
    committee = get_committee(request, pk, "committees.manage_committee")
    decision = get_object_or_404(Decision, committee=committee)
    form = FollowUpForm(request.POST, instance=decision)
    form.is_valid()  # three boxes: always valid
    decision._history_user = request.user
    decision.save(update_fields=FollowUpForm.Meta.fields)
    messages.success(request, _("The follow-up of the decision was saved."))
    return redirect(committee)


@require_http_methods(["GET", "POST"])
def committee_cancel(request, pk):
    """GET, or a POST sent without JavaScript (``ask``): the confirmation page; a POST: cancel."""
    committee = get_committee(request, pk, "committees.cancel_committee")
    if not committee.can_cancel:
        messages.error(request, _("Only a planned committee can be cancelled."))
        return redirect(committee)
    if request.method == "GET" or "ask" in request.POST:
        return render(request, "committees/committee_cancel.html", {"committee": committee})
    try:
        services.cancel_committee(committee=committee, actor=request.user)
    except ValidationError as error:  # decided or cancelled in another tab meanwhile
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The committee was cancelled."))
    return redirect(committee)


@require_safe
def committee_ics(request, pk):
    committee = get_committee(request, pk)
    response = HttpResponse(services.calendar_for([committee]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="comite-{committee.pk}.ics"'
    return response


class DueDateView(StartupMixin, FormView):
    """A manager moves the product's next committee due date, with a reason kept in its history."""

    template_name = "committees/due_date_form.html"
    form_class = DueDateForm
    permission = "committees.change_committee_due"

    def get_initial(self):
        return {"due": self.get_startup().next_committee_due}

    def get_context_data(self, **kwargs):
        startup = self.get_startup()
        return super().get_context_data(allowed_months=cadence.months_allowed(startup.phase), **kwargs)

    def form_valid(self, form):
        startup = self.get_startup()
        try:
            cadence.set_due_date(startup=startup, actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(DUE_DATE_ERROR_FIELDS.get(error.code), error)
            return self.form_invalid(form)
        messages.success(self.request, _("The next committee due date was changed."))
        return redirect(startup)


class MyCalendarView(TemplateView):
    """The user's secret calendar address, once created (a button, a POST, creates it: a GET changes nothing)."""

    template_name = "committees/my_calendar.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        feed = CalendarFeed.objects.filter(user=self.request.user).first()
        return super().get_context_data(feed_url=absolute_url(feed.get_absolute_url()) if feed else None, **kwargs)


@require_POST
def calendar_feed_renew(request):
    """Create the user's calendar address, or replace it (the previous one stops working)."""
    feed, created = CalendarFeed.objects.get_or_create(user=request.user, defaults={"token": secrets.token_urlsafe(32)})
    if created:
        messages.success(request, _("Your calendar address is ready: subscribe to it in your calendar application."))
    else:
        feed.renew()
        messages.success(request, _("Your calendar has a new address: the previous one no longer works."))
    return redirect("committees:my_calendar")


@login_not_required
@require_safe
def calendar_feed(request, token):
    """The personal feed: public to whoever holds the token; an unknown or revoked token is a 404.
    It holds the events of every calendar source (``incubator.registry``): the person's committees,
    and what the other apps registered (community events)."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token, user__is_active=True)
    events = registry.calendar_events(feed.user, timezone.now() - FEED_HISTORY)
    ics = ics_file(events, prodid="-//Portail des incubateurs//Mon agenda//FR", name=_("My portal calendar"))
    return HttpResponse(ics, content_type="text/calendar; charset=utf-8")

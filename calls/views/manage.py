"""Call pages for the managers: the calls and their funnel, the applications across the calls (what
the funnels count, stage by stage), pre-selection, selection day, results, onboarding.

Everything starts from ``Call.objects.managed_by(user)``: another incubator's call or application
is a 404 for GET and POST alike; the rules of ``calls/rules.py`` then decide what may be done.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import FormView, ListView, TemplateView

from incubator.exports import csv_response
from incubator.lists import FilteredListMixin
from incubator.models import Incubator, OutboxMessage

from .. import services
from ..filters import FUNNEL, RANKED_STATUSES, ApplicationListFilter, RankingFilter
from ..forms import (
    BulkPreselectionForm,
    CallForm,
    CallStatusForm,
    DecisionForm,
    JurorsForm,
    OnboardForm,
    QuestionFormSet,
    product_name_from,
)
from ..models import Application, Call, JuryScore, Pitch

STATUS_ACTIONS = {
    Call.Status.PUBLISHED: gettext_lazy("Publish"),
    Call.Status.DRAFT: gettext_lazy("Back to draft"),
    Call.Status.CLOSED: gettext_lazy("Close the call"),
    Call.Status.PRESELECTION_DONE: gettext_lazy("Mark the pre-selection done"),
    Call.Status.SELECTION_DONE: gettext_lazy("Mark the selection done"),
    Call.Status.ARCHIVED: gettext_lazy("Archive"),
}


def with_funnel(calls):
    return calls.annotate(
        **{name: Count("applications", filter=Q(applications__status__in=s)) for name, s in FUNNEL.items()}
    )


def get_call(request, slug, queryset=None):
    """The call from those the user manages (else 404), if the rule allows it (else 403)."""
    call = get_object_or_404(queryset or Call.objects.managed_by(request.user).for_list(), slug=slug)
    if not request.user.has_perm("calls.manage_call", call):
        raise PermissionDenied
    return call


def get_application(request, pk):
    calls = Call.objects.managed_by(request.user)
    application = get_object_or_404(
        Application.objects.filter(call__in=calls).select_related("call", "call__incubator", "applicant"), pk=pk
    )
    if not request.user.has_perm("calls.manage_call", application.call):
        raise PermissionDenied
    return application


def managed_incubators(user):
    return Incubator.objects.managed_by(user).order_by("title")


class CallMixin:
    """A view about one managed call (``slug`` in the URL)."""

    def get_call(self):
        if not hasattr(self, "call"):
            self.call = get_call(self.request, self.kwargs["slug"])
        return self.call

    def get_context_data(self, **kwargs):
        return super().get_context_data(call=self.get_call(), **kwargs)


class CallListView(ListView):
    """The calls the user runs, with their funnel (one query for the page, whatever its length)."""

    template_name = "calls/manage/call_list.html"
    context_object_name = "calls"
    paginate_by = 25

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("calls.manage_calls"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        calls = Call.objects.managed_by(self.request.user).for_list()
        if slug := self.request.GET.get("incubator"):  # a dashboard's call funnel: that incubator's calls
            calls = calls.filter(incubator__slug=slug)
        return with_funnel(calls).order_by("-opens_at", "pk")


class ApplicationListView(FilteredListMixin, ListView):
    """The applications to the calls the user runs (network admins: all), the latest submitted
    first (drafts last), filtered by incubator, call and funnel stage (``ApplicationListFilter``):
    each stage of a funnel (a call's, an incubator's dashboard, the cockpit) links here to exactly
    the applications it counts. The same few queries whatever the page's length."""

    template_name = "calls/manage/application_list.html"
    filterset_class = ApplicationListFilter
    context_object_name = "applications"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("calls.manage_calls"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filterset(self, queryset):
        return self.filterset_class(self.request.GET or None, queryset=queryset, user=self.request.user)

    def get_base_queryset(self):
        return Application.objects.managed_by(self.request.user).for_list().newest_first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(breadcrumb=[(_("Calls I manage"), reverse("calls:manage_call_list"))], **kwargs)


class CallDashboardView(CallMixin, TemplateView):
    """One call: its funnel, the moves of its status, and the way to each stage."""

    template_name = "calls/manage/call_dashboard.html"

    def get_call(self):
        if not hasattr(self, "call"):
            calls = with_funnel(Call.objects.managed_by(self.request.user).for_list())
            self.call = get_call(self.request, self.kwargs["slug"], calls)
        return self.call

    def get_context_data(self, **kwargs):
        call = self.get_call()
        # (status, button, one click: publishing, the way back: to a draft), the way back last.
        moves = [
            (to, STATUS_ACTIONS[to], to == Call.Status.PUBLISHED, to == Call.Status.DRAFT)
            for to in call.next_statuses()
        ]
        return super().get_context_data(
            moves=moves,
            history=services.status_history(call),
            jurors=call.jurors.order_by("last_name", "first_name"),
            questions=call.questions.all(),
            **kwargs,
        )


class CallFormView(TemplateView):
    """Create (no ``slug``) or edit a call with its questions."""

    template_name = "calls/manage/call_form.html"

    def dispatch(self, request, *args, **kwargs):
        if "slug" in kwargs:
            self.object = get_call(request, kwargs["slug"])
        elif request.user.has_perm("calls.manage_calls"):
            self.object = Call(created_by=request.user)
        else:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_forms(self, data=None, files=None):
        user = self.request.user
        form = CallForm(
            data, files, instance=self.object, incubators=managed_incubators(user), network_wide=user.is_network_admin
        )
        return form, QuestionFormSet(data, instance=self.object, prefix="questions")

    def get(self, request, *args, **kwargs):
        form, formset = self.get_forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.get_forms(request.POST, request.FILES)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        with transaction.atomic():
            call = form.save()
            formset.instance = call
            formset.save()
        messages.success(request, _("The call %(title)s was saved.") % {"title": call.title})
        return redirect("calls:manage_call", slug=call.slug)

    def get_context_data(self, **kwargs):
        return super().get_context_data(call=self.object if self.object.pk else None, **kwargs)


def status_consequences(call, to, now=None):
    """What moving ``call`` to ``to`` does, sentence by sentence, for its confirmation page."""
    counts = call.applications.aggregate(
        drafts=Count("pk", filter=Q(status=Application.Status.DRAFT)),
        submitted=Count("pk", filter=Q(status=Application.Status.SUBMITTED)),
        undecided=Count("pk", filter=Q(status__in=Application.ON_STAGE_STATUSES)),
        in_progress=Count("pk", filter=Q(status__in=Application.EDITABLE_STATUSES)),
    )
    lines = []
    if to == Call.Status.CLOSED:
        lines.append(_("Applicants can no longer submit nor change their application."))
        lines.append(
            ngettext(
                "%(count)s draft will never be submitted.",
                "%(count)s drafts will never be submitted.",
                counts["drafts"],
            )
            % {"count": counts["drafts"]}
        )
        if services.closes_early(call, to, now):
            lines.append(
                _("The call was announced until %(date)s: you close it before its deadline, say why below.")
                % {"date": services.deadline_label(call)}
            )
    elif to == Call.Status.DRAFT:
        lines.append(_("The call leaves the public list and its page no longer answers."))
        lines.append(
            ngettext(
                "%(count)s applicant (draft or submitted) can no longer open their application until the call "
                "is published again.",
                "%(count)s applicants (drafts or submitted) can no longer open their application until the call "
                "is published again.",
                counts["in_progress"],
            )
            % {"count": counts["in_progress"]}
        )
    elif to == Call.Status.PRESELECTION_DONE:
        lines.append(
            ngettext(
                "%(count)s submitted application has no pre-selection result yet.",
                "%(count)s submitted applications have no pre-selection result yet.",
                counts["submitted"],
            )
            % {"count": counts["submitted"]}
        )
    elif to == Call.Status.SELECTION_DONE:
        lines.append(
            ngettext(
                "%(count)s shortlisted application has no decision yet.",
                "%(count)s shortlisted applications have no decision yet.",
                counts["undecided"],
            )
            % {"count": counts["undecided"]}
        )
    elif to == Call.Status.ARCHIVED:
        lines.append(_("The call is archived: nothing about it can change any more."))
    lines.append(_("No email is sent to anyone."))
    if to not in (Call.Status.PUBLISHED, Call.Status.DRAFT):
        lines.append(_("This cannot be undone."))
    return lines


class CallStatusView(CallMixin, FormView):
    """Move the call to ``to`` along its state machine: publishing is one click (a POST from the
    overview); every other move is confirmed first on this page (GET), which says what it does,
    then POSTed, with a reason (required to close before the deadline) kept in the call's history."""

    template_name = "calls/manage/confirm.html"
    form_class = CallStatusForm

    def dispatch(self, request, *args, **kwargs):
        call = self.get_call()
        self.to = kwargs["to"]
        if not call.may_become(self.to):
            messages.error(request, _("This call cannot take this status."))
            return redirect("calls:manage_call", slug=call.slug)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "early": services.closes_early(self.get_call(), self.to)}

    def form_valid(self, form):
        call = self.get_call()
        try:
            services.transition_call(call=call, to=self.to, actor=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason" if error.code == "early" else None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The call is now %(status)s.") % {"status": call.get_status_display().lower()})
        return redirect("calls:manage_call", slug=call.slug)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        call = self.get_call()
        return super().get_context_data(
            title=_("%(action)s: %(title)s?") % {"action": STATUS_ACTIONS[self.to], "title": call.title},
            consequences=status_consequences(call, self.to),
            action_url=reverse("calls:manage_call_status", args=[call.slug, self.to]),
            confirm_label=STATUS_ACTIONS[self.to],
            cancel_url=reverse("calls:manage_call", args=[call.slug]),
            **kwargs,
        )


class JurorsView(CallMixin, FormView):
    template_name = "calls/manage/jurors_form.html"
    form_class = JurorsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "call": self.get_call()}

    def get_form(self, form_class=None):
        # The same people in the same order as the form's own list, found by primary key
        # (``Call.juror_candidates``): the form's query reads every account of the network.
        form = super().get_form(form_class)
        form.fields["jurors"].queryset = self.get_call().juror_candidates()
        return form

    def form_valid(self, form):
        call = self.get_call()
        call.jurors.set(form.selected())
        messages.success(self.request, _("The call has %(count)s jurors.") % {"count": call.jurors.count()})
        return redirect("calls:manage_call", slug=call.slug)


def ranked_applications(call):
    """The applications a manager ranks, by ticks: the ranking's rows and what its bulk action may touch.

    The ticks are the maintained count (``Application.tick_count``): no grouping, and the page
    of 25 comes off the index ``application_ranking_idx``.
    """
    return (
        call.applications.filter(status__in=RANKED_STATUSES).with_ticks().select_related("applicant", "call").ranked()
    )


def filter_params(data):
    """The ranking's filters found in ``data``, as (name, value) pairs to carry from page to page."""
    return [(name, data[name]) for name in RankingFilter.base_filters if data.get(name)]


class RankingView(CallMixin, FilteredListMixin, ListView):
    """Pre-selection: the submitted applications by ticks, each with a box; the chosen result goes to
    the ticked rows (or, chosen explicitly, to all the filtered ones) after a confirmation page."""

    template_name = "calls/manage/ranking.html"
    filterset_class = RankingFilter
    context_object_name = "applications"

    def get_base_queryset(self):
        return ranked_applications(self.get_call())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = context.get("paginator")
        context["bulk_form"] = BulkPreselectionForm(
            applications=Application.objects.none(), count=paginator.count if paginator else None
        )
        context["filter_params"] = filter_params(self.request.GET)
        return context


class PreselectionConfirmView(CallMixin, TemplateView):
    """The confirmation of a pre-selection result (GET, from the ranking's form), then the action (POST).

    It names the result, how many applications take it, who gets an email; before the call's
    deadline it says why it is refused (the service refuses it too).
    """

    template_name = "calls/manage/confirm.html"

    def choose(self, data):
        """(form, movable applications, how many chosen ones cannot move) from the ranking's choice."""
        ranked = ranked_applications(self.get_call())
        form = BulkPreselectionForm(data, applications=ranked)
        if not form.is_valid():
            return form, [], 0
        if form.cleaned_data["scope"] == BulkPreselectionForm.ALL:
            filterset = RankingFilter(data, queryset=ranked)
            if not filterset.is_valid():
                form.add_error(None, _("These filters are not valid."))
                return form, [], 0
            chosen = list(filterset.qs)
        else:
            chosen = list(ranked.filter(pk__in=[a.pk for a in form.cleaned_data["applications"]]))
        to = form.cleaned_data["to"]
        movable = [application for application in chosen if application.may_become(to)]
        return form, movable, len(chosen) - len(movable)

    def back(self, data):
        url = reverse("calls:manage_ranking", args=[self.get_call().slug])
        params = filter_params(data)
        return redirect(f"{url}?{urlencode(params)}" if params else url)

    def get(self, request, *args, **kwargs):
        if not request.GET:
            return self.render_to_response(self.get_context_data(form=None, movable=[], skipped=0))
        form, movable, skipped = self.choose(request.GET)
        if not form.is_valid():
            messages.error(request, " ".join(form.non_field_errors()) or _("Choose one of the offered results."))
            return self.back(request.GET)
        return self.render_to_response(self.get_context_data(form=form, movable=movable, skipped=skipped))

    def post(self, request, *args, **kwargs):
        form, movable, skipped = self.choose(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.non_field_errors()) or _("Choose one of the offered results."))
            return self.back(request.POST)
        to = Application.Status(form.cleaned_data["to"])
        try:
            services.preselect(applications=movable, to=to, actor=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("%(moved)s applications are now %(status)s; %(skipped)s could not change.")
                % {"moved": len(movable), "status": to.label.lower(), "skipped": skipped},
            )
        return self.back(request.POST)

    def get_context_data(self, *, form, movable, skipped, **kwargs):
        call = self.get_call()
        if form is None:  # nothing chosen yet: say where to choose
            return super().get_context_data(
                title=_("Pre-selection of %(title)s: confirm a result") % {"title": call.title},
                consequences=[],
                blocked=_("Nothing to confirm: choose a result and the applications on the pre-selection page."),
                cancel_url=reverse("calls:manage_ranking", args=[call.slug]),
                **kwargs,
            )
        to = Application.Status(form.cleaned_data["to"])
        blocked = ""
        try:
            services.check_preselection_allowed(call)
        except ValidationError as error:
            blocked = error.messages[0]
        if not blocked and not movable:
            blocked = _("None of the chosen applications can take this result.")
        consequences = [
            ngettext(
                "%(count)s application becomes %(status)s.",
                "%(count)s applications become %(status)s.",
                len(movable),
            )
            % {"count": len(movable), "status": to.label.lower()},
            ngettext(
                "%(count)s applicant receives an email that says so.",
                "%(count)s applicants receive an email that says so.",
                len(movable),
            )
            % {"count": len(movable)},
        ]
        if skipped:
            consequences.append(
                ngettext(
                    "%(count)s chosen application cannot take this result: it stays as it is.",
                    "%(count)s chosen applications cannot take this result: they stay as they are.",
                    skipped,
                )
                % {"count": skipped}
            )
        consequences.append(_("This cannot be undone."))
        data = self.request.GET
        hidden = [("to", to.value), ("scope", form.cleaned_data["scope"]), *filter_params(data)]
        hidden += [("applications", application.pk) for application in form.cleaned_data["applications"]]
        back = reverse("calls:manage_ranking", args=[call.slug])
        return super().get_context_data(
            title=_("Pre-selection of %(title)s: confirm the result “%(result)s”")
            % {"result": to.label.lower(), "title": call.title},
            consequences=consequences,
            recipients=[application.applicant for application in movable],
            blocked=blocked,
            action_url=reverse("calls:manage_preselect", args=[call.slug]),
            hidden=hidden,
            confirm_label=_("Confirm and email the applicants"),
            cancel_url=f"{back}?{urlencode(filter_params(data))}" if filter_params(data) else back,
            **kwargs,
        )


def score_table(pitches):
    """For each pitch: (pitch, [(criterion label, mean, spread)], overall mean), from the prefetched scores."""
    rows = []
    for pitch in pitches:
        summary, overall = services.score_summary(pitch.application.scores.all())
        cells = [(label, *summary.get(criterion, (None, None))) for criterion, label in JuryScore.Criterion.choices]
        rows.append((pitch, cells, overall))
    return rows


class SelectionView(CallMixin, TemplateView):
    """Selection day: the draw, the convocations, the scores, the decisions, the results."""

    template_name = "calls/manage/selection.html"

    def get_context_data(self, **kwargs):
        call = self.get_call()
        pitches = (
            Pitch.objects.filter(application__call=call)
            .select_related("application__applicant")
            .prefetch_related("application__scores")
            .order_by("order")
        )
        return super().get_context_data(
            rows=score_table(pitches),
            criteria=JuryScore.Criterion.choices,
            shortlisted=call.applications.filter(status=Application.Status.SHORTLISTED).count(),
            results=services.results_outbox(call).order_by("pk"),
            **kwargs,
        )


def confirmation_page(request, call, confirm):
    """The GET of an action of the selection day that cannot be undone: ``confirm(call)`` gives
    ``(title, consequences, recipients)``; the page's button POSTs to the same address."""
    title, consequences, recipients = confirm(call)
    context = {
        "call": call,
        "title": title,
        "consequences": [*consequences, _("This cannot be undone.")],
        "recipients": recipients,
        "action_url": request.path,
        "confirm_label": title,
        "cancel_url": reverse("calls:manage_selection", args=[call.slug]),
    }
    return render(request, "calls/manage/confirm.html", context)


def back_to_selection(request, call, *, refusal=None, success=""):
    """Say the refusal (a ValidationError) or ``success``, and go back to the selection page."""
    if refusal is not None:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, success)
    return redirect("calls:manage_selection", slug=call.slug)


def confirm_draw(call):
    count = call.applications.filter(status=Application.Status.SHORTLISTED).count()
    return (
        _("Draw the pitch order"),
        [
            ngettext(
                "%(count)s shortlisted application gets its pitch slot on %(date)s, in an order drawn at random.",
                "%(count)s shortlisted applications get their pitch slot on %(date)s, in an order drawn at random.",
                count,
            )
            % {"count": count, "date": formats.date_format(call.selection_on, "DATE_FORMAT")},
            _("The order cannot be drawn again."),
            _("No email is sent: the convocations are the next step."),
        ],
        [],
    )


def confirm_convoke(call):
    applicants = [
        pitch.application.applicant
        for pitch in Pitch.objects.filter(application__call=call).select_related("application__applicant")
    ]
    return (
        _("Send the convocations"),
        [
            ngettext(
                "%(count)s applicant receives their convocation by email, with a calendar file:",
                "%(count)s applicants receive their convocation by email, with a calendar file:",
                len(applicants),
            )
            % {"count": len(applicants)},
        ],
        applicants,
    )


def confirm_send_results(call):
    held = list(services.results_outbox(call).filter(status=OutboxMessage.Status.HELD).order_by("pk"))
    return (
        _("Send the results"),
        [
            ngettext(
                "%(count)s held result email is sent now:",
                "%(count)s held result emails are sent now:",
                len(held),
            )
            % {"count": len(held)},
        ],
        [", ".join(message.to) for message in held],
    )


@require_http_methods(["GET", "POST"])
def draw(request, slug):
    """Draw the pitch order of the shortlisted applications (a GET shows what it does first)."""
    call = get_call(request, slug)
    if request.method == "GET":
        return confirmation_page(request, call, confirm_draw)
    try:
        drawn = services.draw_pitches(call=call, actor=request.user)
    except ValidationError as error:
        return back_to_selection(request, call, refusal=error)
    count = len(drawn.applications.filter(pitch__isnull=False))
    return back_to_selection(
        request, call, success=_("The pitch order is drawn (%(count)s pitches).") % {"count": count}
    )


@require_http_methods(["GET", "POST"])
def convoke(request, slug):
    """Email each shortlisted applicant their pitch slot (a GET shows who first)."""
    call = get_call(request, slug)
    if request.method == "GET":
        return confirmation_page(request, call, confirm_convoke)
    try:
        count = services.convoke(call=call, actor=request.user)
    except ValidationError as error:
        return back_to_selection(request, call, refusal=error)
    return back_to_selection(request, call, success=_("%(count)s convocations are on their way.") % {"count": count})


@require_POST
def prepare_results(request, slug):
    """Prepare the selection results as held emails, for the manager to review."""
    call = get_call(request, slug)
    try:
        count = len(services.prepare_results(call=call, actor=request.user))
    except ValidationError as error:
        return back_to_selection(request, call, refusal=error)
    success = _("%(count)s result emails are ready: review them, then send them.") % {"count": count}
    return back_to_selection(request, call, success=success)


@require_http_methods(["GET", "POST"])
def send_results(request, slug):
    """Send the reviewed results (a GET shows which first)."""
    call = get_call(request, slug)
    if request.method == "GET":
        return confirmation_page(request, call, confirm_send_results)
    try:
        count = services.send_results(call=call, actor=request.user)
    except ValidationError as error:
        return back_to_selection(request, call, refusal=error)
    return back_to_selection(request, call, success=_("%(count)s result emails were sent.") % {"count": count})


@require_POST
def decide(request, pk):
    """Record a pitched (or shortlisted, then pitched) application as laureate or not selected."""
    application = get_application(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered decisions."))
        return redirect("calls:manage_selection", slug=application.call.slug)
    try:
        services.decide(application=application, to=form.cleaned_data["to"], actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect("calls:manage_selection", slug=application.call.slug)


class ApplicationManageView(TemplateView):
    """An application as its manager sees it, with the decision or the onboarding form."""

    template_name = "calls/manage/application_detail.html"

    def get_context_data(self, **kwargs):
        application = get_application(self.request, self.kwargs["pk"])
        summary, overall = services.score_summary(application.scores.all())
        cells = [(label, *summary.get(criterion, (None, None))) for criterion, label in JuryScore.Criterion.choices]
        return super().get_context_data(
            application=application,
            call=application.call,
            ticks=application.tick_count,
            answers=[(q, application.answers.get(str(q.pk))) for q in application.call.questions.all()],
            cells=cells,
            overall=overall,
            onboard_form=OnboardForm(initial={"name": product_name_from(application.problem)}),
            **kwargs,
        )


class OnboardView(FormView):
    """Create the laureate's product in investigation; a second press leads to the same product."""

    template_name = "calls/manage/onboard_form.html"
    form_class = OnboardForm

    def dispatch(self, request, *args, **kwargs):
        self.application = get_application(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"name": product_name_from(self.application.problem)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(application=self.application, call=self.application.call, **kwargs)

    def form_valid(self, form):
        try:
            startup = services.onboard(
                application=self.application,
                actor=self.request.user,
                name=form.cleaned_data["name"],
                sponsors=form.cleaned_data["sponsors"],
            )
        except ValidationError as error:
            messages.error(self.request, error.messages[0])
            return redirect("calls:manage_application", pk=self.application.pk)
        messages.success(self.request, _("%(name)s is in the portfolio, in investigation.") % {"name": startup.name})
        return redirect(startup.get_absolute_url())


EXPORT_COLUMNS = [
    gettext_lazy("Application"),
    gettext_lazy("Applicant"),
    gettext_lazy("Email"),
    gettext_lazy("Administration"),
    gettext_lazy("Service"),
    gettext_lazy("Status"),
    gettext_lazy("Submitted on"),
    gettext_lazy("Ticks"),
    *[label for _criterion, label in JuryScore.Criterion.choices],
    gettext_lazy("Mean score"),
]


@require_GET
def export_csv(request, slug):
    """The call's applications with their ticks and mean scores (the core's CSV writer: no formulas)."""
    call = get_call(request, slug)
    applications = (
        call.applications.filter(status__in=RANKED_STATUSES)
        .with_ticks()
        .select_related("applicant")
        .prefetch_related("scores")
        .ranked()
    )
    return csv_response(
        f"{call.slug}-{timezone.localdate():%Y-%m-%d}.csv",
        EXPORT_COLUMNS,
        (export_row(application) for application in applications),
        request=request,
    )


def export_row(application):
    summary, overall = services.score_summary(application.scores.all())
    means = [summary.get(criterion, (None, None))[0] for criterion in JuryScore.Criterion.values]
    return [
        application.pk,
        application.applicant.get_full_name(),
        application.applicant.email,
        application.administration,
        application.service,
        application.get_status_display(),
        timezone.localtime(application.submitted_at).date().isoformat() if application.submitted_at else "",
        application.ticks,
        *[format_mean(mean) for mean in means],
        format_mean(overall),
    ]


def format_mean(value):
    """A mean in the French way (a comma), two decimals; empty when nobody scored."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")

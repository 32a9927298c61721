"""Call pages for the managers: the calls and their funnel, pre-selection, selection day, results, onboarding.

Everything starts from ``Call.objects.managed_by(user)``: another incubator's call or application
is a 404 for GET and POST alike; the rules of ``calls/rules.py`` then decide what may be done.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView, ListView, TemplateView

from incubator.exports import csv_response
from incubator.models import Incubator
from portfolio.views import FilteredListMixin

from .. import services
from ..filters import RANKED_STATUSES, RankingFilter
from ..forms import (
    BulkPreselectionForm,
    CallForm,
    DecisionForm,
    JurorsForm,
    OnboardForm,
    QuestionFormSet,
    product_name_from,
)
from ..models import Application, Call, JuryScore, Pitch

S = Application.Status

# The funnel of a call: each count includes what the applications became later.
FUNNEL = {
    "drafts": [S.DRAFT],
    "submitted": RANKED_STATUSES,
    "shortlisted": [S.SHORTLISTED, S.PITCHED, S.LAUREATE, S.NOT_SELECTED, S.COMMITMENT_SIGNED, S.ONBOARDED],
    "laureates": [S.LAUREATE, S.COMMITMENT_SIGNED, S.ONBOARDED],
}
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
        return with_funnel(Call.objects.managed_by(self.request.user).for_list()).order_by("-opens_at", "pk")


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
        moves = [(to, STATUS_ACTIONS[to]) for to in services.CALL_TRANSITIONS[Call.Status(call.status)]]
        return super().get_context_data(
            moves=sorted(moves, key=lambda move: move[0] == Call.Status.DRAFT),
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

    def get_forms(self, data=None):
        user = self.request.user
        form = CallForm(
            data, instance=self.object, incubators=managed_incubators(user), network_wide=user.is_network_admin
        )
        return form, QuestionFormSet(data, instance=self.object, prefix="questions")

    def get(self, request, *args, **kwargs):
        form, formset = self.get_forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.get_forms(request.POST)
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


@require_POST
def call_status(request, slug):
    """One click: publish, close, mark a stage done, archive (the call's state machine decides)."""
    call = get_call(request, slug)
    to = request.POST.get("to", "")
    try:
        if to not in Call.Status.values:
            raise ValidationError(_("This status does not exist."))
        services.change_call_status(call, to, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The call is now %(status)s.") % {"status": call.get_status_display().lower()})
    return redirect("calls:manage_call", slug=call.slug)


class JurorsView(CallMixin, FormView):
    template_name = "calls/manage/jurors_form.html"
    form_class = JurorsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "call": self.get_call()}

    def form_valid(self, form):
        call = self.get_call()
        call.jurors.set(form.selected())
        messages.success(self.request, _("The call has %(count)s jurors.") % {"count": call.jurors.count()})
        return redirect("calls:manage_call", slug=call.slug)


class RankingView(CallMixin, FilteredListMixin, ListView):
    """Pre-selection: the submitted applications by ticks; a bulk action applies to all the filtered ones."""

    template_name = "calls/manage/ranking.html"
    filterset_class = RankingFilter
    context_object_name = "applications"

    def get_base_queryset(self):
        return (
            self.get_call()
            .applications.filter(status__in=RANKED_STATUSES)
            .with_ticks()
            .select_related("applicant")
            .order_by("-ticks", "submitted_at", "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(bulk_form=BulkPreselectionForm(), **kwargs)

    def post(self, request, *args, **kwargs):
        call = self.get_call()
        applications = self.get_queryset()
        form = BulkPreselectionForm(request.POST)
        if not form.is_valid() or (self.filterset.is_bound and not self.filterset.is_valid()):
            messages.error(request, _("Choose one of the offered actions."))
            return redirect(f"{request.path}?{request.GET.urlencode()}")
        to = form.cleaned_data["to"]
        movable = [application for application in applications if to in services.TRANSITIONS[S(application.status)]]
        with transaction.atomic():
            services.preselect(movable, to, actor=request.user)
        messages.success(
            request,
            _("%(moved)s applications are now %(status)s; %(skipped)s could not change.")
            % {"moved": len(movable), "status": S(to).label.lower(), "skipped": len(applications) - len(movable)},
        )
        return redirect(f"{reverse('calls:manage_ranking', args=[call.slug])}?{request.GET.urlencode()}")


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
            shortlisted=call.applications.filter(status=S.SHORTLISTED).count(),
            results=services.results_outbox(call).order_by("pk"),
            **kwargs,
        )


def call_action(action, success):
    """A one-click POST on a managed call: run ``action(call, user)``, say ``success`` or the refusal."""

    @require_POST
    def view(request, slug):
        call = get_call(request, slug)
        try:
            result = action(call, request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, success % {"count": result})
        return redirect("calls:manage_selection", slug=call.slug)

    return view


draw = call_action(
    lambda call, user: len(services.draw_pitches(call, actor=user).applications.filter(pitch__isnull=False)),
    gettext_lazy("The pitch order is drawn (%(count)s pitches)."),
)
convoke = call_action(
    lambda call, user: services.convoke(call), gettext_lazy("%(count)s convocations are on their way.")
)
prepare_results = call_action(
    lambda call, user: len(services.prepare_results(call, actor=user)),
    gettext_lazy("%(count)s result emails are ready: review them, then send them."),
)
send_results = call_action(
    lambda call, user: services.send_results(call, actor=user), gettext_lazy("%(count)s result emails were sent.")
)


@require_POST
def decide(request, pk):
    """Record a pitched (or shortlisted, then pitched) application as laureate or not selected."""
    application = get_application(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered decisions."))
        return redirect("calls:manage_selection", slug=application.call.slug)
    try:
        with transaction.atomic():
            if application.status == S.SHORTLISTED:
                services.transition(application, S.PITCHED, actor=request.user)
            services.transition(application, form.cleaned_data["to"], actor=request.user)
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
            ticks=application.votes.count(),
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
                self.application,
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
        .order_by("-ticks", "submitted_at", "pk")
    )
    return csv_response(
        f"{call.slug}-{timezone.localdate():%Y-%m-%d}.csv",
        EXPORT_COLUMNS,
        (export_row(application) for application in applications),
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
        *[decimal(mean) for mean in means],
        decimal(overall),
    ]


def decimal(value):
    """A mean in the French way (a comma), two decimals; empty when nobody scored."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")

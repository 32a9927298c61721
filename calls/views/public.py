"""Call pages for the public and the applicants: the calls, applying, "Mes candidatures"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView

from .. import services
from ..forms import ApplicationForm, CommitmentForm
from ..models import Application, Call


@method_decorator(login_not_required, name="dispatch")
class CallListView(ListView):
    """Public: the open calls first, then the others that are published."""

    template_name = "calls/call_list.html"
    context_object_name = "calls"
    paginate_by = 25

    def get_queryset(self):
        return Call.objects.open().for_list().order_by("closes_at")


@method_decorator(login_not_required, name="dispatch")
class CallDetailView(DetailView):
    template_name = "calls/call_detail.html"
    context_object_name = "call"

    def get_queryset(self):
        return Call.objects.public().for_list().prefetch_related("questions")


class MyApplicationsView(ListView):
    """An applicant's applications, with their status and the dates of the next steps."""

    template_name = "calls/my_applications.html"
    context_object_name = "applications"

    def get_queryset(self):
        return Application.objects.of(self.request.user).select_related("call", "call__incubator", "pitch")


class ApplicationDetailView(DetailView):
    template_name = "calls/application_detail.html"
    context_object_name = "application"
    extra_context = {"withdrawable": list(Application.OPEN_STATUSES)}

    def get_queryset(self):
        return Application.objects.of(self.request.user).select_related("call", "call__incubator")

    def get_context_data(self, **kwargs):
        return super().get_context_data(commitment_form=CommitmentForm(), **kwargs)


@require_POST
def commitment(request, pk):
    """A laureate uploads the signed commitment form (a PDF, checked on its content)."""
    application = get_object_or_404(
        Application.objects.of(request.user).select_related("call", "call__incubator"), pk=pk
    )
    form = CommitmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.transition(
                application,
                Application.Status.COMMITMENT_SIGNED,
                actor=request.user,
                fields={"commitment_form": form.cleaned_data["commitment_form"]},
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Your signed commitment form is received. Welcome aboard!"))
        return redirect(application)
    context = {"application": application, "commitment_form": form, "withdrawable": list(Application.OPEN_STATUSES)}
    return render(request, "calls/application_detail.html", context, status=400)


PENDING = "calls:pending:{slug}"  # a POST that arrived without a session, kept until sign-in


@method_decorator(login_not_required, name="dispatch")
class ApplyView(TemplateView):
    """The application form: a server-side draft, saved at each step and while typing (htmx).

    Open to anonymous POSTs on purpose: a form posted after the session expired is kept in the
    new session and restored into the draft after sign-in, so nothing typed is lost.
    """

    template_name = "calls/apply.html"

    def dispatch(self, request, *args, **kwargs):
        self.call = get_object_or_404(Call.objects.public().prefetch_related("questions"), slug=kwargs["slug"])
        if not request.user.is_authenticated:
            if request.method == "POST":
                request.session[PENDING.format(slug=self.call.slug)] = request.POST.dict()
                messages.info(request, _("Your session had expired: sign in again, what you typed is kept."))
            return redirect_to_login(request.path)
        return super().dispatch(request, *args, **kwargs)

    def get_application(self):
        application = Application.objects.filter(call=self.call, applicant=self.request.user).first()
        if application is None and self.call.is_open():
            application, _created = Application.objects.get_or_create(call=self.call, applicant=self.request.user)
        if application is None:
            raise Http404
        return application

    def form(self, application, data=None, files=None, *, strict=False):
        return ApplicationForm(data, files, instance=application, questions=self.call.questions.all(), strict=strict)

    def get(self, request, *args, **kwargs):
        application = self.get_application()
        pending = request.session.pop(PENDING.format(slug=self.call.slug), None)
        if pending and application.status == Application.Status.DRAFT and self.call.is_open():
            form = self.form(application, pending)
            if form.is_valid():
                services.save_draft(application, form.values(with_files=False))
                application.refresh_from_db()
                messages.success(request, _("What you typed before your session expired was saved in your draft."))
        return self.render_to_response(self.get_context_data(application=application, form=self.form(application)))

    def post(self, request, *args, **kwargs):
        application = self.get_application()
        if not self.call.is_open() or application.status not in services.EDITABLE:
            messages.error(request, _("The call is closed: applications can no longer be submitted or changed."))
            context = self.get_context_data(application=application, form=self.form(application))
            return self.render_to_response(context, status=403)
        submitting = request.POST.get("action") == "submit" or application.status != Application.Status.DRAFT
        if application.status == Application.Status.DRAFT:
            draft = self.form(application, request.POST, request.FILES)
            if draft.is_valid():
                services.save_draft(application, draft.values())
                application.refresh_from_db()
        if not submitting:
            messages.success(
                request, _("Your draft is saved. You can come back to it at any time before the deadline.")
            )
            return redirect("calls:apply", slug=self.call.slug)
        form = self.form(application, request.POST, request.FILES, strict=True)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(application=application, form=form))
        return self.finish(application, form)

    def finish(self, application, form):
        try:
            if application.status == Application.Status.DRAFT:
                services.submit(application, actor=self.request.user, values=form.values())
                messages.success(self.request, _("Your application is submitted. An acknowledgement is on its way."))
            else:
                services.update_submitted(application, actor=self.request.user, values=form.values())
                messages.success(self.request, _("Your application is updated."))
        except ValidationError as error:
            messages.error(self.request, error.messages[0])
            return self.render_to_response(self.get_context_data(application=application, form=form), status=403)
        return redirect(application)

    def get_context_data(self, **kwargs):
        return super().get_context_data(call=self.call, **kwargs)


@require_POST
def autosave(request, slug):
    """htmx: save the draft while the applicant types; answers with a one-line status."""
    call = get_object_or_404(Call.objects.public().prefetch_related("questions"), slug=slug)
    application = get_object_or_404(Application, call=call, applicant=request.user)
    form = ApplicationForm(request.POST, instance=application, questions=call.questions.all())
    saved = False
    if form.is_valid() and call.is_open():
        saved = services.save_draft(application, form.values(with_files=False))
    return render(request, "calls/includes/_autosave.html", {"saved": saved, "now": timezone.now()})


@require_POST
def withdraw(request, pk):
    application = get_object_or_404(Application.objects.of(request.user), pk=pk)
    try:
        services.withdraw(application, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("calls:my_applications")

"""Call pages for the public and the applicants: the calls, applying, "Mes candidatures"."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView

from incubator import audit

from .. import services
from ..forms import ApplicationForm, CommitmentForm, pending_values
from ..models import Application, Call
from .files import answer_files


@method_decorator(login_not_required, name="dispatch")
class CallListView(ListView):
    """Public: the open calls first, then the others that are published."""

    template_name = "calls/call_list.html"
    context_object_name = "calls"
    paginate_by = 25

    def get_queryset(self):
        calls = Call.objects.open().for_list().order_by("closes_at")
        if slug := self.request.GET.get("incubator"):  # an incubator's open calls and the network-wide ones
            calls = calls.filter(Q(incubator__slug=slug) | Q(incubator__isnull=True))
        return calls


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

    def get_queryset(self):
        return Application.objects.of(self.request.user).select_related("call", "call__incubator")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            commitment_form=CommitmentForm(), answer_files=answer_files(self.object), **kwargs
        )


@require_POST
def commitment(request, pk):
    """A laureate uploads the signed commitment form (a PDF, checked on its content)."""
    application = get_object_or_404(
        Application.objects.of(request.user).select_related("call", "call__incubator"), pk=pk
    )
    form = CommitmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.transition_application(
                application=application,
                to=Application.Status.COMMITMENT_SIGNED,
                actor=request.user,
                fields={"commitment_form": form.cleaned_data["commitment_form"]},
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            audit.record(audit.Action.DOCUMENT_UPLOADED, application, actor=request.user)
            messages.success(request, _("Your signed commitment form is received. Welcome aboard!"))
        return redirect(application)
    context = {
        "application": application,
        "commitment_form": form,
        "answer_files": answer_files(application),
    }
    return render(request, "calls/application_detail.html", context, status=400)


PENDING = "calls:pending:{slug}"  # a POST that arrived without a session, kept until sign-in
# Set on the form's pages for a signed-in applicant (path: that call's form): the proof, signed,
# that this browser opened the form signed in as that account. Only a POST that carries it may
# leave what was typed in a new session: anyone else is sent to the login page, nothing kept.
APPLICANT_COOKIE = "calls_applicant"
APPLICANT_COOKIE_SALT = "calls.apply.applicant"
APPLICANT_COOKIE_MAX_AGE = 30 * 24 * 3600


def not_kept(rejected):
    """'Label: why. Label: why.' for the fields of a draft that were not kept."""
    return " ".join(
        _("%(label)s: %(errors)s") % {"label": label, "errors": " ".join(errors)} for label, errors in rejected
    )


@method_decorator(login_not_required, name="dispatch")
class ApplyView(TemplateView):
    """The application form: a server-side draft, saved at each step and while typing (htmx).

    A GET changes nothing: the application row is made by the first POST (save the draft,
    autosave or submit). A draft keeps every valid field; what was refused is said, field by field.

    Open to anonymous POSTs on purpose: a form posted after the session expired is kept in the
    new session (bounded: the form's fields only, cut to their lengths, ``PENDING_MAX_BYTES`` at
    most) and restored into the draft after sign-in to the same account, so nothing typed is
    lost; only from a browser that opened the form signed in (``APPLICANT_COOKIE``).
    """

    template_name = "calls/apply.html"

    def dispatch(self, request, *args, **kwargs):
        self.call = get_object_or_404(Call.objects.public().prefetch_related("questions"), slug=kwargs["slug"])
        if not request.user.is_authenticated:
            if request.method == "POST":
                self.keep_pending(request)
            return redirect_to_login(request.path)
        response = super().dispatch(request, *args, **kwargs)
        response.set_signed_cookie(
            APPLICANT_COOKIE,
            str(request.user.pk),
            salt=APPLICANT_COOKIE_SALT,
            max_age=APPLICANT_COOKIE_MAX_AGE,
            path=reverse("calls:apply", kwargs={"slug": self.call.slug}),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    def keep_pending(self, request):
        applicant = request.get_signed_cookie(
            APPLICANT_COOKIE, default=None, salt=APPLICANT_COOKIE_SALT, max_age=APPLICANT_COOKIE_MAX_AGE
        )
        if applicant is None:
            messages.info(request, _("Sign in to apply."))
            return
        values = pending_values(self.call, request.POST)
        request.session[PENDING.format(slug=self.call.slug)] = {"applicant": applicant, "values": values}
        messages.info(request, _("Your session had expired: sign in again, what you typed is kept."))

    def get_application(self, *, create):
        """The user's application to the call; while the call is open and there is none yet: a new
        one, saved only ``create`` (a POST), else unsaved (a GET shows the empty form)."""
        application = Application.objects.filter(call=self.call, applicant=self.request.user).first()
        if application is None and self.call.is_open():
            if not create:
                return Application(call=self.call, applicant=self.request.user)
            application, _created = Application.objects.get_or_create(call=self.call, applicant=self.request.user)
        if application is None:
            raise Http404
        return application

    def form(self, application, data=None, files=None, *, strict=False):
        return ApplicationForm(
            data, files, instance=application, questions=self.call.questions.all(), strict=strict, call=self.call
        )

    def get(self, request, *args, **kwargs):
        application = self.get_application(create=False)
        pending = request.session.pop(PENDING.format(slug=self.call.slug), None)
        if (
            isinstance(pending, dict)
            and pending.get("applicant") == str(request.user.pk)
            and application.is_draft
            and self.call.is_open()
        ):
            if application.pk is None:
                application = self.get_application(create=True)
            form = self.form(application, pending.get("values") or {})
            form.is_valid()
            if services.save_draft(application=application, actor=request.user, values=form.values(with_files=False)):
                application.refresh_from_db()
                messages.success(request, _("What you typed before your session expired was saved in your draft."))
        return self.render_to_response(self.get_context_data(application=application, form=self.form(application)))

    def post(self, request, *args, **kwargs):
        application = self.get_application(create=True)
        if not self.call.is_open() or not application.can_edit:
            messages.error(request, _("The call is closed: applications can no longer be submitted or changed."))
            context = self.get_context_data(application=application, form=self.form(application))
            return self.render_to_response(context, status=403)
        submitting = request.POST.get("action") == "submit" or not application.is_draft
        draft = None
        if application.is_draft:
            # Every valid field is saved, even when others are refused.
            draft = self.form(application, request.POST, request.FILES)
            draft.is_valid()
            services.save_draft(application=application, actor=request.user, values=draft.values())
            application.refresh_from_db()
        if not submitting:
            if rejected := draft.rejected():
                messages.warning(
                    request,
                    _("Your draft is saved, except these fields, which were not kept. %(fields)s")
                    % {"fields": not_kept(rejected)},
                )
                return self.render_to_response(self.get_context_data(application=application, form=draft))
            messages.success(
                request, _("Your draft is saved. You can come back to it at any time before the deadline.")
            )
            return redirect("calls:apply", slug=self.call.slug)
        form = self.form(application, request.POST, request.FILES, strict=True)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(application=application, form=form))
        # A draft's files were stored by the draft save just above: not a second time.
        return self.finish(application, form, with_files=draft is None)

    def finish(self, application, form, *, with_files):
        values = form.values(with_files=with_files)
        try:
            if application.is_draft:
                services.submit(application=application, actor=self.request.user, values=values)
                messages.success(self.request, _("Your application is submitted. An acknowledgement is on its way."))
            else:
                services.update_submitted(application=application, actor=self.request.user, values=values)
                messages.success(self.request, _("Your application is updated."))
        except ValidationError as error:
            messages.error(self.request, error.messages[0])
            return self.render_to_response(self.get_context_data(application=application, form=form), status=403)
        return redirect(application)

    def get_context_data(self, **kwargs):
        application, form = kwargs.get("application"), kwargs.get("form")
        kept_files = []
        if application is not None and application.pk and form is not None:
            kept_files = [(q, form.kept_file(q)) for q in form.questions if form.kept_file(q)]
        return super().get_context_data(call=self.call, kept_files=kept_files, **kwargs)


@require_POST
def autosave(request, slug):
    """htmx: save the draft while the applicant types; answers with a one-line status.

    The first autosave of an applicant makes their draft; every valid field is saved, the
    refused ones are named in the status line.
    """
    call = get_object_or_404(Call.objects.public().prefetch_related("questions"), slug=slug)
    application = Application.objects.filter(call=call, applicant=request.user).first()
    if application is None:
        if not call.is_open():
            raise Http404
        application, _created = Application.objects.get_or_create(call=call, applicant=request.user)
    form = ApplicationForm(request.POST, instance=application, questions=call.questions.all(), call=call)
    form.is_valid()
    values = form.values(with_files=False)
    saved = call.is_open() and services.save_draft(application=application, actor=request.user, values=values)
    context = {"saved": saved, "now": timezone.now(), "not_kept": not_kept(form.rejected()) if saved else ""}
    return render(request, "calls/includes/_autosave.html", context)


@require_POST
def withdraw(request, pk):
    application = get_object_or_404(Application.objects.of(request.user), pk=pk)
    try:
        services.withdraw(application=application, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("calls:my_applications")


@require_POST
def talent_pool_withdraw(request, pk):
    """The applicant withdraws their consent to the talent pool, from their application's page."""
    application = get_object_or_404(Application.objects.of(request.user), pk=pk)
    if services.withdraw_talent_pool_consent(application=application, actor=request.user):
        messages.success(request, _("Your consent to the talent pool is withdrawn."))
    else:
        messages.info(request, _("Your application was not in the talent pool."))
    return redirect(application)

"""Pages of the core app: public home and incubator pages, "Mon espace", legal pages, errors."""

import json
import tempfile
import zipfile

from allauth.account.decorators import reauthentication_required
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import DetailView, ListView, TemplateView

from . import audit, charts, personal_data, registry
from .contributions import INCUBATOR_PAGE
from .dates import local_day
from .mail import send_templated
from .models import AuditEvent, Incubator


@method_decorator(login_not_required, name="dispatch")
class HomeView(ListView):
    """Public home: what the network is, and its incubators."""

    template_name = "incubator/home.html"
    context_object_name = "incubators"

    def get_queryset(self):
        return Incubator.objects.active().for_list()


@method_decorator(login_not_required, name="dispatch")
class IncubatorDetailView(DetailView):
    """Public page of an active incubator: its facts, then its public results, the panels the apps
    register on ``INCUBATOR_PAGE`` (products by phase, committees held, calls), asked once; public
    facts only, for everyone."""

    template_name = "incubator/incubator_detail.html"
    context_object_name = "incubator"

    def get_queryset(self):
        return Incubator.objects.active().for_list()

    def get_context_data(self, **kwargs):
        panels = registry.panels_for(INCUBATOR_PAGE, self.object, self.request.user)
        return super().get_context_data(panels=panels, **kwargs)


@login_not_required
@require_safe
def incubator_chart_csv(request, slug, key):
    """One chart of an incubator's public page as CSV (its data table): the panels of the page
    (``INCUBATOR_PAGE``), asked as the page asks them, give the chart ``key``; public facts, the
    same for every visitor; 404 for an unknown chart or an inactive incubator."""
    incubator = get_object_or_404(Incubator.objects.active(), slug=slug)
    panels = registry.panels_for(INCUBATOR_PAGE, incubator, request.user)
    found = (
        value
        for blocks in panels.values()
        for block in blocks
        for value in block.context.values()
        if isinstance(value, charts.Chart) and value.key == key
    )
    chart = next(found, None)
    if chart is None:
        raise Http404
    return charts.csv_response(chart, f"{incubator.slug}-{chart.key}.csv")


class MySpaceView(TemplateView):
    """Signed-in home: what needs the user today first (the apps' to-do sources, asked once, for
    today in Paris), then the sections the apps register (``incubator.registry``), the user's
    incubators and roles first."""

    template_name = "incubator/my_space.html"

    def get_context_data(self, **kwargs):
        today = local_day(timezone.now())
        return super().get_context_data(
            todo_items=registry.todo_items(self.request.user, today),
            sections=registry.sections_for(self.request.user),
            **kwargs,
        )


@method_decorator(login_not_required, name="dispatch")
class LegalPageView(TemplateView):
    """Mentions légales, accessibilité, données personnelles."""


@method_decorator(login_not_required, name="dispatch")
class PrivacyView(TemplateView):
    """The privacy page, generated from the personal-data registry (``incubator.personal_data``):
    each category with its fields, purpose, legal basis and retention (the periods the purge
    applies, ``incubator.retention``), with the controller and the DPO from settings."""

    template_name = "incubator/privacy.html"

    def get_context_data(self, **kwargs):
        rows = [
            (provider, category, field_labels(category.fields)) for provider, category in personal_data.categories()
        ]
        return super().get_context_data(
            categories=rows,
            controller=settings.PRIVACY_CONTROLLER,
            dpo_email=settings.PRIVACY_DPO_EMAIL,
            **kwargs,
        )


def field_labels(names):
    """The fields' names as the forms and the admin show them (``"app.model.field"`` -> its verbose name)."""
    labels = []
    for name in names:
        app_label, model_name, field_name = name.split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        label = str(getattr(field, "verbose_name", field_name))
        if label not in labels:
            labels.append(label)
    return labels


def summary(value):
    """How many things a provider's export holds under a key (a list's length; 1 for a filled value)."""
    if isinstance(value, list | tuple):
        return len(value)
    if isinstance(value, dict):
        return sum(summary(item) for item in value.values()) if value else 0
    return 0 if value in (None, "", False) else 1


class MyDataView(TemplateView):
    """ "Mes données": what the portal holds about the signed-in user, by provider, with the JSON
    download and the account deletion (issue 14 item 4; ``docs/architecture.md``, personal data)."""

    template_name = "incubator/my_data.html"

    def get_context_data(self, **kwargs):
        data = personal_data.export_all(self.request.user)
        rows = [(provider, summary(data[provider.key])) for provider in personal_data.providers()]
        return super().get_context_data(rows=rows, **kwargs)


@require_safe
def my_data_download(request):
    """GET: ``export_all(user)`` as a JSON file (never cached), one audit row."""
    data = personal_data.export_all(request.user)
    audit.record(AuditEvent.Action.DATA_EXPORTED, request.user, actor=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-{stamp}.json"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_safe
def my_data_files(request):
    """GET: the files the user uploaded (``files_all``), as a ZIP (never cached), one audit row."""
    buffer = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, stored in personal_data.files_all(request.user):
            try:
                with default_storage.open(stored, "rb") as source:
                    archive.writestr(name, source.read())
            except FileNotFoundError:
                continue
    audit.record(AuditEvent.Action.DATA_EXPORTED, request.user, actor=request.user, object_type="files")
    buffer.seek(0)
    response = FileResponse(buffer, content_type="application/zip", as_attachment=True)
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="mes-fichiers-{stamp}.zip"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
@reauthentication_required
def my_data_erase(request):
    """POST, after the confirmation dialog and a fresh sign-in (allauth's reauthentication): every
    app erases or pseudonymises what it holds (``erase_all``), one audit row, an email to the
    address the account had, then sign-out."""
    user = request.user
    email = user.email
    with transaction.atomic():
        personal_data.erase_all(user, actor=user)
        audit.record(AuditEvent.Action.DATA_ERASED, user, actor=user)
        if email:
            send_templated(
                to=[email],
                template="account_erased",
                context={},
                key=f"{personal_data.ERASURE_EMAIL_KEY}{user.pk}",
            )
    logout(request)
    messages.success(request, _("Your account is deleted and your personal data erased. An email confirms it."))
    return redirect("incubator:home")


# What Django refuses to read (``DATA_UPLOAD_MAX_MEMORY_SIZE``, ``DATA_UPLOAD_MAX_NUMBER_FIELDS``,
# ``DATA_UPLOAD_MAX_NUMBER_FILES``): it raises these when a view or the CSRF check reads request.POST.
TOO_BIG = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


@login_not_required
def error_400(request, exception=None):
    """A request the portal refuses to read. Too big (a form with a huge text): a 413 page that says
    so, that nothing of it was saved, that what was saved before is kept (an application's last
    draft), with a way back to the form. Any other bad request: a plain 400 page."""
    if not isinstance(exception, TOO_BIG):
        # No request context: the request itself may be what is wrong (a forged Host, say).
        return HttpResponseBadRequest(render_to_string("400.html"))
    if getattr(request, "htmx", False):  # the application form's autosave: one status line
        return HttpResponse(
            escape(_("Too large to be saved automatically: shorten the long texts. Your last saved draft is kept.")),
            status=413,
        )
    referer = request.headers.get("referer", "")
    back = referer if url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()) else ""
    context = {"too_big": True, "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "back_url": back or request.path}
    if not hasattr(request, "user"):
        return HttpResponse(render_to_string("400.html", context), status=413)
    return render(request, "400.html", context, status=413)


@login_not_required
def error_403(request, exception=None):
    return render(request, "403.html", status=403)


@login_not_required
def error_404(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def error_500(request):
    # No request context: the error may come from the database the context processors use.
    return HttpResponseServerError(render_to_string("500.html"))

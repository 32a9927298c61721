"""Pages of the core app: public home and incubator pages, "Mon espace", legal pages, errors."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from . import registry
from .models import Incubator


@method_decorator(login_not_required, name="dispatch")
class HomeView(ListView):
    """Public home: what the network is, and its incubators."""

    template_name = "incubator/home.html"
    context_object_name = "incubators"

    def get_queryset(self):
        return Incubator.objects.active().for_list()


@method_decorator(login_not_required, name="dispatch")
class IncubatorDetailView(DetailView):
    """Public page of an active incubator."""

    template_name = "incubator/incubator_detail.html"
    context_object_name = "incubator"

    def get_queryset(self):
        return Incubator.objects.active().for_list()


class MySpaceView(TemplateView):
    """Signed-in home: the sections the apps register (``incubator.registry``), the user's
    incubators and roles first."""

    template_name = "incubator/my_space.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(sections=registry.sections_for(self.request.user), **kwargs)


@method_decorator(login_not_required, name="dispatch")
class LegalPageView(TemplateView):
    """Mentions légales, accessibilité, données personnelles."""


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

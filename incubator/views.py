"""Pages of the core app: public home and incubator pages, "Mon espace", legal pages, errors."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView, TemplateView

from .models import Incubator, Membership


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
    """Signed-in home: the user's incubators and roles."""

    template_name = "incubator/my_space.html"

    def get_context_data(self, **kwargs):
        memberships = Membership.objects.filter(user=self.request.user).for_list()
        return super().get_context_data(memberships=memberships, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class LegalPageView(TemplateView):
    """Mentions légales, accessibilité, données personnelles."""


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

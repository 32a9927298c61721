"""Call pages. The applicant's side first: "Mes candidatures" and an application's page."""

from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView

from .models import Application, Call


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

    def get_queryset(self):
        return Application.objects.of(self.request.user).select_related("call", "call__incubator")

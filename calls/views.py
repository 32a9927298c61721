"""Call pages. The applicant's side first: "Mes candidatures" and an application's page."""

from django.views.generic import DetailView, ListView

from .models import Application


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

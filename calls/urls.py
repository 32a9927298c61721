from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("candidatures/", views.MyApplicationsView.as_view(), name="my_applications"),
    path("candidatures/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
]

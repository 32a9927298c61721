from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("appels/", views.CallListView.as_view(), name="call_list"),
    path("appels/<slug:slug>/", views.CallDetailView.as_view(), name="call_detail"),
    path("appels/<slug:slug>/candidater/", views.ApplyView.as_view(), name="apply"),
    path("appels/<slug:slug>/candidater/brouillon/", views.autosave, name="autosave"),
    path("candidatures/<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("candidatures/", views.MyApplicationsView.as_view(), name="my_applications"),
    path("candidatures/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
]

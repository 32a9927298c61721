from django.urls import path

from .views import public

app_name = "calls"

urlpatterns = [
    path("appels/", public.CallListView.as_view(), name="call_list"),
    path("appels/<slug:slug>/", public.CallDetailView.as_view(), name="call_detail"),
    path("appels/<slug:slug>/candidater/", public.ApplyView.as_view(), name="apply"),
    path("appels/<slug:slug>/candidater/brouillon/", public.autosave, name="autosave"),
    path("candidatures/<int:pk>/retirer/", public.withdraw, name="withdraw"),
    path("candidatures/", public.MyApplicationsView.as_view(), name="my_applications"),
    path("candidatures/<int:pk>/", public.ApplicationDetailView.as_view(), name="application_detail"),
]

from django.urls import path

from .views import jury, public

app_name = "calls"

urlpatterns = [
    path("appels/", public.CallListView.as_view(), name="call_list"),
    path("appels/<slug:slug>/", public.CallDetailView.as_view(), name="call_detail"),
    path("appels/<slug:slug>/candidater/", public.ApplyView.as_view(), name="apply"),
    path("appels/<slug:slug>/candidater/brouillon/", public.autosave, name="autosave"),
    path("candidatures/<int:pk>/retirer/", public.withdraw, name="withdraw"),
    path("candidatures/", public.MyApplicationsView.as_view(), name="my_applications"),
    path("candidatures/<int:pk>/", public.ApplicationDetailView.as_view(), name="application_detail"),
    # Jury pages
    path("jury/", jury.JuryCallListView.as_view(), name="jury_calls"),
    path("jury/appels/<slug:slug>/", jury.JuryApplicationListView.as_view(), name="jury_applications"),
    path("jury/candidatures/<int:pk>/", jury.JuryApplicationView.as_view(), name="jury_application"),
    path("jury/candidatures/<int:pk>/vote/", jury.vote, name="jury_vote"),
    path("jury/candidatures/<int:pk>/conflit/", jury.conflict, name="jury_conflict"),
    path("jury/candidatures/<int:pk>/notes/", jury.score, name="jury_score"),
]

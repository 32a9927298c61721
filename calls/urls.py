from django.urls import path

from .views import files, jury, manage, public

app_name = "calls"

urlpatterns = [
    path("appels/", public.CallListView.as_view(), name="call_list"),
    path("appels/<slug:slug>/", public.CallDetailView.as_view(), name="call_detail"),
    path("appels/<slug:slug>/candidater/", public.ApplyView.as_view(), name="apply"),
    path("appels/<slug:slug>/candidater/brouillon/", public.autosave, name="autosave"),
    path("candidatures/<int:pk>/retirer/", public.withdraw, name="withdraw"),
    path("candidatures/<int:pk>/vivier/retirer/", public.talent_pool_withdraw, name="talent_pool_withdraw"),
    path("candidatures/", public.MyApplicationsView.as_view(), name="my_applications"),
    path("candidatures/<int:pk>/", public.ApplicationDetailView.as_view(), name="application_detail"),
    # Jury pages
    path("jury/", jury.JuryCallListView.as_view(), name="jury_calls"),
    path("jury/appels/<slug:slug>/", jury.JuryApplicationListView.as_view(), name="jury_applications"),
    path("jury/candidatures/<int:pk>/", jury.JuryApplicationView.as_view(), name="jury_application"),
    path("jury/candidatures/<int:pk>/vote/", jury.vote, name="jury_vote"),
    path("jury/candidatures/<int:pk>/conflit/", jury.conflict, name="jury_conflict"),
    path("jury/candidatures/<int:pk>/notes/", jury.score, name="jury_score"),
    # Manager pages
    path("gestion/appels/", manage.CallListView.as_view(), name="manage_call_list"),
    path("gestion/nouvel-appel/", manage.CallFormView.as_view(), name="manage_call_create"),
    path("gestion/appels/<slug:slug>/", manage.CallDashboardView.as_view(), name="manage_call"),
    path("gestion/appels/<slug:slug>/modifier/", manage.CallFormView.as_view(), name="manage_call_update"),
    path("gestion/appels/<slug:slug>/statut/<str:to>/", manage.CallStatusView.as_view(), name="manage_call_status"),
    path("gestion/appels/<slug:slug>/jury/", manage.JurorsView.as_view(), name="manage_jurors"),
    path("gestion/appels/<slug:slug>/preselection/", manage.RankingView.as_view(), name="manage_ranking"),
    path(
        "gestion/appels/<slug:slug>/preselection/confirmer/",
        manage.PreselectionConfirmView.as_view(),
        name="manage_preselect",
    ),
    path("gestion/appels/<slug:slug>/selection/", manage.SelectionView.as_view(), name="manage_selection"),
    path("gestion/appels/<slug:slug>/selection/tirage/", manage.draw, name="manage_draw"),
    path("gestion/appels/<slug:slug>/selection/convocations/", manage.convoke, name="manage_convoke"),
    path("gestion/appels/<slug:slug>/resultats/preparer/", manage.prepare_results, name="manage_prepare_results"),
    path("gestion/appels/<slug:slug>/resultats/envoyer/", manage.send_results, name="manage_send_results"),
    path("gestion/appels/<slug:slug>/export.csv", manage.export_csv, name="manage_export"),
    path("gestion/candidatures/", manage.ApplicationListView.as_view(), name="manage_application_list"),
    path("gestion/candidatures/<int:pk>/", manage.ApplicationManageView.as_view(), name="manage_application"),
    path("gestion/candidatures/<int:pk>/decision/", manage.decide, name="manage_decide"),
    path("gestion/candidatures/<int:pk>/integrer/", manage.OnboardView.as_view(), name="manage_onboard"),
    path("candidatures/<int:pk>/engagement/", public.commitment, name="commitment"),
    # Files, served only through these views (attachments, GET only, permission-checked)
    path("candidatures/<int:pk>/engagement/fichier/", files.commitment_file, name="commitment_file"),
    path("appels/<slug:slug>/guide-du-candidat/", files.guide_file, name="guide_file"),
    path("candidatures/<int:pk>/reponses/<int:question>/fichier/", files.answer_file, name="answer_file"),
]

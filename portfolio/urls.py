from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    path("portefeuille/", views.PortfolioListView.as_view(), name="startup_list"),
    path("portefeuille/nouveau/", views.StartupCreateView.as_view(), name="startup_create"),
    path("portefeuille/<slug:slug>/", views.StartupDetailView.as_view(), name="startup_detail"),
    path("portefeuille/<slug:slug>/modifier/", views.StartupUpdateView.as_view(), name="startup_update"),
    path("portefeuille/<slug:slug>/phase/", views.PhaseChangeView.as_view(), name="phase_change"),
    path("portefeuille/<slug:slug>/equipe/ajouter/", views.TeamMemberFormView.as_view(), name="team_add"),
    path("portefeuille/<slug:slug>/equipe/<int:pk>/modifier/", views.TeamMemberFormView.as_view(), name="team_edit"),
    path("portefeuille/<slug:slug>/equipe/<int:pk>/retirer/", views.team_member_remove, name="team_remove"),
    path("portefeuille/<slug:slug>/indicateurs/ajouter/", views.IndicatorCreateView.as_view(), name="indicator_add"),
    path(
        "portefeuille/<slug:slug>/indicateurs/<int:pk>/mesure/",
        views.MeasurementCreateView.as_view(),
        name="measurement_add",
    ),
    path("produits/", views.DirectoryView.as_view(), name="directory"),
    path("produits/<slug:slug>/", views.PublicStartupView.as_view(), name="public_detail"),
    path("api/startups.json", views.startups_json, name="startups_json"),
    path("api/incubators.json", views.incubators_json, name="incubators_json"),
]

from django.urls import path, register_converter

from . import opendata, steering, views


class StartupSlug:
    """A product slug: like a slug, with dots allowed (``demarches-simplifiees.fr``)."""

    regex = r"[a-z0-9]+(?:[-._][a-z0-9]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(StartupSlug, "startup")

app_name = "portfolio"

urlpatterns = [
    path("portefeuille/", views.PortfolioListView.as_view(), name="startup_list"),
    path("portefeuille/nouveau/", views.StartupCreateView.as_view(), name="startup_create"),
    path("portefeuille/<startup:slug>/", views.StartupDetailView.as_view(), name="startup_detail"),
    path("portefeuille/<startup:slug>/modifier/", views.StartupUpdateView.as_view(), name="startup_update"),
    path("portefeuille/<startup:slug>/phase/", views.PhaseChangeView.as_view(), name="phase_change"),
    path("portefeuille/<startup:slug>/equipe/ajouter/", views.TeamMemberFormView.as_view(), name="team_add"),
    path("portefeuille/<startup:slug>/equipe/<int:pk>/modifier/", views.TeamMemberFormView.as_view(), name="team_edit"),
    path("portefeuille/<startup:slug>/equipe/<int:pk>/retirer/", views.team_member_remove, name="team_remove"),
    path("portefeuille/<startup:slug>/evenements/ajouter/", views.EventFormView.as_view(), name="event_add"),
    path("portefeuille/<startup:slug>/evenements/<int:pk>/modifier/", views.EventFormView.as_view(), name="event_edit"),
    path("portefeuille/<startup:slug>/evenements/<int:pk>/supprimer/", views.event_delete, name="event_delete"),
    path("portefeuille/<startup:slug>/indicateurs/ajouter/", views.IndicatorCreateView.as_view(), name="indicator_add"),
    path(
        "portefeuille/<startup:slug>/indicateurs/<int:pk>/mesure/",
        views.MeasurementCreateView.as_view(),
        name="measurement_add",
    ),
    path("produits/", views.DirectoryView.as_view(), name="directory"),
    path("produits/<startup:slug>/", views.PublicStartupView.as_view(), name="public_detail"),
    path("api/startups.json", opendata.startups_json, name="startups_json"),
    path("api/incubators.json", opendata.incubators_json, name="incubators_json"),
    path("tableau-de-bord/<slug:slug>/", steering.DashboardView.as_view(), name="dashboard"),
    path("tableau-de-bord/<slug:slug>/<slug:key>.csv", steering.dashboard_csv, name="dashboard_csv"),
    path("pilotage/", steering.CockpitView.as_view(), name="cockpit"),
    path("pilotage/portefeuille-a-date/", steering.AsOfView.as_view(), name="as_of"),
    path("pilotage/qualite-des-donnees/", steering.DataQualityView.as_view(), name="data_quality"),
    path("pilotage/<slug:key>.csv", steering.cockpit_csv, name="cockpit_csv"),
    path("statistiques/", views.StatisticsView.as_view(), name="statistics"),
    path("statistiques/<slug:table>.csv", views.statistics_csv, name="statistics_csv"),
    path("api/statistiques.json", opendata.statistics_json, name="statistics_json"),
]

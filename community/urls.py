from django.urls import path

from portfolio.urls import StartupSlug  # noqa: F401  (registers the "startup" path converter)

from . import views

app_name = "community"

urlpatterns = [
    path("communaute/ressources/", views.ResourceListView.as_view(), name="resource_list"),
    path("communaute/ressources/<slug:slug>/", views.ResourceDetailView.as_view(), name="resource_detail"),
    path("communaute/ressources/<slug:slug>/demander/", views.RequestCreateView.as_view(), name="request_create"),
    path("communaute/pour/<startup:slug>/", views.ForStartupView.as_view(), name="for_startup"),
    path(
        "communaute/pour/<startup:slug>/suggestions/<slug:resource>/ignorer/",
        views.dismiss_suggestion,
        name="dismiss_suggestion",
    ),
    path("communaute/demandes/", views.MyRequestsView.as_view(), name="my_requests"),
    path("communaute/demandes/a-traiter/", views.QueueView.as_view(), name="queue"),
    path("communaute/demandes/a-traiter/export.csv", views.QueueExportView.as_view(), name="queue_export"),
    path("communaute/demandes/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("communaute/demandes/<int:pk>/statut/", views.request_transition, name="request_transition"),
    path("communaute/demandes/<int:pk>/commenter/", views.request_comment, name="request_comment"),
    path("communaute/evenements/", views.EventListView.as_view(), name="event_list"),
    path("communaute/evenements/<slug:slug>/", views.EventDetailView.as_view(), name="event_detail"),
    path("communaute/evenements/<slug:slug>/inscription/", views.event_register, name="event_register"),
    path("communaute/evenements/<slug:slug>/annulation/", views.event_cancel, name="event_cancel"),
    path("communaute/evenements/<slug:slug>/calendrier.ics", views.event_ics, name="event_ics"),
    path("communaute/evenements/<slug:slug>/participants/", views.AttendanceView.as_view(), name="attendance"),
    path("communaute/evenements/<slug:slug>/participants.csv", views.attendance_export, name="attendance_export"),
]

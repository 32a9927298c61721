from django.urls import path

from portfolio.urls import StartupSlug  # noqa: F401  (registers the "startup" path converter)

from . import views

app_name = "committees"

urlpatterns = [
    path("comites/", views.CommitteeListView.as_view(), name="committee_list"),
    path("comites/mon-calendrier/", views.MyCalendarView.as_view(), name="my_calendar"),
    path("comites/mon-calendrier/renouveler/", views.calendar_feed_renew, name="calendar_feed_renew"),
    path("comites/documents/<int:pk>/", views.document_download, name="document_download"),
    path("comites/<int:pk>/", views.CommitteeDetailView.as_view(), name="committee_detail"),
    path("comites/<int:pk>/calendrier.ics", views.committee_ics, name="committee_ics"),
    path("comites/<int:pk>/documents/ajouter/", views.DocumentUploadView.as_view(), name="document_add"),
    path("comites/<int:pk>/decision/", views.DecisionView.as_view(), name="decision"),
    path("comites/<int:pk>/suivi/", views.decision_follow_up, name="follow_up"),
    path("comites/<int:pk>/annuler/", views.committee_cancel, name="committee_cancel"),
    path("portefeuille/<startup:slug>/comites/planifier/", views.CommitteePlanView.as_view(), name="committee_plan"),
    path("portefeuille/<startup:slug>/comites/echeance/", views.DueDateView.as_view(), name="due_date"),
    path("calendrier/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]

from django.urls import path

from portfolio.urls import StartupSlug  # noqa: F401  (registers the "startup" path converter)

from . import views

app_name = "standards"

urlpatterns = [
    path("portefeuille/<startup:slug>/standards/", views.ScorecardEditView.as_view(), name="scorecard_edit"),
]

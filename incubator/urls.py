"""Root URLs. Only this file and the dashboard views look at every app."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import views

core_patterns = (
    [
        path("", views.HomeView.as_view(), name="home"),
        path("incubateurs/<slug:slug>/", views.IncubatorDetailView.as_view(), name="incubator_detail"),
        path("mon-espace/", views.MySpaceView.as_view(), name="my_space"),
        path(
            "mentions-legales/",
            views.LegalPageView.as_view(template_name="incubator/legal_notice.html"),
            name="legal_notice",
        ),
        path(
            "accessibilite/",
            views.LegalPageView.as_view(template_name="incubator/accessibility.html"),
            name="accessibility",
        ),
        path(
            "donnees-personnelles/",
            views.LegalPageView.as_view(template_name="incubator/privacy.html"),
            name="privacy",
        ),
    ],
    "incubator",
)

urlpatterns = [
    path("", include(core_patterns)),
    path("", include("portfolio.urls")),
    path("", include("committees.urls")),
    path("", include("calls.urls")),
    path("compte/", include("allauth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

handler403 = "incubator.views.error_403"
handler404 = "incubator.views.error_404"
handler500 = "incubator.views.error_500"

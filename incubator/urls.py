"""Root URLs: the one module of the core that names every app (it mounts their ``urls.py``)."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from django.views.i18n import set_language

from . import views

core_patterns = (
    [
        path("", views.HomeView.as_view(), name="home"),
        path("incubateurs/<slug:slug>/", views.IncubatorDetailView.as_view(), name="incubator_detail"),
        path("incubateurs/<slug:slug>/<slug:key>.csv", views.incubator_chart_csv, name="incubator_chart_csv"),
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
            views.PrivacyView.as_view(),
            name="privacy",
        ),
        path("mes-donnees/", views.MyDataView.as_view(), name="my_data"),
        path("mes-donnees/telecharger/", views.my_data_download, name="my_data_download"),
        path("mes-donnees/mes-fichiers/", views.my_data_files, name="my_data_files"),
        path("mes-donnees/supprimer-mon-compte/", views.my_data_erase, name="my_data_erase"),
    ],
    "incubator",
)

urlpatterns = [
    path("", include(core_patterns)),
    path("", include("portfolio.urls")),
    path("", include("committees.urls")),
    path("", include("calls.urls")),
    path("", include("community.urls")),
    path("", include("standards.urls")),
    path("compte/", include("allauth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says: send them to the DSFR's (a 302, read
    # at request time, so that the hashed name of the collected file is used in production).
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=lazy(static, str)("dsfr/dist/favicon/favicon.ico"))),
    ),
]

handler400 = "incubator.views.error_400"
handler403 = "incubator.views.error_403"
handler404 = "incubator.views.error_404"
handler500 = "incubator.views.error_500"

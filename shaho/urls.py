from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from councils import views as council_views
from shaho.core import access_views, site_views

admin.site.site_header = "shaho 社保協 業務システム"
admin.site.site_title = "shaho 管理"
admin.site.index_title = "管理メニュー"

urlpatterns = [
    path("", council_views.home, name="home"),
    # A dashboard picture's numbers as xlsx or CSV, recomputed for the requesting user (shaho.core.dashboard).
    path("overview/<str:panel_key>/<str:picture_key>/", council_views.overview_download, name="overview_download"),
    path("favicon.ico", site_views.favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The reset request has its own limit per address and e-mail (shaho.core.access); the rest is Django's.
    path("password/password_reset/", access_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/", include("django.contrib.auth.urls")),
    path("account/", include("shaho.core.access_urls")),
    path("admin/", admin.site.urls),
    # The read API for councils' websites and spreadsheets (issue 21): token-authenticated, read-only, scoped.
    path("api/v1/", include("shaho.api_urls")),
    path("petitions/", include("petitions.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("reports/", include("reports.urls")),
    # An import's commit runs as a job (shaho.core.import_jobs): its page, status and outcome file.
    path("imports/", include("shaho.core.import_urls")),
    path("caravans/", include("municipalities.caravans.urls")),
    path("consultations/", include("consultations.urls")),
    # What councils publish, without login: the caravans' questionnaire answers (the /public/ index) and the
    # counts of published consultation days for the press, and the national campaigns' adoptions per municipality.
    path("public/consultations/", include("consultations.public_urls")),
    path("public/assemblies/", include("municipalities.assemblies.public_urls")),
    path("public/", include("municipalities.caravans.public_urls")),
]

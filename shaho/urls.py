from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from councils import views as council_views

admin.site.site_header = "shaho 社保協 業務システム"
admin.site.site_title = "shaho 管理"
admin.site.index_title = "管理メニュー"

urlpatterns = [
    path("", council_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("petitions/", include("petitions.urls")),
    path("reports/", include("reports.urls")),
]

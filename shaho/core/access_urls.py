"""URLs of the account's security pages (included at /account/ by shaho/urls.py)."""

from django.urls import path

from . import access_views

urlpatterns = [
    path("otp/verify/", access_views.otp_verify, name="otp_verify"),
    path("otp/setup/", access_views.otp_setup, name="otp_setup"),
    path("otp/disable/", access_views.otp_disable, name="otp_disable"),
    path("logout-everywhere/", access_views.logout_everywhere, name="logout_everywhere"),
]

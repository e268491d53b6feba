"""URLs of the account's security pages (included at /account/ by shaho/urls.py)."""

from django.urls import path

from . import access_views
from .api import pages as api_pages

urlpatterns = [
    path("otp/verify/", access_views.otp_verify, name="otp_verify"),
    path("otp/setup/", access_views.otp_setup, name="otp_setup"),
    path("otp/disable/", access_views.otp_disable, name="otp_disable"),
    path("logout-everywhere/", access_views.logout_everywhere, name="logout_everywhere"),
    # The read API's tokens (issue 21): a council's staff make and revoke them here; the secret is shown once.
    path("api-tokens/", api_pages.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/", api_pages.api_token_edit, name="api_token_edit"),
    path("api-tokens/<int:pk>/revoke/", api_pages.api_token_revoke, name="api_token_revoke"),
]

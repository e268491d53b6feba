"""/api/v1/campaigns/ (included by shaho/api_urls.py under the "api" namespace)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("actions", views.ActionViewSet, basename="campaign-action")
router.register("", views.CampaignViewSet, basename="campaign")

urlpatterns = [
    path("calendar/", views.CalendarView.as_view(), name="campaign-calendar"),
    path("calendar/feed/", views.CalendarFeedView.as_view(), name="campaign-calendar-feed"),
    path("<int:pk>/counts/", views.CampaignCountsView.as_view(), name="campaign-counts"),
    path("<int:pk>/organisations/", views.CampaignOrganisationsView.as_view(), name="campaign-organisations"),
    *router.urls,
]

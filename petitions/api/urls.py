"""/api/v1/petitions/ (included by shaho/api_urls.py under the "api" namespace)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("drives", views.PetitionDriveViewSet, basename="petition-drive")
router.register("goals", views.PetitionGoalViewSet, basename="petition-goal")
router.register("entries", views.TallyEntryViewSet, basename="petition-entry")

urlpatterns = [
    path("drives/<int:pk>/tally-table/", views.TallyTableView.as_view(), name="petition-tally-table"),
    *router.urls,
]

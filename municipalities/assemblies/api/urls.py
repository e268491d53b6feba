"""/api/v1/assemblies/ (included by shaho/api_urls.py under the "api" namespace)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("petitions", views.AssemblyPetitionViewSet, basename="assembly-petition")

urlpatterns = [
    path("campaigns/<int:pk>/adoptions/", views.AdoptionCountView.as_view(), name="assembly-adoptions"),
    path("party-votes/", views.PartyRecordView.as_view(), name="assembly-party-votes"),
    *router.urls,
]

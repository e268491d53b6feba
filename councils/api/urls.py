"""/api/v1/councils/ (included by shaho/api_urls.py under the "api" namespace)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("", views.CouncilViewSet, basename="council")

urlpatterns = [
    path("census/", views.CensusView.as_view(), name="council-census"),
    path("coverage/", views.CoverageView.as_view(), name="council-coverage"),
    *router.urls,
]

"""/api/v1/consultations/ (included by shaho/api_urls.py under the "api" namespace): days and totals only."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("days", views.ConsultationDayViewSet, basename="consultation-day")

urlpatterns = [
    path("days/<int:pk>/totals/", views.DayTotalsView.as_view(), name="consultation-day-totals"),
    *router.urls,
]

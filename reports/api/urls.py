"""/api/v1/reports/ (included by shaho/api_urls.py under the "api" namespace)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("jobs", views.ReportJobViewSet, basename="report-job")

urlpatterns = [
    path("jobs/<int:pk>/file/", views.JobFileView.as_view(), name="report-job-file"),
    *router.urls,
]

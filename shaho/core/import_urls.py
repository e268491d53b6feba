from django.urls import path

from . import import_views

app_name = "imports"

urlpatterns = [
    path("jobs/<uuid:token>/", import_views.job, name="job"),
    path("jobs/<uuid:token>/status.json", import_views.job_status, name="job_status"),
    path("jobs/<uuid:token>/outcome/", import_views.job_outcome, name="job_outcome"),
]

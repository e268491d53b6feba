from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.downloads, name="downloads"),
    path("new/", views.new_report, name="new"),
    path("new/<slug:kind>/", views.new_report, name="new_kind"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<uuid:token>/", views.job_detail, name="job"),
    path("jobs/<uuid:token>/status.json", views.job_status, name="job_status"),
    path("jobs/<uuid:token>/publish/", views.job_publish, name="job_publish"),
    path("<uuid:token>/download/", views.download, name="download"),
]

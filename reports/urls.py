from django.urls import path

from . import views
from .newsletters import views as newsletters

app_name = "reports"

urlpatterns = [
    path("", views.downloads, name="downloads"),
    path("new/", views.new_report, name="new"),
    path("new/<slug:kind>/", views.new_report, name="new_kind"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<uuid:token>/", views.job_detail, name="job"),
    path("jobs/<uuid:token>/status.json", views.job_status, name="job_status"),
    path("jobs/<uuid:token>/publish/", views.job_publish, name="job_publish"),
    path("jobs/<uuid:token>/rerun/", views.job_rerun, name="job_rerun"),
    path("<uuid:token>/download/", views.download, name="download"),
    path("<uuid:token>/read/", newsletters.read, name="newsletter_read"),
    path("<uuid:token>/photos/<int:photo_id>/", newsletters.photo, name="newsletter_photo"),
    path("newsletters/digest/", newsletters.digest, name="newsletter_digest"),
    path("newsletters/<int:pk>/from-record/", newsletters.from_record, name="newsletter_from_record"),
    path("newsletters/<int:pk>/export.<str:fmt>", newsletters.export, name="newsletter_export"),
]

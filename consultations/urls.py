from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.day_list, name="days"),
    path("days/<int:pk>/", views.day_detail, name="day"),
    path("days/<int:pk>/totals.xlsx", views.day_xlsx, name="day_xlsx"),
    path("stations/<int:pk>/", views.station_detail, name="station"),
    path("stations/<int:pk>/calls/new/", views.call_new, name="call_new"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("read-log/", views.read_log, name="read_log"),
    path("retention/", views.retention, name="retention"),
]

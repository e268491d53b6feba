"""Public pages (no login): counts of the published consultation days, for the press release.

Mounted by shaho/urls.py under /public/consultations/ (the /public/ index page is another slice's).
"""

from django.urls import path

from . import views

app_name = "public_consultations"

urlpatterns = [
    path("", views.public_days, name="days"),
    path("<int:pk>/", views.public_day, name="day"),
]

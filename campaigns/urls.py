from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("print/", views.calendar_print, name="calendar_print"),
    path("export/", views.export, name="export"),
    path("street/", views.street_entry, name="street_entry"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]

"""The public adoption maps (/public/assemblies/, no login): a national campaign's outcomes per municipality."""

from django.urls import path

from . import views

app_name = "public_assemblies"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("<slug:slug>/", views.public_campaign, name="campaign"),
    path("<slug:slug>/<str:code>/", views.public_prefecture, name="prefecture"),
]

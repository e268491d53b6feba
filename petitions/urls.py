from django.urls import path

from . import views

app_name = "petitions"

urlpatterns = [
    path("", views.petition_list, name="list"),
    path("entry/", views.entry, name="entry"),
    path("entry/<int:pk>/", views.entry_done, name="entry_done"),
    path("entry/<int:pk>/correct/", views.correct, name="correct"),
    path("<slug:slug>/", views.national, name="national"),
    path("<slug:slug>/prefecture/<str:code>/", views.prefecture, name="prefecture"),
]

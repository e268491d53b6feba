from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("prefectures/<str:code>/", views.public_prefecture, name="prefecture"),
    path("caravans/<int:pk>/", views.public_questionnaire, name="questionnaire"),
    path("caravans/<int:pk>/map/", views.public_answer_map, name="answer_map"),
    path("caravans/<int:pk>/<str:code>/", views.public_municipality, name="municipality"),
]

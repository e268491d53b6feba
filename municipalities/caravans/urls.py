from django.urls import path

from . import views

app_name = "caravans"

urlpatterns = [
    path("", views.caravan_list, name="list"),
    path("<int:pk>/", views.caravan_detail, name="caravan"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire"),
    path("questionnaires/<int:pk>/answers/<str:code>/", views.answer_entry, name="answer_entry"),
    path("templates/<int:pk>/copy/", views.copy_template, name="copy_template"),
    path("municipalities/<str:code>/", views.municipality_indicators, name="municipality"),
    path("indicators/<str:code>/<slug:key>/", views.prefecture_indicator, name="indicator"),
]

"""/api/v1/caravans/ (included by shaho/api_urls.py under the "api" namespace)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("questionnaires", views.QuestionnaireViewSet, basename="caravan-questionnaire")

urlpatterns = [
    path("questionnaires/<int:pk>/answers/", views.PublishedAnswersView.as_view(), name="caravan-answers"),
    path(
        "municipalities/<str:code>/indicators/",
        views.MunicipalityIndicatorsView.as_view(),
        name="caravan-municipality-indicators",
    ),
    path(
        "prefectures/<str:code>/indicators/<slug:key>/",
        views.PrefectureIndicatorView.as_view(),
        name="caravan-prefecture-indicator",
    ),
    *router.urls,
]

"""The read API, `/api/v1/` (issue 21; docs/api.md): each app's routes from its `api/urls.py`, the OpenAPI schema
and its documentation page. The top layer beside shaho/urls.py: the one other module allowed to import every app."""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.exceptions import NotFound

app_name = "api"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files; the init script a served file, the page's CSS a static file."""

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def not_found(request, rest=""):
    """Any other path under /api/v1/: the JSON 404 of the error shape, not the site's HTML page."""
    raise NotFound()


urlpatterns = [
    path("councils/", include("councils.api.urls")),
    path("petitions/", include("petitions.api.urls")),
    path("campaigns/", include("campaigns.api.urls")),
    path("caravans/", include("municipalities.caravans.api.urls")),
    path("assemblies/", include("municipalities.assemblies.api.urls")),
    path("consultations/", include("consultations.api.urls")),
    path("reports/", include("reports.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    re_path(r"^(?P<rest>.*)$", not_found, name="not_found"),
]

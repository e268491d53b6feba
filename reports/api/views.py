"""The reports API: the finished reports the token's council may download and their files.

Who may download is `reports.selectors.downloadable_jobs`, the rule of the site's download view (reports
published to the council's members or to all, and, for a 事務局 token, every finished job of the councils in its
scope); the file is served by `reports.downloads.job_file_response`, the site's own streaming code. The token
principal has no session, so the site's download URL does not answer it: the API serves the same file at
`/api/v1/reports/jobs/{id}/file/` with the token.
"""

from django.db.models import Count, F, Max, Sum
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.negotiation import DefaultContentNegotiation

from reports import selectors
from reports.downloads import job_file_response
from reports.models import ReportJob
from shaho.core.api.renderers import JSONRenderer
from shaho.core.api.schema import ERROR_SCHEMA, ja_schema
from shaho.core.api.views import ScopedReadOnlyAPIView, ScopedReadOnlyViewSet
from shaho.core.downloads import content_type_of

from .serializers import ReportJobSerializer

TAG = "報告書"


@extend_schema_view(
    list=ja_schema(
        "ダウンロードできる報告書の一覧",
        "トークンの社保協がダウンロードできる完成した報告書（会員に公開されたもの。事務局トークンは範囲の社保協の報告書"
        "すべて）。file_url をトークンのまま取得するとファイルです。",
    ),
    retrieve=ja_schema("報告書", "ダウンロードできる報告書ひとつ。"),
)
class ReportJobViewSet(ScopedReadOnlyViewSet):
    api_tag = TAG
    serializer_class = ReportJobSerializer
    export_name = "reports"
    ordering = [F("published_at").desc(nulls_last=True), "-finished_at"]
    lookup_value_regex = r"\d+"
    version_models = [ReportJob]

    def base_queryset(self):
        return selectors.downloadable_jobs(user=self.request.user).defer("web_html", "steps", "params")

    def get_queryset(self):
        # Not `restrict()` on top: the rule is the download page's (`downloadable_jobs`, built on `scope_for`), which
        # also holds the reports published to every member (the national council's, outside a prefecture's scope).
        return self.base_queryset()

    def version_fingerprint(self, request):
        # The list's own rows in one query: report jobs keep no history table, and the list holds reports published
        # to every member beyond `restrict()`, so `rows_version` would miss a publication. Which jobs (count, ids)
        # and when they were finished and published is all that changes a finished job's row as listed.
        seen = (
            self.base_queryset()
            .order_by()
            .aggregate(
                n=Count("pk"), top=Max("pk"), ids=Sum("pk"), published=Max("published_at"), finished=Max("finished_at")
            )
        )
        return repr(sorted(seen.items()))


class FileGone(APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"
    default_detail = "この報告書のファイルはもうありません。サイトから作り直してください。"


class ErrorsAsJson(DefaultContentNegotiation):
    """The file endpoint answers a file whatever Accept asks (a PDF reader sends application/pdf); its errors are
    JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type


@extend_schema_view(
    get=extend_schema(
        summary="報告書のファイル",
        description="報告書のファイル（PDF・xlsx・CSV）をダウンロードします。サイトのダウンロードと同じ確認をします"
        "（範囲外・未公開は 404、ファイルが失われていれば 410）。",
        responses={
            **{
                (200, content_type_of(kind).split(";")[0]): OpenApiResponse(
                    OpenApiTypes.BINARY, description="ファイル（Content-Disposition: attachment）"
                )
                for kind in ("pdf", "xlsx", "csv")
            },
            410: OpenApiResponse(ERROR_SCHEMA, description="ファイルが失われています（サイトから作り直してください）"),
        },
    )
)
class JobFileView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = None
    content_negotiation_class = ErrorsAsJson
    version_models = [ReportJob]

    def get(self, request, *args, **kwargs):
        job = selectors.downloadable_jobs(user=request.user).filter(pk=self.kwargs["pk"]).first()
        if job is None:
            raise NotFound("その報告書は見つからないか、このトークンではダウンロードできません。")
        response = job_file_response(job)
        if response is None:
            raise FileGone()
        return response

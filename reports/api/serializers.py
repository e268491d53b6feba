"""The reports API's shape: a finished report the token's council may download, with its download links."""

from django.urls import reverse
from rest_framework import serializers

from reports.models import ReportJob
from shaho.core.report_kinds import kind_label


class ReportJobSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField(label="種類（表示名）")
    audience_label = serializers.CharField(source="get_audience_display", read_only=True, label="公開範囲（表示名）")
    file_url = serializers.SerializerMethodField(label="ファイル（このAPIでトークンのまま取れるURL）")
    download_url = serializers.SerializerMethodField(label="サイトのダウンロードURL（ログインして開く）")

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "format",
            "council",
            "as_of",
            "finished_at",
            "audience",
            "audience_label",
            "published_at",
            "file_size",
            "page_count",
            "sha256",
            "file_url",
            "download_url",
        ]
        read_only_fields = fields

    def get_kind_label(self, job) -> str:
        return str(kind_label(job.kind))

    def _absolute(self, path):
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_file_url(self, job) -> str:
        return self._absolute(reverse("api:report-job-file", args=[job.pk]))

    def get_download_url(self, job) -> str:
        return self._absolute(reverse("reports:download", args=[job.token]))

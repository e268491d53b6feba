"""The OpenAPI schema in Japanese: tags, summaries, the token scheme, the error shape, common parameters.

Field names stay English; their labels (`verbose_name` of the model fields, or `label=` on serializer fields)
become each property's `title`, `help_text` its `description`. A view says what it is with `api_tag` (the
section in the docs) and its operations with `ja_schema(...)`:

    @extend_schema_view(list=ja_schema("社保協の一覧", "トークンの範囲の社保協…"), retrieve=ja_schema("社保協"))
    class CouncilViewSet(ScopedReadOnlyViewSet):
        api_tag = "社保協"
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers

ERROR_SCHEMA = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "code": serializers.CharField(
                    label="エラーの種類（not_authenticated, not_found, invalid, throttled など）"
                ),
                "message": serializers.CharField(label="説明（日本語）"),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()),
                    required=False,
                    label="項目ごとの誤り（400 のとき）",
                ),
            },
        )
    },
)

ERROR_RESPONSES = {
    400: OpenApiResponse(ERROR_SCHEMA, description="指定に誤りがあります"),
    401: OpenApiResponse(
        ERROR_SCHEMA, description="トークンがない・無効・失効・期限切れ・接続元の制限外（理由は区別しません）"
    ),
    404: OpenApiResponse(ERROR_SCHEMA, description="見つからないか、このトークンの範囲外です"),
    429: OpenApiResponse(ERROR_SCHEMA, description="リクエストが多すぎます（Retry-After 秒後に再試行）"),
}


def ja_schema(summary, description="", *, parameters=(), responses=None, **kwargs):
    """`extend_schema` with a Japanese summary and description (the error responses are added to every operation
    by ShahoAutoSchema). `responses`: the 200 answer's serializer when the view's own is not it."""
    if responses is not None:
        kwargs["responses"] = responses
    return extend_schema(summary=summary, description=description, parameters=list(parameters), **kwargs)


def date_parameter(name, description, *, required=False):
    return OpenApiParameter(name, OpenApiTypes.DATE, OpenApiParameter.QUERY, required=required, description=description)


MODIFIED_SINCE = OpenApiParameter(
    "modified_since",
    str,
    OpenApiParameter.QUERY,
    description="この日時（ISO 8601。日付だけなら日本時間のその日の0時）以降に入力・更新された行だけ",
)


class ShahoAutoSchema(AutoSchema):
    """REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]: the view's `api_tag` as its tag, ?modified_since= where it works."""

    def get_tags(self):
        tag = getattr(self.view, "api_tag", None)
        return [tag] if tag else super().get_tags()

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if getattr(self.view, "modified_since_field", None) and getattr(self.view, "action", None) == "list":
            parameters.append(MODIFIED_SINCE)
        return parameters

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        for code, response in ERROR_RESPONSES.items():
            bodies.setdefault(
                str(code),
                self._get_response_for_code(response.response, str(code), None, direction)
                | {"description": response.description},
            )
        return bodies

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        # Errors are always JSON (views.ApiViewMixin), whatever the endpoint's renderers.
        if str(status_code).startswith(("4", "5")):
            media_types = ["application/json"]
        return super()._get_response_for_code(serializer, status_code, media_types, direction)


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "shaho.core.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "「Token shaho_xxxxxxxxxxxxxxxx.秘密の部分」（トークンは作成時に一度だけ表示されます）",
        }

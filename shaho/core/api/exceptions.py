"""One JSON error shape for every API error, in Japanese:

    {"error": {"code": "not_found", "message": "見つかりません。", "fields": {"date": ["…"]}}}

`code` is stable (clients branch on it), `message` is for people, `fields` (only for 400) names each field's
problems. Every 401 is the same whatever the reason (authentication.py).
"""

import logging
import math

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from .authentication import NOT_AUTHENTICATED

logger = logging.getLogger("shaho.api")

MESSAGES = {
    "not_found": "見つかりません。",
    "permission_denied": "この操作の権限がありません。",
    "parse_error": "リクエストの形式が正しくありません。",
    "unsupported_media_type": "この形式のデータは受け付けません。",
    "not_acceptable": "指定の形式では返せません（json・csv・xlsx のどれかを指定してください）。",
    "server_error": "サーバーでエラーが起きました。時間をおいてもう一度お試しください。",
}


def error_body(code, message, fields=None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return body


def _messages(detail):
    """DRF's ValidationError detail as {field: [message, …]} (non-field errors under "non_field_errors")."""
    if isinstance(detail, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {"non_field_errors": [str(detail)]}


def api_exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error, expected or not, as `error_body`."""
    headers = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # The same status, body and headers for a missing, made-up, revoked, expired or misplaced token.
        return Response(
            error_body("not_authenticated", NOT_AUTHENTICATED),
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": 'Token realm="api"'},
        )
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        set_rollback()
        if isinstance(exc, exceptions.Throttled):
            wait = max(1, math.ceil(exc.wait or 1))
            headers["Retry-After"] = str(wait)
            body = error_body("throttled", f"リクエストが多すぎます。{wait}秒後にもう一度お試しください。")
        elif isinstance(exc, exceptions.MethodNotAllowed):
            method = context["request"].method if context.get("request") else ""
            body = error_body("method_not_allowed", f"このAPIは読み取り専用です（{method} は使えません）。")
        elif isinstance(exc, exceptions.ValidationError):
            body = error_body("invalid", "入力に誤りがあります。", _messages(exc.detail))
        else:
            code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
            # A view's own message (「そのページはありません。」) stays; DRF's default one becomes ours.
            own = str(exc.detail) != str(exc.default_detail)
            body = error_body(code, str(exc.detail) if own or code not in MESSAGES else MESSAGES[code])
        return Response(body, status=exc.status_code, headers=headers)
    # Anything else is a bug: logged with its traceback, answered with the same shape (never the details).
    logger.exception("API error", exc_info=exc)
    set_rollback()
    return Response(error_body("server_error", MESSAGES["server_error"]), status=500)

"""System checks of the API's settings (registered in CoreConfig.ready)."""

from django.conf import settings
from django.core.checks import Error


def api_token_pepper_check(app_configs=None, **kwargs):
    if getattr(settings, "SHAHO_API_TOKEN_PEPPER", ""):
        return []
    return [
        Error(
            "SHAHO_API_TOKEN_PEPPER is not set.",
            hint="API tokens are stored as HMAC-SHA256(pepper, secret): set a long random value in the environment "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))') and keep it out of the database backups.",
            id="shaho.E021",
        )
    ]


def api_rate_check(app_configs=None, **kwargs):
    from .throttling import parse_rates

    try:
        parse_rates(getattr(settings, "SHAHO_API_RATE", ""))
    except ValueError as exc:
        return [Error(str(exc), id="shaho.E022")]
    return []

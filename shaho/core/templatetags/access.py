"""{% security_card %}: the account page's login-and-security card (two-factor, logout everywhere)."""

from django import template
from django_otp import user_has_device

from shaho.core.access import otp_required_for
from shaho.core.roles import is_staff_user

register = template.Library()


@register.inclusion_tag("account/_security_card.html", takes_context=True)
def security_card(context):
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "has_device": user_has_device(request.user, confirmed=True),
        "required": otp_required_for(request.user),
        "may_manage_api_tokens": is_staff_user(request.user),
    }

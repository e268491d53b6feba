"""access: its part of the query-count test (tests/test_query_counts.py).

BUILDERS (admin model → how to add k rows the staff may see), NATIONAL_ONLY (lists Kanagawa's staff never
see 30 rows of) and SITE_PAGES (page → (its URL for a world, how to add k rows it lists)), gathered by the engine.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.councils.factories import staff_of
from tests.walk_kit import serial


def _login_rows(model):
    def build(world, k):
        for _ in range(k):
            n = next(serial)
            model.objects.create(
                username=f"user{n}", ip_address=f"192.0.2.{n % 250}", user_agent="Mozilla/5.0", path_info="/login/",
                **({"failures_since_start": 3, "get_data": "", "post_data": "", "http_accept": "*/*"}
                   if model is AccessAttempt else {}),
            )  # fmt: skip

    return build


def _authenticators(world, k):
    for _ in range(k):
        TOTPDevice.objects.create(user=staff_of(world.local()), name="スマートフォン", confirmed=True)


BUILDERS = {
    AccessAttempt: _login_rows(AccessAttempt),
    AccessLog: _login_rows(AccessLog),
    AccessFailureLog: _login_rows(AccessFailureLog),
    TOTPDevice: _authenticators,
}


# The lock-out and authenticator lists are national staff's only.
NATIONAL_ONLY = {AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice}

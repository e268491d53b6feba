"""Helpers for campaigns tests: actions recorded through the service, as the phone form and the admin do."""

import datetime

from campaigns import services
from campaigns.models import ActionKind

D = datetime.date
T = datetime.time


def kind(code):
    return ActionKind.objects.get(code=code)


def action(user, organiser, *, code="street", title="宣伝行動", starts_on=None, **kwargs):
    return services.action_record(
        user=user, kind=kind(code), organiser=organiser, title=title, starts_on=starts_on or D(2024, 1, 10), **kwargs
    ).action


SAKURAGICHO_ROWS = [
    ("保険医協会", 7, "うち開業医2人"), ("建設労連・神奈川土建", 4, ""), ("神奈川労連", 3, ""), ("自治労連", 3, ""),
    ("年金者組合", 2, ""), ("福保労", 1, ""), ("国公労連", 1, ""), ("なくす会", 1, ""), ("日本共産党", 1, ""),
    ("川崎社保協", 1, ""), ("県社保協", 2, ""),
]  # fmt: skip


def rows(spec=SAKURAGICHO_ROWS):
    return [{"organisation_name": name, "count": count, "note": note} for name, count, note in spec]

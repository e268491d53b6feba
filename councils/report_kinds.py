"""The federation's report kind (社保協名簿) and the lookups every kind uses to name a prefecture or a council.

Registered by CouncilsConfig.ready() into the registry in shaho.core.report_kinds; nothing here
imports the reports app, which renders what this module gathers.
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.registry.models import Prefecture
from shaho.core.japanese import format_date
from shaho.core.report_kinds import Built, Param, ParamType, ReportKind, Request, check_param_names, register_kind
from shaho.core.scoping import system_user

from .models import CouncilKind
from .selectors import (
    council_directory,
    council_of_prefecture,
    local_council_list,
    national_council,
    prefecture_choices,
    visible_prefecture,
)

# --- 社保協名簿 (council_directory) ------------------------------------------------


def _directory_clean(*, params, user):
    check_param_names(DIRECTORY, params)
    value = str(params.get("prefecture", "")).strip()
    if value:
        prefecture = visible_prefecture(value, user=user)
        return Request(
            params={"prefecture": prefecture.code},
            council=council_of_prefecture(prefecture),
            title=f"{prefecture.name} 社保協名簿",
        )
    if not system_user(user):
        raise ValidationError("全国の社保協名簿は中央事務局だけが作成できます。都道府県を指定してください。")
    return Request(params={}, council=national_council(), title="全国 社保協名簿")


def _directory_build(*, params, user, progress):
    today = timezone.localdate()
    prefecture = Prefecture.objects.get(code=params["prefecture"]) if params.get("prefecture") else None
    councils = council_directory(date=today, prefecture=prefecture)
    progress(20, "名簿を集計中")
    locals_ = local_council_list(date=today, prefecture=prefecture)
    municipalities = {c.pk: c.municipalities.all() for group in locals_ for c in group.councils}
    for council in councils:
        council.covered = municipalities.get(council.pk, [])
    title = f"{prefecture.name if prefecture else '全国'} 社保協名簿"
    council = council_of_prefecture(prefecture) if prefecture else national_council()
    return Built(
        template="reports/council_directory.html",
        context={
            "document_title": title,
            "council": council,
            "prefecture": prefecture,
            **directory_layout(councils),
            "as_of": format_date(today),
        },
    )


def _directory_columns(councils):
    """Which optional columns of a list of the 名簿 have something to say (the name is always printed)."""
    return {
        "prefecture": len({c.prefecture_id for c in councils}) > 1,
        "kind": len({c.kind for c in councils}) > 1,
        "address": any(c.address or c.postal_code for c in councils),
        "phone": any(c.phone or c.fax for c in councils),
        "officers": any(c.directory_officers for c in councils),
        "covered": any(c.covered for c in councils),
    }


def directory_layout(councils):
    """The 社保協名簿's two lists (the councils, then the friendly organisations), the columns worth
    printing and the figures per kind.

    A column that says the same on every row (the 都道府県 of a one-prefecture list) or nothing on any
    row (所在地 and 電話・FAX before they are entered) is left out: it only narrowed the names.
    """
    members = [c for c in councils if c.kind != CouncilKind.FRIENDLY]
    friendly = [c for c in councils if c.kind == CouncilKind.FRIENDLY]
    counts = Counter(c.kind for c in councils)
    figures = [
        f"{label}{counts[kind]:,}"
        for kind, label in CouncilKind.choices
        if counts[kind] and kind not in (CouncilKind.FRIENDLY,)
    ]
    columns = _directory_columns(members)
    return {
        "councils": members,
        "friendly": friendly,
        "columns": columns,
        "friendly_columns": _directory_columns(friendly),
        "column_count": 1 + sum(columns.values()),
        "figures": "、".join(figures) + f"（計{len(members):,}）" if figures else "",
        "friendly_figure": f"友好組織{len(friendly):,}" if friendly else "",
    }


DIRECTORY = register_kind(
    ReportKind(
        name="council_directory",
        label=_("社保協名簿"),
        params=(
            Param(
                "prefecture",
                "都道府県",
                ParamType.CHOICE,
                help="コード（14）か名前。省略すると全国（中央事務局のみ）",
                choices=prefecture_choices,
                blank_label="全国",
                blank_allowed=system_user,
            ),
        ),
        clean=_directory_clean,
        build=_directory_build,
        summary=_("社保協の名簿: 名称・種別・所在地・電話とFAX・役員・活動する市区町村（都道府県ごと、または全国）"),
    )
)

"""Lists as staff read them (issue 16): 74,366 not 74366, no slugs as columns, one 年度 in a title,
「2026年12月6日 18:01」, Japanese headings for 「PK」 and 「OTP_TOTP」, a change printed like its answers.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone

from campaigns.models import StudyGoal
from councils.models import Role
from municipalities.caravans import services as caravan_services
from municipalities.caravans.report_kinds import COMPILATION
from municipalities.caravans.selectors import format_change
from municipalities.models import AnswerKind, Municipality
from petitions.models import PetitionGoal
from shaho.core.japanese import with_fiscal_year, without_fiscal_year
from tests.councils.factories import staff_of
from tests.petitions.factories import PetitionDriveFactory

D = datetime.date


@pytest.mark.django_db
def test_admin_lists_print_counts_with_thousands_separators_and_years_without(client, national_staff, kanagawa):
    PetitionGoal.objects.create(petition=PetitionDriveFactory(), council=kanagawa, goal=1_000_000)
    StudyGoal.objects.create(council=kanagawa, year=2025, goal=74366)
    client.force_login(national_staff)
    goals = client.get(reverse("admin:petitions_petitiongoal_changelist")).content.decode()
    assert '<td class="field-goal">1,000,000</td>' in goals
    assert 'class="sortable column-goal"' in goals  # still sorted by the field
    study = client.get(reverse("admin:campaigns_studygoal_changelist")).content.decode()
    assert '<td class="field-goal">74,366</td>' in study
    assert "2,025" not in study and ">2025<" in study


def test_no_internal_identifiers_as_list_columns():
    """Slugs (`street`, `kokuho-ikensho`) and database ids are for the code, not for staff's lists."""
    shown = []
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.list_display:
            if name in ("pk", "id"):
                shown.append(f"{model.__name__}.{name}")
                continue
            try:
                field = model._meta.get_field(name) if isinstance(name, str) else None
            except Exception:
                continue
            if isinstance(field, models.SlugField):
                shown.append(f"{model.__name__}.{name}")
    assert not shown


def test_call_records_are_numbered_in_japanese():
    from django.contrib.admin.utils import label_for_field

    from consultations.models import CallRecord

    model_admin = admin.site._registry[CallRecord]
    labels = [str(label_for_field(name, CallRecord, model_admin)) for name in model_admin.list_display]
    assert labels[0] == "番号" and "Pk" not in labels and "PK" not in labels


@pytest.mark.django_db
def test_the_authenticator_section_has_a_japanese_heading(client, national_staff):
    client.force_login(national_staff)
    page = client.get(reverse("admin:index")).content.decode()
    assert "二要素認証" in page
    assert "Otp_Totp" not in page and "OTP_TOTP" not in page


def test_date_and_time_are_printed_with_a_space_between():
    moment = timezone.make_aware(datetime.datetime(2026, 12, 6, 18, 1))
    assert formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") == "2026年12月6日 18:01"


def test_a_title_carries_its_year_once():
    assert with_fiscal_year(2023, "2023年度 市町村国保担当課との懇談") == "2023年度 市町村国保担当課との懇談"
    assert with_fiscal_year(2023, "市町村国保担当課との懇談") == "2023年度 市町村国保担当課との懇談"
    assert without_fiscal_year(2019, "2019年度 キャラバン事前アンケート") == "キャラバン事前アンケート"
    assert without_fiscal_year(2019, "キャラバン事前アンケート") == "キャラバン事前アンケート"


@pytest.mark.django_db
def test_caravans_questionnaires_talks_and_the_compilation_name_the_year_once(kanagawa):
    user = staff_of(kanagawa, role=Role.COUNCIL_STAFF)
    questionnaire = caravan_services.questionnaire_create(
        user=user, council=kanagawa, prefecture=kanagawa.prefecture, fiscal_year=2019,
        title="2019年度 キャラバン事前アンケート",
        sections=[("国保", [{"code": "1", "text": "資格確認書を全員に送付するか", "kind": "yes_no"}])],
    )  # fmt: skip
    city = Municipality.objects.get(code="141003")
    caravan = caravan_services.caravan_create(
        user=user, council=kanagawa, fiscal_year=2019, title="2019年度 自治体キャラバン", municipalities=[city],
        questionnaire=questionnaire,
    )  # fmt: skip
    assert str(questionnaire) == "2019年度 キャラバン事前アンケート"
    assert str(caravan) == "2019年度 自治体キャラバン"
    assert str(caravan.targets.get()) == "2019年度 自治体キャラバン: 横浜市"  # the talks' and letters' column
    request = COMPILATION.clean(params={"prefecture": "14", "year": "2019"}, user=user)
    assert request.title == "2019年度 神奈川県 キャラバン事前アンケート 資料集"


def test_an_indicators_change_is_printed_like_its_answers():
    money = SimpleNamespace(kind=AnswerKind.MONEY, unit="")
    assert format_change(money, Decimal(12000)) == "＋12,000円"
    assert format_change(money, Decimal(-3500)) == "−3,500円"
    assert format_change(money, Decimal(0)) == "±0円"
    assert format_change(SimpleNamespace(kind=AnswerKind.INTEGER, unit="人"), Decimal(1200)) == "＋1,200人"
    assert format_change(SimpleNamespace(kind=AnswerKind.AGE, unit=""), Decimal(-2)) == "−2歳"
    assert format_change(SimpleNamespace(kind=AnswerKind.PERCENT, unit=""), Decimal("1.50")) == "＋1.5ポイント"
    assert format_change(SimpleNamespace(kind=AnswerKind.YES_NO, unit=""), Decimal(1)) == ""
    assert format_change(money, None) == ""


# Numeric cells that are not counts: minutes of a call, a share in percent, years of retention, a file's row
# number, a demand's number in a talk, a unit price already written out (「1.6円」), a year and a heading in a
# table's head.
NOT_COUNTS = {
    "c.duration_minutes", "t.long_share", "t.long_share_last_year", "run.retention_years", "row.number",
    "item.number", "unit_price", "y", "h",
    # Formatted before the template: a summary's cells ("1,234部"), the 資料集's answers (models: f"{n:,}{unit}"),
    # and the headers of both (words).
    "cell", "c", "header", "q.header",
}  # fmt: skip


def test_every_numeric_table_cell_prints_its_count_with_thousands_separators():
    """A cell marked `num` that prints a bare variable shows 1741 for Japan's municipalities, not 1,741."""
    import re
    from pathlib import Path

    from django.conf import settings

    cell = re.compile(r'class="num[^"]*"[^>]*>(?:\{% if [^%]*%\})?\{\{ *([a-z_.]+) *\}\}')
    bare = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        for variable in cell.findall(path.read_text(encoding="utf-8")):
            if variable not in NOT_COUNTS and not variable.endswith("display"):  # display: formatted already
                bare.append(f"{path.relative_to(settings.BASE_DIR)}: {{{{ {variable} }}}}")
    assert not bare, "numeric cells without |intcomma:\n" + "\n".join(bare)

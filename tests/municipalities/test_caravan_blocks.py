"""Blocks of the caravans: a prefecture's talks of a period item by item (茅ヶ崎市, 2023年11月2日: seed 003) and the
caravans of a year per prefecture, from the demo's rows and within the reader's scope."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from councils.models import Council, Role
from municipalities.caravans.selectors import caravan_figures, caravan_of
from municipalities.models import Caravan, CaravanTarget, Prefecture, Talk, TalkItem
from shaho.core import blocks
from shaho.core.figures import PlaceholderContext
from tests.councils.factories import staff_of

pytestmark = pytest.mark.django_db
D = datetime.date
TALKS = "{{ caravan.talks prefecture=14 start=2023-11-01 end=2023-12-31 }}"
INTERNAL = "次回は保険料水準の統一化について資料を持参する。"


def ctx(user=None):
    return PlaceholderContext(date=D(2024, 3, 31), user=user)


def html(source, user=None):
    return str(blocks.resolve_one(source, ctx(user)).render())


def text(source, user=None):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(source, user)))


@pytest.fixture
def kanagawa_reader(demo_caravans, db):
    return staff_of(Council.objects.get(kind="prefectural", prefecture__code="14"), role=Role.COUNCIL_STAFF)


# --- caravan.talks -------------------------------------------------------------------------------------------


def test_the_chigasaki_talk_prints_who_came_and_each_item(demo_caravans, db):
    out = text(TALKS)
    assert "茅ヶ崎市 （2023年11月2日 14:00、茅ヶ崎市役所）" in out
    assert "参加：こちら6人（茅ヶ崎社保協5人、神奈川県社保協（医療保険改善委員会）1人）、行政側4人" in out
    assert "評価：前進1、現状維持3、回答なし1" in out
    # Item by item: demand, answer, evaluation, follow-up with its date.
    assert "2 特養の増設と待機者 特養は12あり、待機者は296人。" in out
    item = "3 介護保険料の区分段階と所得限度額の見直し 見直しは検討していく。 前進"
    assert f"{item} 第9期の保険料段階を確認する（2024年3月31日まで）" in out
    assert out.count("現状維持") == 3 + 1  # three items and the tally


def test_the_internal_note_never_prints(demo_caravans, db):
    assert Talk.objects.filter(internal_note=INTERNAL).exists()
    assert "資料を持参" not in html(TALKS)


def test_japanese_punctuation_and_no_western_spaces_around_names(demo_caravans, db):
    out = re.sub(r"<[^>]+>", "", html(TALKS))
    assert ": " not in out and " 、" not in out and "、 " not in out


def test_a_period_without_talks_is_empty_and_says_so(demo_caravans, db):
    block = blocks.resolve_one("{{ caravan.talks prefecture=14 start=2024-01-01 end=2024-03-31 }}", ctx())
    assert block.empty and "神奈川県の自治体懇談の記録は、2024年1月1日〜2024年3月31日にはありません。" in block.render()


def test_talk_arguments_that_do_not_fit_are_refused_in_japanese(demo_caravans, db):
    with pytest.raises(ValidationError) as caught:
        blocks.extract("{{ caravan.talks prefecture=14 end=2023-12-31 }}", ctx())
    assert "{{ caravan.talks prefecture=14 end=2023-12-31 }}" in caught.value.messages[0]
    assert "start=開始日 と end=終了日" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        blocks.resolve_one("{{ caravan.talks start=2023-11-01 end=2023-12-31 }}", ctx())
    assert "prefecture=都道府県" in caught.value.messages[0]


def test_a_kanagawa_reader_cannot_name_tokyo_and_a_local_reader_sees_no_prefectural_talk(
    demo_caravans, kanagawa_reader
):
    # A talk of Tokyo's caravan in the same period: never in Kanagawa's block.
    tokyo_target = CaravanTarget.objects.filter(caravan__prefecture__code="13").first()
    Talk.objects.create(
        target=tokyo_target, held_at=timezone.make_aware(datetime.datetime(2023, 11, 15, 10)), place="東京の役所"
    )
    out = text(TALKS, kanagawa_reader)
    assert "茅ヶ崎市" in out and "東京の役所" not in out and "東京の役所" not in text(TALKS)
    with pytest.raises(ValidationError) as caught:
        blocks.resolve_one(TALKS.replace("prefecture=14", "prefecture=13"), ctx(kanagawa_reader))
    assert "都道府県「13」は指定できません" in caught.value.messages[0]
    # 茅ヶ崎社保協 sees its prefecture named but not the prefectural council's caravan (restrict()).
    chigasaki = staff_of(Council.objects.get(short_name="茅ヶ崎社保協"), role=Role.COUNCIL_STAFF)
    assert blocks.resolve_one(TALKS, ctx(chigasaki)).empty


def test_a_deleted_item_leaves_the_talk_and_its_tally(demo_caravans, db):
    TalkItem.objects.filter(demand="特養の増設と待機者").delete()
    out = text(TALKS)
    assert "特養の増設と待機者" not in out and "評価：前進1、現状維持2、回答なし1" in out
    Talk.objects.filter(place="茅ヶ崎市役所").delete()
    assert blocks.resolve_one(TALKS, ctx()).empty


def test_the_talks_query_count_does_not_grow(demo_caravans, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as few:  # the prefecture (two), talks, participations, officials, items
        html(TALKS)
    from municipalities.caravans import services

    user = staff_of(Council.objects.get(kind="prefectural", prefecture__code="14"), role=Role.COUNCIL_STAFF)
    for target in CaravanTarget.objects.filter(caravan__fiscal_year=2023, caravan__prefecture__code="14")[:5]:
        services.talk_record(
            user=user, target=target, held_at=timezone.make_aware(datetime.datetime(2023, 12, 5, 10)),
            participations=[("県社保協", 2)], officials=[("国保年金課", "課長", 1)],
            items=[{"demand": "国保料を引き下げること", "answer": "検討する", "evaluation": "advanced"}],
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert text(TALKS).count("国保年金課（課長）1人") == 5


# --- caravan.by_prefecture -----------------------------------------------------------------------------------


def test_the_2019_caravans_per_prefecture_agree_with_the_figures(demo_caravans, db):
    out = html("{{ caravan.by_prefecture year=2019 }}")
    saitama = caravan_figures(caravan=caravan_of(prefecture=Prefecture.objects.get(code="11"), year=2019))
    row = re.search(r"<tr><td>埼玉県</td>(.*?)</tr>", out)[1]
    cells = re.findall(r">([\d,]+)<", row)
    assert cells == [f"{saitama.targets:,}", f"{saitama.answered:,}", f"{saitama.visited:,}", "1,500"]
    assert "<td>大阪府</td>" in out and "1,400" in out
    # One total row, at the end: 埼玉 and 大阪 added up.
    assert out.count('class="total"') == 1 and out.index("大阪府") < out.index('class="total"')
    assert "計（2都道府県）" in out and "2,900" in out


def test_a_kanagawa_reader_never_sees_another_prefectures_caravan(demo_caravans, kanagawa_reader):
    out = html("{{ caravan.by_prefecture year=2023 }}", kanagawa_reader)
    assert "<td>神奈川県</td>" in out
    assert blocks.resolve_one("{{ caravan.by_prefecture year=2024 }}", ctx(kanagawa_reader)).empty  # Tokyo's year
    assert blocks.resolve_one("{{ caravan.by_prefecture year=2019 }}", ctx(kanagawa_reader)).empty
    assert "東京都" in html("{{ caravan.by_prefecture year=2024 }}")  # a system run sees it


def test_a_year_without_caravans_is_empty_and_a_bad_year_is_refused(demo_caravans, db):
    block = blocks.resolve_one("{{ caravan.by_prefecture year=2001 }}", ctx())
    assert block.empty and "2001年度の自治体キャラバンの記録はありません。" in block.render()
    for source, message in (
        ("{{ caravan.by_prefecture }}", "year=年度 を指定してください"),
        ("{{ caravan.by_prefecture year=去年 }}", "年度「去年」は 2019 のように"),
    ):
        with pytest.raises(ValidationError) as caught:
            blocks.extract(source, ctx())
        assert source in caught.value.messages[0] and message in caught.value.messages[0]


def test_a_deleted_caravan_or_visit_changes_the_table(demo_caravans, db):
    before = html("{{ caravan.by_prefecture year=2019 }}")
    target = CaravanTarget.objects.filter(caravan__prefecture__code="11", caravan__fiscal_year=2019).first()
    target.visited_on = None
    target.save()
    after = html("{{ caravan.by_prefecture year=2019 }}")
    assert after != before
    Caravan.objects.filter(prefecture__code="27", fiscal_year=2019).delete()
    out = html("{{ caravan.by_prefecture year=2019 }}")
    assert "大阪府" not in out and 'class="total"' not in out  # one prefecture: no total row


def test_the_per_prefecture_query_count_does_not_grow(demo_caravans, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(2) as few:
        html("{{ caravan.by_prefecture year=2023 }}")
    from municipalities.caravans import services

    user = staff_of(Council.objects.get(kind="prefectural", prefecture__code="11"), role=Role.COUNCIL_STAFF)
    services.caravan_create(user=user, council=user.council, fiscal_year=2023, title="2023年度 埼玉キャラバン")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "埼玉県" in html("{{ caravan.by_prefecture year=2023 }}")


def test_in_a_pdf_the_talk_prints_item_by_item_without_its_internal_note(demo_caravans, db):
    import io

    from pypdf import PdfReader

    from reports.documents import render_pdf

    body = html(TALKS) + html("{{ caravan.by_prefecture year=2019 }}")
    page = f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head><body>{body}</body>'
    reader = PdfReader(io.BytesIO(render_pdf(page).content))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    assert "評価：前進1、現状維持3、回答なし1" in text and "特養は12あり、待機者は296人。" in text
    assert "計（2都道府県）" in text and "2,900" in text
    assert "資料を持参" not in text

"""The materials' blocks: 「1,000冊注文、700冊を超えて普及」 and what each organisation ordered, from the data, over
what the document's user may see; the prefecture's block is empty (so the report leaves it out) without rows."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags

from campaigns.materials.blocks import distributed_phrase
from shaho.core import blocks
from shaho.core.figures import PlaceholderContext
from tests.councils.factories import local_council
from tests.materials.factories import D, handed_out, line, material, member, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_001(national, kanagawa, kanagawa_staff, tokyo, tokyo_staff):
    """Seed 001 §(4): the national council's pamphlet; Kanagawa's 1,000 with the five organisations' lines."""
    pamphlet = material(national)
    recipients = [
        (member(kanagawa, "神奈川県保険医協会", "保険医協会"), 200),
        (local_council("14", name="川崎社会保障推進協議会", short_name="川崎社保協"), 200),
        (local_council("14", name="平塚地域社会保障推進協議会", short_name="平塚社保協"), 20),
        (local_council("14", name="茅ヶ崎社会保障推進協議会", short_name="茅ヶ崎社保協"), 160),
        (member(kanagawa, "神奈川県建設労働組合連合会", "建設労連"), 100),
        (kanagawa, 320),
    ]
    order(kanagawa_staff, kanagawa, pamphlet, [line(r, q) for r, q in recipients], ordered_on=D(2023, 10, 20))
    handed_out(kanagawa_staff, kanagawa, pamphlet, 500, on=D(2023, 11, 18))
    handed_out(kanagawa_staff, kanagawa, pamphlet, 215, on=D(2023, 12, 10))
    order(tokyo_staff, tokyo, pamphlet, [line(tokyo, 999)], ordered_on=D(2023, 11, 1), note="東京だけ")
    return pamphlet


YEAR_END = D(2023, 12, 31)
TOTALS_14 = "{{ materials.totals material=kokuho-pamphlet prefecture=14 }}"


def _text(source, user, date=YEAR_END):
    block = blocks.resolve_one(source, PlaceholderContext(date=date, user=user))
    return block, "".join(strip_tags(block.render()).split())


def test_totals_print_the_seeds_sentence_and_the_five_organisations(seed_001, kanagawa_staff):
    _block, text = _text("{{ materials.totals material=kokuho-pamphlet prefecture=14 }}", kanagawa_staff)
    assert "中央社会保障推進協議会「新国保パンフ」の普及" in text
    assert "1,000冊注文、700冊を超えて普及。" in text
    assert "団体別では、保険医協会200冊、川崎社保協200冊、平塚社保協20冊、茅ヶ崎社保協160冊、建設労連100冊。" in text
    assert "999" not in text


def test_the_figures_are_as_of_the_documents_date(seed_001, kanagawa_staff):
    _block, text = _text(
        "{{ materials.totals material=kokuho-pamphlet prefecture=14 }}", kanagawa_staff, D(2023, 11, 30)
    )
    assert "1,000冊注文、500冊普及。" in text


def test_without_a_prefecture_the_publisher_sees_every_prefecture(seed_001, national_staff, kanagawa_staff):
    _block, text = _text(f"{{{{ materials.totals material={seed_001.pk} }}}}", national_staff)
    assert "東京都999" in text and "神奈川県1,0000715" in text and "計1,9990715" in text
    _block, text = _text(f"{{{{ materials.totals material={seed_001.pk} }}}}", kanagawa_staff)
    assert "東京都" not in text and "神奈川県1,000" in text


def test_the_prefecture_block_holds_the_materials_of_the_period_and_is_empty_otherwise(seed_001, kanagawa_staff):
    block, text = _text("{{ materials.prefecture prefecture=14 start=2023-11-01 end=2023-12-31 }}", kanagawa_staff)
    assert not block.empty and "1,000冊注文、700冊を超えて普及" in text
    block, text = _text("{{ materials.prefecture prefecture=14 start=2010-04-01 end=2010-05-31 }}", kanagawa_staff)
    assert block.empty and "この期間の資料の注文・普及の記録はありません。" in text


def test_a_material_outside_the_scope_reads_like_one_that_does_not_exist(kanagawa, tokyo, kanagawa_staff):
    material(tokyo, slug="tokyo-only", name="東京の資料集")
    with pytest.raises(ValidationError) as caught:
        _text("{{ materials.totals material=tokyo-only prefecture=14 }}", kanagawa_staff)
    assert "資料「tokyo-only」はありません（または見る権限がありません）" in caught.value.messages[0]
    with pytest.raises(ValidationError) as missing:
        _text("{{ materials.totals material=nothing-here prefecture=14 }}", kanagawa_staff)
    assert "資料「nothing-here」はありません（または見る権限がありません）" in missing.value.messages[0]


@pytest.mark.parametrize(("n", "phrase"), [(720, "700冊を超えて普及"), (700, "700冊普及"), (45, "45冊普及")])
def test_distributed_phrase(n, phrase):
    assert distributed_phrase(n, "冊") == phrase

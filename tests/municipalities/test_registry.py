"""The registry of Japan loaded by tests/conftest.py: official totals, known codes, idempotence."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from municipalities.models import Block, Municipality, MunicipalityChange, Prefecture
from municipalities.registry.selectors import municipality_counts, prefecture_count
from municipalities.registry.services import registry_load
from shaho.core.japanese import normalize_municipality_code

Kind = Municipality.Kind
HAMAMATSU_REORGANISATION = datetime.date(2024, 1, 1)


def _snapshot():
    """Every registry row and every history record, to compare before and after a load."""
    return {
        model.__name__: (list(model.objects.order_by("pk").values()), model.history.count())
        for model in (Block, Prefecture, Municipality, MunicipalityChange)
    }


@pytest.mark.django_db
def test_official_totals_on_2024_01_01():
    # 総務省: 1,741 市区町村 = 792 市 (20 政令指定都市 included) + 743 町 + 183 村 + 23 特別区,
    # unchanged since 2018-10-01 (那珂川市); 行政区 175 until Hamamatsu's 7 became 3.
    counts = municipality_counts(date=HAMAMATSU_REORGANISATION)
    assert prefecture_count() == 47
    assert counts == {
        "designated_city": 20,
        "city": 772,
        "cities": 792,
        "town": 743,
        "village": 183,
        "special_ward": 23,
        "municipalities": 1741,
        "ward": 171,
    }


@pytest.mark.django_db
def test_wards_were_175_the_day_before_hamamatsu_reorganised():
    counts = municipality_counts(date=HAMAMATSU_REORGANISATION - datetime.timedelta(days=1))
    assert counts["ward"] == 175
    assert counts["municipalities"] == 1741


@pytest.mark.django_db
def test_blocks_in_the_federations_order_cover_every_prefecture_once():
    assert list(Block.objects.values_list("name", flat=True)) == [
        "北海道・東北",
        "関東甲",
        "北信越",
        "東海",
        "近畿",
        "中国",
        "四国",
        "九州・沖縄",
    ]
    assert not Prefecture.objects.filter(block__isnull=True).exists()
    assert list(Prefecture.objects.get(code="19").block.prefectures.values_list("name", flat=True)) == [
        "茨城県",
        "栃木県",
        "群馬県",
        "埼玉県",
        "千葉県",
        "東京都",
        "神奈川県",
        "山梨県",
    ]
    assert Prefecture.objects.get(code="47").block.name == "九州・沖縄"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "name", "kana", "kind", "prefecture"),
    [
        ("011002", "札幌市", "サッポロシ", Kind.DESIGNATED_CITY, "北海道"),
        ("131016", "千代田区", "チヨダク", Kind.SPECIAL_WARD, "東京都"),
        ("141003", "横浜市", "ヨコハマシ", Kind.DESIGNATED_CITY, "神奈川県"),
        ("282219", "丹波篠山市", "タンバササヤマシ", Kind.CITY, "兵庫県"),  # renamed 2019-05-01
        ("402311", "那珂川市", "ナカガワシ", Kind.CITY, "福岡県"),  # a city since 2018-10-01
        ("242021", "四日市市", "ヨッカイチシ", Kind.CITY, "三重県"),
        ("342131", "廿日市市", "ハツカイチシ", Kind.CITY, "広島県"),
        ("152102", "十日町市", "トオカマチシ", Kind.CITY, "新潟県"),
        ("132098", "町田市", "マチダシ", Kind.CITY, "東京都"),
        ("172120", "野々市市", "ノノイチシ", Kind.CITY, "石川県"),
        ("062081", "村山市", "ムラヤマシ", Kind.CITY, "山形県"),
        ("414239", "大町町", "オオマチチョウ", Kind.TOWN, "佐賀県"),
        ("112062", "行田市", "ギョウダシ", Kind.CITY, "埼玉県"),  # small ョ, as Japan Post writes it
    ],
)
def test_known_codes(code, name, kana, kind, prefecture):
    m = Municipality.objects.select_related("prefecture").get(code=code)
    assert (m.name, m.kana, m.kind, m.prefecture.name) == (name, kana, kind, prefecture)
    assert m.parent is None and m.valid_from is None and m.valid_until is None


@pytest.mark.django_db
def test_a_ward_points_to_its_designated_city():
    ward = Municipality.objects.get(code="141011")
    assert (ward.name, ward.kana, ward.kind) == ("横浜市鶴見区", "ヨコハマシツルミク", Kind.WARD)
    assert ward.parent.code == "141003"
    assert Municipality.objects.get(code="141003").wards.count() == 18


@pytest.mark.django_db
def test_towns_and_villages_carry_their_county():
    # japan-address lists 015172 as 幌延町: the build matched names to codes (see SOURCES.md).
    assert Municipality.objects.filter(code="015172").values_list("name", "county").get() == ("礼文町", "礼文郡")
    assert Municipality.objects.filter(code="015202").values_list("name", "county").get() == ("幌延町", "天塩郡")
    assert Municipality.objects.get(code="473260").county == "中頭郡"  # 北谷町
    # Only towns and villages have a 郡, and only Tokyo's 9 island ones lack it.
    assert not Municipality.objects.exclude(county="").exclude(kind__in=[Kind.TOWN, Kind.VILLAGE]).exists()
    assert Municipality.objects.filter(county="", kind__in=[Kind.TOWN, Kind.VILLAGE]).count() == 9


@pytest.mark.django_db
def test_every_reading_is_full_width_katakana():
    full_width_katakana = re.compile(r"^[ァ-ヶー]+$")
    readings = [*Municipality.objects.values_list("code", "kana"), *Prefecture.objects.values_list("code", "kana")]
    assert [(code, kana) for code, kana in readings if not full_width_katakana.match(kana)] == []


@pytest.mark.django_db
def test_hamamatsu_wards_reorganised_on_2024_01_01():
    on = HAMAMATSU_REORGANISATION
    new = Municipality.objects.get(code="221384")
    assert (new.name, new.kana, new.valid_from, new.valid_until) == ("浜松市中央区", "ハママツシチュウオウク", on, None)
    assert new.parent.code == "221309"
    old = Municipality.objects.get(code="221317")
    assert (old.name, old.valid_from, old.valid_until) == ("浜松市中区", None, on)
    hamamatsu = Municipality.objects.get(code="221309")
    assert sorted(hamamatsu.wards.filter(Municipality.valid_on(on)).values_list("name", flat=True)) == [
        "浜松市中央区",
        "浜松市天竜区",
        "浜松市浜名区",
    ]
    assert hamamatsu.wards.filter(Municipality.valid_on(on - datetime.timedelta(days=1))).count() == 7
    change = MunicipalityChange.objects.get(effective_on=on)
    assert change.kind == MunicipalityChange.Kind.WARD_REORGANISATION
    assert sorted(change.abolished.values_list("code", flat=True)) == [
        "221317",
        "221325",
        "221333",
        "221341",
        "221350",
        "221368",
        "221376",
    ]
    assert sorted(change.created.values_list("code", flat=True)) == ["221384", "221392", "221406"]


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    before = _snapshot()
    call_command("load_municipalities", verbosity=0)
    result = registry_load()
    assert (result.created, result.updated, result.kept, result.changes_recorded) == (0, 0, 0, 0)
    assert result.unchanged == 8 + 47 + 1916 + 3
    assert _snapshot() == before


@pytest.mark.django_db
def test_loading_keeps_a_row_someone_changed_afterwards():
    sapporo = Municipality.objects.get(code="011002")
    sapporo.kana = "サツポロシ"  # an edit in the admin, right or wrong, is not the loader's to undo
    sapporo.save()
    result = registry_load()
    assert (result.created, result.updated, result.kept) == (0, 0, 1)
    assert Municipality.objects.get(code="011002").kana == "サツポロシ"


@pytest.mark.django_db
def test_command_prints_a_japanese_summary_unless_silenced(capsys):
    call_command("load_municipalities", verbosity=0)
    assert capsys.readouterr().out == ""
    call_command("load_municipalities")
    out = capsys.readouterr().out
    assert "都道府県 47、市区町村 1,741（うち特別区 23）、行政区 171" in out
    assert "追加 0・更新 0・変更なし 1,974" in out


@pytest.mark.django_db
def test_wrong_check_digit_is_refused_on_the_code_field():
    m = Municipality(code="141004", name="架空市", kind=Kind.CITY, prefecture=Prefecture.objects.get(code="14"))
    with pytest.raises(ValidationError) as excinfo:
        m.full_clean()
    assert "検査数字が正しくありません" in excinfo.value.message_dict["code"][0]


def test_full_width_five_digits_get_their_check_digit():
    assert normalize_municipality_code("１４１００") == "141003"


@pytest.mark.django_db
def test_full_width_code_is_normalised_by_the_model():
    m = Municipality(code="１４９９９", name="試験市", kind=Kind.CITY, prefecture=Prefecture.objects.get(code="14"))
    m.full_clean()
    assert m.code == normalize_municipality_code("14999")
    assert len(m.code) == 6


@pytest.mark.django_db
def test_shipped_data_with_a_wrong_check_digit_is_refused_naming_file_and_line(tmp_path):
    source = Path(__file__).resolve().parents[2] / "municipalities" / "registry" / "data"
    for name in ("blocks.csv", "prefectures.csv", "changes.json"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    lines = (source / "municipalities.csv").read_text(encoding="utf-8").splitlines()
    assert lines[722 - 1].startswith("141003,")
    lines[722 - 1] = lines[722 - 1].replace("141003,", "141004,", 1)
    (tmp_path / "municipalities.csv").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ValueError, match=r"municipalities.csv 722行目: .*「141004」の検査数字が正しくありません"):
        registry_load(source_dir=tmp_path)

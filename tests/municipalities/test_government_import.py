"""Importing 総務省「全国地方公共団体コード」(xlsx) after a merger: what changes, and what a bad file does."""

import datetime
import re

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from municipalities.models import Municipality, MunicipalityChange
from municipalities.registry.selectors import municipality_counts
from municipalities.registry.services import GovernmentFileError, registry_import_government_xlsx, registry_load
from shaho.core.japanese import code_check_digit

Kind = Municipality.Kind
MERGER_DAY = datetime.date(2031, 4, 1)
REBUN, RISHIRI = "015172", "015181"  # 礼文町, 利尻町 (礼文郡, 利尻郡)
NEW_CITY = "01240" + str(code_check_digit("01240"))
# The government's headers, with their line breaks; columns found by text, so the order is shuffled.
HEADERS = ["都道府県名\n（漢字）", "団体コード", "市区町村名\n（漢字）", "市区町村名\n（カナ）", "都道府県名\n（カナ）"]


def _row(code, prefecture, name, kana, prefecture_kana=""):
    return [prefecture, code, name, kana, prefecture_kana]


def _government_file(path, *, on, drop=(), add=(), edit=None):
    """A code list like 総務省's for the registry as it stands on `on`, with a merger applied."""
    valid = Municipality.objects.filter(Municipality.valid_on(on)).select_related("prefecture").order_by("code")
    workbook = Workbook()
    main = workbook.active
    main.title = "R13.4.1現在の団体"
    main.append(HEADERS)
    wards = workbook.create_sheet("R13.4.1政令指定都市")
    wards.append(HEADERS)
    prefectures_done = set()
    for m in valid:
        if m.prefecture.code not in prefectures_done:
            prefectures_done.add(m.prefecture.code)
            pref_code = m.prefecture.code + "000"
            pref_code += str(code_check_digit(pref_code))
            main.append(_row(pref_code, m.prefecture.name, "", "", m.prefecture.kana))
        if m.code in drop:
            continue
        row = _row(m.code, m.prefecture.name, m.name, m.kana, m.prefecture.kana)
        if edit and m.code in edit:
            row = edit[m.code](row)
        if m.kind == Kind.WARD:
            wards.append(row)
        else:
            main.append(row)
            if m.kind == Kind.DESIGNATED_CITY:
                wards.append(row)  # listed on both sheets, as the government does
    for row in add:
        main.append(row)
    workbook.save(path)
    return path


def _merger_file(tmp_path, **kwargs):
    return _government_file(
        tmp_path / "000123456.xlsx",
        on=MERGER_DAY,
        drop=(REBUN, RISHIRI),
        add=[_row(NEW_CITY, "北海道", "礼文利尻市", "ﾚﾌﾞﾝﾘｼﾘｼ", "ﾎｯｶｲﾄﾞｳ")],  # half-width, as the government writes
        **kwargs,
    )


def _state():
    return (
        list(Municipality.objects.order_by("pk").values()),
        Municipality.history.count(),
        list(MunicipalityChange.objects.values()),
    )


@pytest.mark.django_db
def test_merger_abolishes_two_towns_and_creates_a_city(tmp_path):
    result = registry_import_government_xlsx(path=_merger_file(tmp_path), effective_on=MERGER_DAY)

    assert (sorted(result.abolished), result.created, result.updated) == ([REBUN, RISHIRI], [NEW_CITY], [])
    city = Municipality.objects.get(code=NEW_CITY)
    assert (city.name, city.kana, city.kind, city.prefecture.code) == ("礼文利尻市", "レブンリシリシ", Kind.CITY, "01")
    assert (city.valid_from, city.valid_until, city.county) == (MERGER_DAY, None, "")
    assert Municipality.objects.get(code=REBUN).valid_until == MERGER_DAY
    assert Municipality.objects.get(code=RISHIRI).valid_until == MERGER_DAY

    change = result.change
    assert (change.effective_on, change.kind) == (MERGER_DAY, MunicipalityChange.Kind.MERGER)
    assert sorted(change.abolished.values_list("code", flat=True)) == [REBUN, RISHIRI]
    assert list(change.created.values_list("code", flat=True)) == [NEW_CITY]
    assert "礼文町（015172）" in change.description and "000123456.xlsx" in change.source

    after = municipality_counts(date=MERGER_DAY)
    assert (after["municipalities"], after["town"], after["city"], after["ward"]) == (1740, 741, 773, 171)
    assert municipality_counts(date=MERGER_DAY - datetime.timedelta(days=1))["municipalities"] == 1741


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(tmp_path):
    path = _merger_file(tmp_path)
    registry_import_government_xlsx(path=path, effective_on=MERGER_DAY)
    before = _state()
    again = registry_import_government_xlsx(path=path, effective_on=MERGER_DAY)
    assert (again.created, again.updated, again.abolished, again.change) == ([], [], [], None)
    assert again.unchanged == 1741 - 2 + 1 + 171
    assert _state() == before


@pytest.mark.django_db
def test_loading_the_shipped_data_afterwards_does_not_undo_the_merger(tmp_path):
    registry_import_government_xlsx(path=_merger_file(tmp_path), effective_on=MERGER_DAY)
    result = registry_load()
    assert (result.created, result.updated) == (0, 0)
    assert Municipality.objects.get(code=REBUN).valid_until == MERGER_DAY
    assert municipality_counts(date=MERGER_DAY)["municipalities"] == 1740


@pytest.mark.django_db
def test_a_renamed_municipality_is_updated_and_recorded(tmp_path):
    def rename(row):
        row[2], row[3] = "新横浜市", "ｼﾝﾖｺﾊﾏｼ"
        return row

    path = _government_file(tmp_path / "rename.xlsx", on=MERGER_DAY, edit={"141003": rename})
    result = registry_import_government_xlsx(path=path, effective_on=MERGER_DAY)
    assert (result.updated, result.created, result.abolished) == (["141003"], [], [])
    yokohama = Municipality.objects.get(code="141003")
    assert (yokohama.name, yokohama.kana, yokohama.kind) == ("新横浜市", "シンヨコハマシ", Kind.DESIGNATED_CITY)
    assert result.change.kind == MunicipalityChange.Kind.RENAME


@pytest.mark.django_db
def test_a_wrong_check_digit_names_the_row_and_writes_nothing(tmp_path):
    def wrong_digit(row):
        row[1] = "141004"
        return row

    before = _state()
    path = _merger_file(tmp_path, edit={"141003": wrong_digit})
    with pytest.raises(GovernmentFileError) as excinfo:
        registry_import_government_xlsx(path=path, effective_on=MERGER_DAY)
    message = str(excinfo.value)
    assert "何も変更していません" in message
    assert "シート「R13.4.1現在の団体」" in message and "行目「団体コード」" in message
    assert "検査数字が正しくありません（正しくは 141003）" in message
    assert _state() == before


@pytest.mark.django_db
def test_an_unknown_prefecture_names_the_column(tmp_path):
    def misspelt(row):
        row[0] = "東亰都"
        return row

    path = _merger_file(tmp_path, edit={"131016": misspelt})
    expected = r"行目「都道府県名（漢字）」: 「東亰都」はコード131016の都道府県（東京都）と一致しません"
    with pytest.raises(GovernmentFileError, match=expected):
        registry_import_government_xlsx(path=path, effective_on=MERGER_DAY)
    assert Municipality.objects.get(code=REBUN).valid_until is None


@pytest.mark.django_db
def test_command_imports_a_file_and_reports_in_japanese(tmp_path, capsys):
    path = _merger_file(tmp_path)
    call_command("load_municipalities", xlsx=str(path), effective_on="令和13年4月1日")
    out = capsys.readouterr().out
    assert "市区町村 1,740" in out and "新設 1・廃止 2・変更 0" in out
    with pytest.raises(CommandError, match="--effective-on"):
        call_command("load_municipalities", xlsx=str(path))
    with pytest.raises(CommandError, match="xlsx"):
        call_command("load_municipalities", xlsx=str(tmp_path / "missing.xlsx"), effective_on="2031-04-01")


@pytest.mark.django_db
def test_the_government_file_is_read_through_the_intake_and_its_limits(tmp_path, settings):
    """The same reader as every import: a file past the unpacked-size limit is refused unread, naming the file."""
    path = _merger_file(tmp_path)
    before = _state()
    settings.SHAHO_IMPORT_MAX_UNPACKED_BYTES = 1024
    with pytest.raises(GovernmentFileError, match=re.escape("000123456.xlsx: この Excel ファイルは展開すると")):
        registry_import_government_xlsx(path=path, effective_on=MERGER_DAY)
    settings.SHAHO_IMPORT_MAX_UNPACKED_BYTES = 32 * 1024 * 1024
    csv_path = tmp_path / "list.csv"
    csv_path.write_text("団体コード,都道府県名（漢字）,市区町村名（漢字）\n011002,北海道,札幌市\n", encoding="utf-8")
    with pytest.raises(GovernmentFileError, match="xlsx"):
        registry_import_government_xlsx(path=csv_path, effective_on=MERGER_DAY)
    assert _state() == before


@pytest.mark.django_db
def test_a_sheet_naming_the_code_column_but_missing_the_name_column_is_an_error(tmp_path):
    workbook = Workbook()
    workbook.active.title = "R13.4.1現在の団体"
    workbook.active.append(["団体コード", "都道府県名\n（漢字）", "市区町村名\n（カナ）"])
    workbook.active.append(["011002", "北海道", "ｻｯﾎﾟﾛｼ"])
    path = tmp_path / "broken.xlsx"
    workbook.save(path)
    with pytest.raises(
        GovernmentFileError,
        match=re.escape("シート「R13.4.1現在の団体」: 見出し行が見つかりません: 「市区町村名（漢字）」"),
    ):
        registry_import_government_xlsx(path=path, effective_on=MERGER_DAY)

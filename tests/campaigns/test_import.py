"""Importing a list of actions through the one flow: preview with row-numbered errors, then all or nothing;
an export imports back as no change; councils named as every importer names them."""

import io

import openpyxl
import pytest
from simple_history.utils import get_history_model_for_model

from campaigns import exports, importing
from campaigns.models import Action
from shaho.core.imports import ImportRefused
from tests.campaigns.factories import D, T, action, rows
from tests.councils.factories import local_council

KANAGAWA, TOKYO = "14", "13"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("tasks_in_process"),
]  # the import job runs in-process, even in CI's pass with a broker
HEADER = "【当面の日程】\n日付,種類,名称,開始,終了,場所,主催,会場参加"
ACTIONS = importing.ACTIONS


def _csv(*lines, header=HEADER):
    return "\n".join([header, *lines]).encode("utf-8")


def _preview(data, user, filename="calendar.csv"):
    return ACTIONS.preview(data=data, filename=filename, user=user, target=None)


def _commit(data, user, filename="calendar.csv"):
    return ACTIONS.commit(data=data, filename=filename, user=user, target=None)


def test_preview_names_row_and_column_and_nothing_is_written(kanagawa_staff, kanagawa, tokyo):
    data = _csv(
        "２０２０年１０月９日,ブロック会議,北海道・東北ブロック会議,13:00,16:00,札幌,,",
        f"2020-10-13,行進,四国ブロック会議,,,,{kanagawa.name},",
        f"2020-10-15,ブロック会議,関東甲ブロック会議,15:00,13:00,,{tokyo.name},-5",
    )
    preview = _preview(data, kanagawa_staff)
    errors = [(e.row, e.column, e.message) for e in preview.errors]
    assert (4, "種類", "「行進」という種類はありません。") in errors
    # Tokyo's council reads like one that does not exist: nothing about it is said.
    assert (
        5,
        "主催",
        f"「{tokyo.name}」という社保協は見つかりません（名称・略称・番号で指定してください）。",
    ) in errors
    assert preview.rows[0].ok and not preview.ok
    with pytest.raises(ImportRefused):
        _commit(data, kanagawa_staff)
    assert not Action.objects.exists()


def test_commit_writes_every_row_with_full_width_digits_and_times(kanagawa_staff, kanagawa):
    data = _csv(
        "２０２０年１０月９日,ブロック会議,北海道・東北ブロック会議,１３：００,16:00,札幌,,",
        "2020/10/17,学習会,コロナ禍の学習会,18時30分,,,,４２",
    )
    _, message = _commit(data, kanagawa_staff)
    assert message.startswith("行動を取り込みました: 新規 2件")
    made = list(Action.objects.order_by("starts_on"))
    assert [(a.title, a.starts_on.isoformat(), str(a.start_time), a.organiser_id) for a in made] == [
        ("北海道・東北ブロック会議", "2020-10-09", "13:00:00", kanagawa.pk),
        ("コロナ禍の学習会", "2020-10-17", "18:30:00", kanagawa.pk),
    ]
    assert made[1].onsite_count == 42


def test_end_before_start_in_a_row_is_refused(kanagawa_staff, kanagawa):
    preview = _preview(_csv("2020-10-15,ブロック会議,関東甲,15:00,13:00,,,"), kanagawa_staff)
    assert [(e.row, e.column) for e in preview.errors] == [(3, "終了")]


# --- an unedited export imports as no change --------------------------------------------------


def _kanagawa_actions(user, kanagawa):
    local = local_council(KANAGAWA, name="横浜社保協")
    made = [
        action(user, kanagawa, title="桜木町駅前宣伝", starts_on=D(2023, 11, 2), participants=rows(),
               start_time=T(12, 0), end_time=T(13, 0), place="桜木町駅前", onsite_count=26),
        action(user, kanagawa, code="study", title="学習会", starts_on=D(2023, 11, 20), onsite_count=40,
               online_points=3, online_count=12),
        action(user, local, title="横浜駅宣伝", starts_on=D(2023, 12, 5)),
    ]  # fmt: skip
    return made


def _resave(content):
    """The export as a spreadsheet application saves it back (openpyxl's load + save)."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("file_format", ["xlsx", "xlsx-resaved", "csv", "csv-cp932"])
def test_an_unedited_export_imports_as_no_change(kanagawa_staff, kanagawa, file_format):
    made = _kanagawa_actions(kanagawa_staff, kanagawa)
    queryset = Action.objects.filter(starts_on__range=(D(2023, 11, 1), D(2023, 12, 31)))
    if file_format.startswith("csv"):
        data = exports.actions_csv(queryset, encoding="cp932" if file_format == "csv-cp932" else "utf-8")
        name = "actions.csv"
    else:
        data = exports.actions_xlsx(queryset)
        data = _resave(data) if file_format == "xlsx-resaved" else data
        name = "actions.xlsx"
    history = get_history_model_for_model(Action)
    before = (Action.objects.count(), history.objects.count(), sum(a.participations.count() for a in made))
    preview = _preview(data, kanagawa_staff, name)
    assert preview.ok, preview.error_lines()
    assert [row.status_label for row in preview.rows] == ["変更なし"] * 3
    assert preview.summary() == "3行（新規 0・変更 0・変更なし 3・エラー 0）"
    _commit(data, kanagawa_staff, name)
    after = (Action.objects.count(), history.objects.count(), sum(a.participations.count() for a in made))
    assert after == before


def test_an_edited_export_row_updates_its_action_and_keeps_its_participants(kanagawa_staff, kanagawa):
    made = _kanagawa_actions(kanagawa_staff, kanagawa)
    book = openpyxl.load_workbook(io.BytesIO(exports.actions_xlsx(Action.objects.all())))
    sheet = book["行動"]
    headers = [c.value for c in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == made[0].pk:
            cells[headers.index("会場参加")].value = 30
    out = io.BytesIO()
    book.save(out)
    preview = _preview(out.getvalue(), kanagawa_staff, "actions.xlsx")
    assert sorted(row.status_label for row in preview.rows) == ["変更", "変更なし", "変更なし"]
    _commit(out.getvalue(), kanagawa_staff, "actions.xlsx")
    first = Action.objects.get(pk=made[0].pk)
    assert Action.objects.count() == 3 and first.onsite_count == 30 and first.participations.count() == 11


def test_a_number_outside_the_scope_reads_like_one_that_does_not_exist(kanagawa_staff, kanagawa, tokyo, tokyo_staff):
    theirs = action(tokyo_staff, tokyo, title="東京の宣伝", starts_on=D(2023, 11, 3))
    header = "番号,日付,種類,名称"
    preview = _preview(
        _csv(f"{theirs.pk},2023-11-03,宣伝行動,東京の宣伝", "999999,2023-11-03,宣伝行動,x", header=header),
        kanagawa_staff,
    )
    messages = [e.message for e in preview.errors]
    assert messages == [
        f"番号「{theirs.pk}」の行動は見つかりません（削除されたか、権限の範囲の外です）。",
        "番号「999999」の行動は見つかりません（削除されたか、権限の範囲の外です）。",
    ]
    assert "東京" not in " ".join(messages)


# --- the one council matcher -------------------------------------------------------------------


def test_both_spellings_of_a_council_and_an_ambiguous_name(kanagawa_staff, kanagawa, tokyo):
    a = local_council(KANAGAWA, name="みなと社保協")
    b = local_council(KANAGAWA, name="みなと社会保障推進協議会")
    local_council(TOKYO, name="みなと社保協")  # Tokyo's: never named to Kanagawa
    data = _csv(
        "2023-11-01,宣伝行動,a,,,,神奈川県社保協,",
        "2023-11-01,宣伝行動,b,,,,神奈川社会保障推進協議会,",
        "2023-11-01,宣伝行動,c,,,,ｶﾜｻｷ,",
        "2023-11-01,宣伝行動,d,,,,みなと社保協,",
        f"2023-11-01,宣伝行動,e,,,,{b.pk},",
    )
    preview = _preview(data, kanagawa_staff)
    assert preview.rows[0].organiser == kanagawa and preview.rows[1].organiser == kanagawa
    assert [e.message for e in preview.rows[3].errors] == [
        f"「みなと社保協」に当てはまる社保協が複数あります: みなと社保協（番号 {a.pk}）、"
        f"みなと社会保障推進協議会（番号 {b.pk}）。番号で指定してください。"
    ]
    assert preview.rows[4].organiser == b


def test_the_admin_pages_preview_an_export_as_unchanged_and_commit_nothing(client, kanagawa_staff, kanagawa):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    _kanagawa_actions(kanagawa_staff, kanagawa)
    client.force_login(kanagawa_staff)
    url = reverse("admin:campaigns_action_import")
    assert "Excel・CSVから取り込む" in client.get(reverse("admin:campaigns_action_changelist")).content.decode()
    upload = SimpleUploadedFile("actions.xlsx", _resave(exports.actions_xlsx(Action.objects.all())))
    response = client.post(url, {"file": upload, "encoding": ""})
    body = response.content.decode()
    assert response.status_code == 200 and body.count("<td>変更なし</td>") == 3 and 'name="_commit"' in body
    outcome = client.get(reverse("admin:campaigns_action_import_outcome"), {"token": response.context["token"]})
    assert [line.split(",")[1] for line in outcome.content.decode("utf-8-sig").splitlines()[1:]] == ["変更なし"] * 3
    done = client.post(url, {"_commit": "1", "token": response.context["token"]}, follow=True)
    assert "新規 0件・変更 0件（変更なし 3件）" in done.content.decode() and Action.objects.count() == 3

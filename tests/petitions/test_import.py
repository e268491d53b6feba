"""Importing tally files: every format and spelling reads, a bad row imports nothing, a file counts once."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.models import Role
from petitions.importing import (
    ImportFileError,
    TallyImportRefused,
    tally_import_check,
    tally_import_commit,
    tally_import_parse,
    tally_import_preview,
)
from petitions.models import ImportBatch, PetitionDrive, SignatureKind, TallyEntry
from petitions.selectors import council_running_total
from shaho.core.models import ImportJob, PendingUpload
from tests.councils.factories import OrganisationFactory, local_council, national_council, prefectural_council, staff_of
from tests.required_services import require_postgresql

from .factories import PetitionDriveFactory, with_rounds

D = datetime.date
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("tasks_in_process"),
]  # the import job runs in-process, even in CI's pass with a broker

HEADERS = ["社保協", "団体", "種別", "筆数", "日付", "備考"]
TOKEN = r'name="token" value="([0-9A-Za-z_-]+)"'


@pytest.fixture
def kawasaki(kanagawa):
    return local_council("14", name="川崎社会保障推進協議会", short_name="川崎社保協")


@pytest.fixture
def yokohama(kanagawa):
    return local_council("14", name="横浜社保協")


@pytest.fixture
def staff(kanagawa):
    """Prefectural staff: Kanagawa and its local councils, nothing else."""
    return staff_of(kanagawa, role=Role.COUNCIL_STAFF)


@pytest.fixture
def petition():
    return PetitionDriveFactory(
        short_name="保険証残して", slug="hokensho", starts_on=D(2025, 4, 1), ends_on=D(2026, 3, 31)
    )


def csv_bytes(rows, headers=HEADERS, encoding="utf-8", above=()):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([*above, headers, *rows])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, headers=HEADERS, above=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(list(line))
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def total(petition, council):
    return council_running_total(petition=petition, council=council)


def errors_of(preview):
    return [(e.row, e.column, e.message) for e in preview.errors]


# --- formats -----------------------------------------------------------------


GOOD_ROWS = [
    ["川崎社保協", "", "個人", "120", "2025-12-07", "駅前宣伝"],
    ["横浜社保協", "", "WEB", "30", "2025/12/7", ""],
]


@pytest.mark.parametrize(
    ("encoding", "chosen"),
    [("utf-8", None), ("utf-8-sig", None), ("cp932", None), ("cp932", "cp932"), ("utf-8-sig", "utf-8")],
)
def test_csv_imports_in_every_encoding(staff, petition, kawasaki, yokohama, kanagawa, encoding, chosen):
    data = csv_bytes(GOOD_ROWS, encoding=encoding)
    batch = tally_import_commit(petition=petition, data=data, filename="集約.csv", user=staff, encoding=chosen)
    assert batch.status == ImportBatch.Status.DONE and batch.row_count == 2
    assert total(petition, kawasaki) == 120 and total(petition, yokohama) == 30
    entry = TallyEntry.objects.get(council=kawasaki)
    assert entry.entered_by == staff and entry.import_batch == batch and entry.note == "駅前宣伝"
    assert TallyEntry.objects.get(council=yokohama).kind == SignatureKind.WEB


def test_cp932_file_read_as_utf8_is_a_file_error_in_japanese(staff, petition, kawasaki):
    data = csv_bytes(GOOD_ROWS, encoding="cp932")
    preview = tally_import_preview(petition=petition, data=data, filename="a.csv", user=staff, encoding="utf-8")
    assert not preview.ok
    assert preview.errors[0].column == "ファイル" and "文字コード" in preview.errors[0].message


def test_xlsx_imports_with_numbers_and_dates_as_cells(staff, petition, kawasaki, yokohama):
    data = xlsx_bytes(
        [
            ["川崎社保協", None, "個人", 120, datetime.datetime(2025, 12, 7), "駅前"],
            ["横浜社保協", None, None, 30.0, "令和7年12月8日", None],
        ]
    )
    batch = tally_import_commit(petition=petition, data=data, filename="集約.xlsx", user=staff)
    assert batch.row_count == 2 and "XLSX" in batch.note
    assert total(petition, kawasaki) == 120 and total(petition, yokohama) == 30
    assert TallyEntry.objects.get(council=yokohama).collected_on == D(2025, 12, 8)


def test_headers_in_any_order_with_extra_columns_and_titles_above(staff, petition, kawasaki):
    headers = ["No.", "日付", "担当者", "筆数", "社保協", "備考"]
    rows = [["1", "2025年12月7日", "山田", "５０", "川崎社保協", "メモ"]]
    above = [["2025年度 保険証署名 集約表"], [""]]
    parsed = tally_import_parse(data=csv_bytes(rows, headers=headers, above=above), filename="a.csv")
    assert parsed.header_row == 3
    assert parsed.rows[0].number == 4 and parsed.rows[0].cells["council"] == "川崎社保協"
    assert "organisation" not in parsed.columns  # optional column absent

    xparsed = tally_import_parse(data=xlsx_bytes(rows, headers=headers, above=above), filename="a.xlsx")
    assert xparsed.header_row == 3 and xparsed.rows[0].number == 4

    tally_import_commit(
        petition=petition, data=xlsx_bytes(rows, headers=headers, above=above), filename="a.xlsx", user=staff
    )
    assert total(petition, kawasaki) == 50


def test_missing_required_header_names_the_column(staff, petition):
    with pytest.raises(ImportFileError, match="「筆数」"):
        tally_import_parse(data=csv_bytes([["川崎社保協", "2025-12-07"]], headers=["社保協", "日付"]), filename="a.csv")
    preview = tally_import_preview(
        petition=petition, data=csv_bytes([["x", "y"]], headers=["社保協", "日付"]), filename="a.csv", user=staff
    )
    assert not preview.ok and "「筆数」の列がありません" in preview.errors[0].message


def test_zenkaku_and_man_counts_and_all_date_formats(staff, petition, kawasaki):
    rows = [
        ["川崎社保協", "", "", "１２３", "2025-12-07", ""],
        ["川崎社保協", "", "", "6万5千", "2025/12/7", ""],
        ["川崎社保協", "", "", "1,200筆", "2025年12月7日", ""],
        ["川崎社保協", "", "", "2", "令和7年12月7日", ""],
    ]
    preview = tally_import_preview(petition=petition, data=csv_bytes(rows), filename="a.csv", user=staff)
    assert preview.ok, errors_of(preview)
    assert [r.count for r in preview.rows] == [123, 65000, 1200, 2]
    assert {r.collected_on for r in preview.rows} == {D(2025, 12, 7)}
    tally_import_commit(petition=petition, data=csv_bytes(rows), filename="a.csv", user=staff)
    assert total(petition, kawasaki) == 123 + 65000 + 1200 + 2


def test_council_by_name_short_name_number_and_width_and_spaces(staff, petition, kawasaki):
    rows = [
        ["川崎社会保障推進協議会", "", "", "1", "2025-12-07", ""],
        ["川崎 社保協", "", "", "2", "2025-12-07", ""],
        ["　川崎社保協　", "", "", "3", "2025-12-07", ""],
        [
            str(kawasaki.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
            "",
            "",
            "4",
            "2025-12-07",
            "",
        ],
    ]
    preview = tally_import_preview(petition=petition, data=csv_bytes(rows), filename="a.csv", user=staff)
    assert preview.ok, errors_of(preview)
    assert {r.council for r in preview.rows} == {kawasaki}


def test_ambiguous_council_name_is_a_row_error(staff, petition, kanagawa):
    local_council("14", name="中央社保協A", short_name="中央区社保協")
    local_council("14", name="中央社保協B", short_name="中央区社保協")
    preview = tally_import_preview(
        petition=petition,
        data=csv_bytes([["中央区社保協", "", "", "1", "2025-12-07", ""]]),
        filename="a.csv",
        user=staff,
    )
    assert not preview.ok
    ((row, column, message),) = errors_of(preview)
    assert row == 2 and column == "社保協" and "複数" in message and "番号" in message


def test_same_name_in_two_prefectures_resolves_to_the_one_in_scope(staff, petition, kanagawa):
    ours = local_council("14", name="中央区社保協")
    local_council("13", name="中央区社保協")
    preview = tally_import_preview(
        petition=petition,
        data=csv_bytes([["中央区社保協", "", "", "1", "2025-12-07", ""]]),
        filename="a.csv",
        user=staff,
    )
    assert preview.ok and preview.rows[0].council == ours


def test_organisation_and_kind_columns(staff, petition, kawasaki, kanagawa):
    union = OrganisationFactory(name="神奈川県医労連", prefecture=kanagawa.prefecture, home_council=kanagawa)
    rows = [
        ["川崎社保協", "神奈川県医労連", "団体", "3", "2025-12-07", ""],
        ["川崎社保協", "", "ｗｅｂ", "4", "2025-12-07", ""],
        ["川崎社保協", "ない団体", "ゆうびん", "4", "2025-12-07", ""],
    ]
    preview = tally_import_preview(petition=petition, data=csv_bytes(rows), filename="a.csv", user=staff)
    assert preview.rows[0].organisation == union and preview.rows[0].kind == SignatureKind.ORGANISATIONAL
    assert preview.rows[1].kind == SignatureKind.WEB
    assert {(r, c) for r, c, _ in errors_of(preview)} == {(4, "団体"), (4, "種別")}


def test_notes_with_line_breaks_tabs_and_backslashes_are_stored_as_written(staff, petition, kawasaki):
    note = "駅前\n二行目\tタブ C:\\署名\\集約 \\N"
    tally_import_commit(
        petition=petition,
        data=csv_bytes([["川崎社保協", "", "", "7", "2025-12-07", note]]),
        filename="a.csv",
        user=staff,
    )
    entry = TallyEntry.objects.get()
    assert entry.note == note and entry.organisation is None and entry.count == 7


# --- bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"count": "-5"}, "筆数", "0以上"),
        ({"count": "10000001"}, "筆数", "10,000,000"),
        ({"count": "たくさん"}, "筆数", "整数"),
        ({"council": "どこにもない社保協"}, "社保協", "見つかりません"),
        ({"council": "東京都社会保障推進協議会"}, "社保協", "見つかりません"),
        ({"date": "2026-05-01"}, "日付", "期間"),
        ({"date": "12月7日"}, "日付", "日付として読めません"),
        ({"council": "合計"}, "社保協", "合計"),
    ],
)
def test_one_bad_row_imports_nothing_and_is_named_by_row_and_column(
    staff, petition, kawasaki, tokyo, cells, column, words
):
    good = {
        "council": "川崎社保協",
        "organisation": "",
        "kind": "個人",
        "count": "10",
        "date": "2025-12-07",
        "note": "",
    }
    bad = {**good, **cells}
    rows = [list(good.values()), list(good.values()), list(bad.values()), list(good.values())]
    data = csv_bytes(rows, above=[["保険証署名 集約表"]])

    preview = tally_import_preview(petition=petition, data=data, filename="a.csv", user=staff)
    assert not preview.ok and preview.good_count == 3
    ((row, col, message),) = errors_of(preview)
    assert (row, col) == (5, column)  # title on line 1, header on line 2, the bad row is the 3rd data row
    assert words in message

    with pytest.raises(TallyImportRefused) as exc:
        tally_import_commit(petition=petition, data=data, filename="a.csv", user=staff)
    assert any(m.startswith(f"5行目「{column}」") for m in exc.value.messages), exc.value.messages
    assert TallyEntry.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_closed_petition_is_refused_naming_the_petition(staff, petition, kawasaki):
    PetitionDrive.objects.filter(pk=petition.pk).update(status=PetitionDrive.Status.CLOSED)
    petition.refresh_from_db()
    data = csv_bytes(GOOD_ROWS[:1])
    preview = tally_import_preview(petition=petition, data=data, filename="a.csv", user=staff)
    assert not preview.ok
    assert errors_of(preview) == [(None, "署名", "保険証残しては終了のため入力できません。")]
    with pytest.raises(TallyImportRefused, match="署名"):
        tally_import_commit(petition=petition, data=data, filename="a.csv", user=staff)
    assert TallyEntry.objects.count() == 0


def test_empty_file_and_xls_are_file_errors(staff, petition):
    with pytest.raises(ImportFileError):
        tally_import_parse(data=b"", filename="a.csv")
    with pytest.raises(ImportFileError, match="xls"):
        tally_import_parse(data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, filename="a.xls")
    preview = tally_import_preview(petition=petition, data=csv_bytes([]), filename="a.csv", user=staff)
    assert not preview.ok and preview.errors[0].column == "ファイル"
    with pytest.raises(ImportFileError, match="UTF-16"):
        tally_import_parse(data=csv_bytes(GOOD_ROWS, encoding="utf-16"), filename="a.txt")
    with pytest.raises(ImportFileError, match="xlsx"):
        tally_import_parse(data=b"PK\x03\x04" + b"broken" * 10, filename="a.xlsx")


def test_nul_characters_are_dropped(staff, petition, kawasaki):
    data = csv_bytes([["川崎社保協", "", "", "3", "2025-12-07", "駅\x00前"]])
    tally_import_commit(petition=petition, data=data, filename="a.csv", user=staff)
    assert TallyEntry.objects.get().note == "駅前"


# --- importing twice ------------------------------------------------------------


def test_same_file_twice_is_refused_naming_the_earlier_import(staff, petition, kawasaki, yokohama):
    data = csv_bytes(GOOD_ROWS)
    first = tally_import_commit(petition=petition, data=data, filename="集約.csv", user=staff)
    with pytest.raises(TallyImportRefused) as exc:
        tally_import_commit(petition=petition, data=data, filename="集約（コピー）.csv", user=staff)
    message = exc.value.messages[0]
    assert (
        f"取込#{first.pk}" in message and "集約.csv" in message and str(staff) in message and "取り込み済み" in message
    )
    assert total(petition, kawasaki) == 120 and ImportBatch.objects.count() == 1
    # Another petition may take the same file.
    other = PetitionDriveFactory(starts_on=D(2025, 4, 1), ends_on=D(2026, 3, 31))
    tally_import_commit(petition=other, data=data, filename="集約.csv", user=staff)


def test_replace_supersedes_openly_with_totals_of_one_import(staff, petition, kawasaki, yokohama):
    with_rounds(petition, D(2025, 12, 31), D(2026, 3, 31))
    data = csv_bytes(GOOD_ROWS)
    first = tally_import_commit(petition=petition, data=data, filename="集約.csv", user=staff)
    second = tally_import_commit(petition=petition, data=data, filename="集約.csv", user=staff, replace=True)
    assert total(petition, kawasaki) == 120 and total(petition, yokohama) == 30
    # Nothing deleted: the first import's entries stay, cancelled by corrections in the second batch.
    assert TallyEntry.objects.filter(import_batch=first).count() == 2
    corrections = TallyEntry.objects.filter(import_batch=second, corrects__isnull=False)
    assert sorted(c.count for c in corrections) == [-120, -30]
    assert {c.corrects.import_batch_id for c in corrections} == {first.pk}
    assert all(f"取込#{second.pk}" in c.correction_reason for c in corrections)
    assert all(c.round_id == c.corrects.round_id for c in corrections)
    second.refresh_from_db()
    first.refresh_from_db()
    assert f"取込#{first.pk}" in second.note and "打ち消しました" in second.note
    assert f"取込#{second.pk}" in first.note and "置き換え済み" in first.note
    # A third time, replacing again: still one import's worth.
    tally_import_commit(petition=petition, data=data, filename="集約.csv", user=staff, replace=True)
    assert total(petition, kawasaki) == 120 and total(petition, yokohama) == 30


def test_replace_cancels_an_entry_net_of_its_corrections(staff, petition, kawasaki):
    from petitions.services import tally_correct

    data = csv_bytes(GOOD_ROWS[:1])
    tally_import_commit(petition=petition, data=data, filename="a.csv", user=staff)
    tally_correct(user=staff, entry=TallyEntry.objects.get(), corrected=100, reason="数え直し")
    assert total(petition, kawasaki) == 100
    tally_import_commit(petition=petition, data=data, filename="a.csv", user=staff, replace=True)
    assert total(petition, kawasaki) == 120


# --- speed of the check ------------------------------------------------------------


def test_check_runs_a_constant_number_of_queries(staff, petition, kawasaki, yokohama, kanagawa):
    OrganisationFactory(name="神奈川県医労連", prefecture=kanagawa.prefecture, home_council=kanagawa)
    with_rounds(petition, D(2025, 12, 31))

    def queries(n):
        names = ["川崎社保協", "横浜社保協", str(kawasaki.pk)]
        rows = [[names[i % 3], "神奈川県医労連" if i % 2 else "", "個人", str(i), "2025-12-07", ""] for i in range(n)]
        parsed = tally_import_parse(data=csv_bytes(rows), filename="a.csv")
        fresh_user = type(staff).objects.get(pk=staff.pk)  # no cached council
        with CaptureQueriesContext(connection) as ctx:
            preview = tally_import_check(petition=petition, rows=parsed, user=fresh_user)
        assert preview.ok, errors_of(preview)
        return len(ctx.captured_queries)

    assert queries(10) == queries(200)


# --- admin ---------------------------------------------------------------------


def test_admin_preview_then_commit_as_prefectural_staff(
    client, staff, petition, kawasaki, yokohama, tokyo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff)
    changelist = client.get(reverse("admin:petitions_tallyentry_changelist"))
    assert "Excel・CSVから取り込む" in changelist.content.decode()
    url = reverse("admin:petitions_tallyentry_import")
    page = client.get(url)
    assert page.status_code == 200 and "社保協" in page.content.decode()

    # A file with a bad row: every row shown, the bad one named, no commit button.
    bad = csv_bytes([*GOOD_ROWS, ["東京都社会保障推進協議会", "", "", "5", "2025-12-07", ""]], encoding="cp932")
    response = client.post(
        url, {"petition": petition.pk, "encoding": "", "file": _upload("bad.csv", bad), "_preview": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "見つかりません" in body and "4行目" in body and 'name="_commit"' not in body
    assert body.count("新規") >= 2
    # Every row's outcome, as CSV.
    bad_token = re.search(r"import/outcome/\?token=([0-9A-Za-z_-]+)", body).group(1)
    outcome = client.get(reverse("admin:petitions_tallyentry_import_outcome"), {"token": bad_token})
    lines = outcome.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("行,結果,番号,社保協") and lines[1].startswith("2,新規,,川崎社会保障推進協議会")
    assert lines[3].startswith("4,エラー,,東京都社会保障推進協議会") and "見つかりません" in lines[3]

    good = xlsx_bytes(GOOD_ROWS)
    response = client.post(
        url, {"petition": petition.pk, "encoding": "", "file": _upload("good.xlsx", good), "_preview": "1"}
    )
    body = response.content.decode()
    assert 'name="_commit"' in body and TallyEntry.objects.count() == 0
    token = re.search(TOKEN, body).group(1)
    pending = PendingUpload.objects.get(token=token)
    assert pending.owner == staff and bytes(pending.content) == good and pending.expires_at > timezone.now()

    # 取り込む: a job on the imports queue (in-process here); its page says what was imported and links the batch.
    response = client.post(url, {"token": token, "_commit": "1"})
    batch = ImportBatch.objects.get()
    job = ImportJob.objects.get(upload_token=token)
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.token])
    assert job.status == ImportJob.Status.DONE and job.done_url == reverse(
        "admin:petitions_importbatch_change", args=[batch.pk]
    )
    assert batch.created_by == staff and total(petition, kawasaki) == 120
    page = client.get(response["Location"]).content.decode()
    assert f"取込#{batch.pk}" in page and "取り込みました" in page and job.done_url in page
    assert not PendingUpload.objects.filter(token=token).exists()

    # The same file again: the preview names the earlier import and offers replacing.
    response = client.post(
        url, {"petition": petition.pk, "encoding": "", "file": _upload("good.xlsx", good), "_preview": "1"}
    )
    body = response.content.decode()
    assert f"取込#{batch.pk}" in body and 'name="replace"' in body
    token = re.search(TOKEN, body).group(1)
    response = client.post(url, {"token": token, "_commit": "1"}, follow=True)
    assert response.status_code == 200 and "取り込み済み" in response.content.decode()
    assert ImportBatch.objects.count() == 1
    response = client.post(url, {"token": token, "_commit": "1", "replace": "1"}, follow=True)
    assert response.status_code == 200 and "取り込みました" in response.content.decode()
    assert ImportBatch.objects.count() == 2 and total(petition, kawasaki) == 120


def test_admin_preview_of_a_long_file_shows_the_first_rows_and_every_error(
    client, staff, petition, kawasaki, settings, tmp_path, monkeypatch
):
    from shaho.core import admin_import

    monkeypatch.setattr(admin_import, "PREVIEW_ROWS", 2)
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff)
    rows = [["川崎社保協", "", "", str(n), "2025-12-07", ""] for n in (1, 2, 3, -4)]
    response = client.post(
        reverse("admin:petitions_tallyentry_import"),
        {"petition": petition.pk, "encoding": "", "file": _upload("long.csv", csv_bytes(rows)), "_preview": "1"},
    )
    body = response.content.decode()
    assert "最初の2行" in body and "ほかの2行" in body
    assert "5行目" in body and "0以上" in body  # the error on a row not shown in the table


def test_admin_commit_needs_this_sessions_upload(client, staff, petition, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff)
    url = reverse("admin:petitions_tallyentry_import")
    for token in ("0" * 32, "../../etc/passwd", ""):
        response = client.post(url, {"token": token, "_commit": "1"})
        assert response.status_code == 302 and TallyEntry.objects.count() == 0
        outcome = client.get(reverse("admin:petitions_tallyentry_import_outcome"), {"token": token})
        assert outcome.status_code == 404


def test_admin_token_of_another_session_is_refused(client, staff, kanagawa, petition, kawasaki, settings, tmp_path):
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff)
    url = reverse("admin:petitions_tallyentry_import")
    body = client.post(
        url,
        {"petition": petition.pk, "encoding": "", "file": _upload("a.csv", csv_bytes(GOOD_ROWS[:1])), "_preview": "1"},
    ).content.decode()
    token = re.search(TOKEN, body).group(1)
    other = Client()
    other.force_login(staff_of(kanagawa))
    assert other.post(url, {"token": token, "_commit": "1"}).status_code == 302
    outcome = reverse("admin:petitions_tallyentry_import_outcome")
    assert other.get(outcome, {"token": token}).status_code == 404
    assert TallyEntry.objects.count() == 0
    # The owner still can: the refusal was about who asked, not a spent token.
    assert client.get(outcome, {"token": token}).status_code == 200
    assert client.post(url, {"token": token, "_commit": "1"}).status_code == 302 and TallyEntry.objects.count() == 1


def test_admin_petition_choices_are_scoped(client, staff, petition, tokyo):
    tokyo_drive = PetitionDriveFactory(organiser=tokyo, short_name="東京の署名")
    client.force_login(staff)
    form = client.get(reverse("admin:petitions_tallyentry_import")).context["form"]
    choices = {value for value, _label in form.fields["target"].choices}
    assert petition.pk in choices and tokyo_drive.pk not in choices


def test_member_cannot_open_the_import_page(client, kawasaki):
    client.force_login(staff_of(kawasaki, role=Role.MEMBER))
    assert client.get(reverse("admin:petitions_tallyentry_import")).status_code in (302, 403)


def test_template_downloads_have_the_headers(client, staff, kawasaki):
    client.force_login(staff)
    url = reverse("admin:petitions_tallyentry_import_template")
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.cell(row=2, column=4).value == 42
    listing = workbook["社保協一覧"]
    listed = {row[1] for row in listing.iter_rows(min_row=2, values_only=True)}
    assert kawasaki.name in listed and "東京都社会保障推進協議会" not in listed

    response = client.get(url, {"format": "csv"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").splitlines()[0] == ",".join(HEADERS)


def test_the_template_imports_as_it_is(client, staff, petition, kawasaki, kanagawa):
    """The downloaded example row is itself a valid row (its date is today, its council the user's)."""
    client.force_login(staff)
    data = client.get(reverse("admin:petitions_tallyentry_import_template"), {"format": "xlsx"}).content
    today_petition = PetitionDriveFactory()
    preview = tally_import_preview(petition=today_petition, data=data, filename="t.xlsx", user=staff)
    assert preview.ok, errors_of(preview)
    assert preview.rows[0].council == kanagawa


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# --- command ---------------------------------------------------------------------


def test_command_dry_run_then_import_then_refuse_twice(tmp_path, staff, petition, kawasaki, yokohama):
    path = tmp_path / "集約.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS, encoding="cp932"))
    out = io.StringIO()
    call_command("import_tallies", str(path), petition="hokensho", user=staff.username, dry_run=True, stdout=out)
    assert "2行（新規 2・変更 0・変更なし 0・エラー 0）" in out.getvalue() and "何も保存していません" in out.getvalue()
    assert TallyEntry.objects.count() == 0

    out = io.StringIO()
    call_command(
        "import_tallies",
        str(path),
        "--petition",
        "hokensho",
        "--user",
        staff.username,
        "--encoding",
        "cp932",
        stdout=out,
    )
    assert "取り込みました" in out.getvalue() and total(petition, kawasaki) == 120

    with pytest.raises(CommandError, match="取り込み済み"):
        call_command("import_tallies", str(path), petition="hokensho", user=staff.username, stdout=io.StringIO())
    call_command(
        "import_tallies", str(path), petition="hokensho", user=staff.username, replace=True, stdout=io.StringIO()
    )
    assert total(petition, kawasaki) == 120


def test_command_lists_row_errors_and_exits_non_zero(tmp_path, staff, petition, kawasaki):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx_bytes([GOOD_ROWS[0], ["川崎社保協", "", "", -3, "2025-12-07", ""]]))
    with pytest.raises(CommandError) as exc:
        call_command("import_tallies", str(path), petition="hokensho", user=staff.username, stdout=io.StringIO())
    assert "3行目「筆数」" in str(exc.value) and "何も保存していません" in str(exc.value)
    assert exc.value.returncode == 1
    assert TallyEntry.objects.count() == 0


def test_command_without_user_uses_the_superuser_and_says_so(tmp_path, petition, kawasaki, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-2025-long-pass")
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS[:1]))
    err = io.StringIO()
    call_command("import_tallies", str(path), petition="hokensho", stdout=io.StringIO(), stderr=err)
    assert "root" in err.getvalue() and TallyEntry.objects.get().entered_by == admin


def test_command_unknown_petition_and_missing_file(tmp_path, staff):
    with pytest.raises(CommandError, match="署名「nope」"):
        call_command("import_tallies", str(tmp_path / "a.csv"), petition="nope", user=staff.username)
    PetitionDriveFactory(slug="there")
    with pytest.raises(CommandError, match="読めません"):
        call_command("import_tallies", str(tmp_path / "none.csv"), petition="there", user=staff.username)


# --- at once (PostgreSQL) -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_file_sent_twice_at_once_counts_once():
    from concurrent.futures import ThreadPoolExecutor

    require_postgresql()

    from django.db import connections

    kawasaki = local_council("14", name="川崎社保協")
    local_council("14", name="横浜社保協")
    staff = staff_of(prefectural_council("14"))
    petition = PetitionDriveFactory(starts_on=D(2025, 4, 1), ends_on=D(2026, 3, 31))
    data = csv_bytes(GOOD_ROWS * 500)

    def send(_):
        try:
            tally_import_commit(petition=petition, data=data, filename="a.csv", user=staff)
            return "imported"
        except TallyImportRefused as exc:
            return exc.messages[0]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(send, range(2)))
    assert results.count("imported") == 1, results
    assert any("取り込み済み" in r for r in results)
    assert ImportBatch.objects.count() == 1 and total(petition, kawasaki) == 120 * 500


# --- lookups and messages within the user's scope (issue 7) ---------------------------


def _messages_of(preview):
    return [message for _, _, message in errors_of(preview)]


def test_a_council_outside_the_scope_reads_exactly_like_one_that_does_not_exist(
    client, staff, petition, kawasaki, tokyo
):
    chiyoda = local_council("13", name="千代田区社会保障推進協議会", short_name="千代田社保協")
    missing = max(type(chiyoda).objects.values_list("pk", flat=True)) + 1000
    rows = [
        [str(chiyoda.pk), "", "", "1", "2025-12-07", ""],
        [str(missing), "", "", "1", "2025-12-07", ""],
        ["千代田社保協", "", "", "1", "2025-12-07", ""],
        ["どこにもない社保協", "", "", "1", "2025-12-07", ""],
    ]
    preview = tally_import_preview(petition=petition, data=csv_bytes(rows), filename="a.csv", user=staff)
    messages = _messages_of(preview)
    assert preview.good_count == 0 and len(messages) == 4
    # "Not found" and "not yours" are one message, with only what the user typed in it.
    assert messages[0].replace(str(chiyoda.pk), "N") == messages[1].replace(str(missing), "N")
    assert messages[2].replace("千代田社保協", "X") == messages[3].replace("どこにもない社保協", "X")
    assert "見つかりません" in messages[0] and "権限" not in " ".join(messages)
    # Neither the preview page nor the outcome file turns the number into the council's name.
    client.force_login(staff)
    body = client.post(
        reverse("admin:petitions_tallyentry_import"),
        {"petition": petition.pk, "encoding": "", "file": _upload("a.csv", csv_bytes(rows[:2])), "_preview": "1"},
    ).content.decode()
    token = re.search(r"import/outcome/\?token=([0-9A-Za-z_-]+)", body).group(1)
    outcome = client.get(reverse("admin:petitions_tallyentry_import_outcome"), {"token": token})
    xlsx = client.get(reverse("admin:petitions_tallyentry_import_outcome"), {"token": token, "format": "xlsx"})
    cells = [
        c for row in openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row
    ]
    for text in (body, outcome.content.decode("utf-8-sig"), " ".join(str(c) for c in cells)):
        assert "千代田" not in text and "見つかりません" in text


def test_an_organisation_outside_the_scope_reads_like_one_that_does_not_exist(staff, petition, kawasaki, tokyo):
    OrganisationFactory(name="東京土建", prefecture=tokyo.prefecture, home_council=tokyo)
    rows = [
        ["川崎社保協", "東京土建", "", "1", "2025-12-07", ""],
        ["川崎社保協", "どこにもない団体", "", "1", "2025-12-07", ""],
    ]
    preview = tally_import_preview(petition=petition, data=csv_bytes(rows), filename="a.csv", user=staff)
    first, second = _messages_of(preview)
    assert first.replace("東京土建", "X") == second.replace("どこにもない団体", "X")


def test_the_already_imported_check_compares_only_within_the_scope_and_names_nothing_outside(
    client, staff, petition, kawasaki, tokyo
):
    chiyoda = local_council("13", name="千代田社保協")
    tokyo_staff = staff_of(tokyo, role=Role.COUNCIL_STAFF, username="tokyo-uploader")
    data = csv_bytes([["千代田社保協", "", "", "5", "2025-12-07", ""]])
    tally_import_commit(petition=petition, data=data, filename="東京の集約.csv", user=tokyo_staff)
    assert total(petition, chiyoda) == 5

    preview = tally_import_preview(petition=petition, data=data, filename="同じ.csv", user=staff)
    assert preview.earlier_batch is None and preview.earlier_description == ""
    with pytest.raises(TallyImportRefused) as exc:
        tally_import_commit(petition=petition, data=data, filename="同じ.csv", user=staff)
    assert "取り込み済み" not in " ".join(exc.value.messages)
    client.force_login(staff)
    body = client.post(
        reverse("admin:petitions_tallyentry_import"),
        {"petition": petition.pk, "encoding": "", "file": _upload("同じ.csv", data), "_preview": "1"},
    ).content.decode()
    assert "東京の集約" not in body and "tokyo-uploader" not in body and "取り込み済み" not in body


def test_an_import_by_national_staff_holding_our_rows_still_counts_once_without_being_named(staff, petition, kawasaki):
    national = staff_of(national_council(), role=Role.NATIONAL_STAFF, username="zenkoku-staff")
    data = csv_bytes([["川崎社保協", "", "", "5", "2025-12-07", ""]])
    tally_import_commit(petition=petition, data=data, filename="全国でまとめた.csv", user=national)
    preview = tally_import_preview(petition=petition, data=data, filename="a.csv", user=staff)
    assert preview.earlier_batch is not None and not preview.earlier_visible
    with pytest.raises(TallyImportRefused) as exc:
        tally_import_commit(petition=petition, data=data, filename="a.csv", user=staff)
    (message,) = exc.value.messages
    assert "取り込み済み" in message and "全国でまとめた" not in message and "zenkoku-staff" not in message
    assert total(petition, kawasaki) == 5


# --- screens ----------------------------------------------------------------------------


def test_an_import_title_shows_tokyo_time(staff, petition, kawasaki):
    batch = tally_import_commit(petition=petition, data=csv_bytes(GOOD_ROWS[:1]), filename="a.csv", user=staff)
    batch.created_at = datetime.datetime(2025, 12, 6, 16, 30, tzinfo=datetime.UTC)  # 7 December, 1:30 in Tokyo
    assert str(batch) == "a.csv（2025年12月7日 1:30）"


def test_the_result_links_to_the_tally_table_and_downloads_have_japanese_names(client, staff, petition, kawasaki):
    client.force_login(staff)
    url = reverse("admin:petitions_tallyentry_import")
    body = client.post(
        url,
        {
            "petition": petition.pk,
            "encoding": "",
            "file": _upload("川崎.csv", csv_bytes(GOOD_ROWS[:1])),
            "_preview": "1",
        },
    ).content.decode()
    table_url = reverse("petitions:national", args=[petition.slug])
    assert f'href="{table_url}"' in body and "2025年12月7日" in body
    token = re.search(TOKEN, body).group(1)
    outcome = client.get(reverse("admin:petitions_tallyentry_import_outcome"), {"token": token})
    assert "filename*=utf-8''%E5%B7%9D%E5%B4%8E_" in outcome["Content-Disposition"]  # 川崎_取込結果_….csv
    assert 'filename="' in outcome["Content-Disposition"]
    result = client.post(url, {"token": token, "_commit": "1"}, follow=True).content.decode()
    assert f'href="{table_url}"' in result and "集約一覧表を見る" in result
    template = client.get(reverse("admin:petitions_tallyentry_import_template"), {"format": "xlsx"})
    assert "filename*=utf-8''%E9%9B%86%E7%B4%84" in template["Content-Disposition"]  # 集約取込ひな形.xlsx


def test_the_import_page_states_the_limits_and_a_file_past_them_is_refused_in_japanese(
    client, staff, petition, kawasaki, settings
):
    settings.SHAHO_IMPORT_MAX_ROWS = 2
    client.force_login(staff)
    url = reverse("admin:petitions_tallyentry_import")
    assert "2行・100列・50MB まで" in client.get(url).content.decode()
    body = client.post(
        url,
        {"petition": petition.pk, "encoding": "", "file": _upload("a.csv", csv_bytes(GOOD_ROWS * 2)), "_preview": "1"},
    ).content.decode()
    assert "データの行数が上限（2行）を超えています" in body and 'name="_commit"' not in body
    assert not PendingUpload.objects.exists() and TallyEntry.objects.count() == 0


# --- an unedited export imports as no change; a changed count becomes a correction (issue 16) -----------


def _resaved(content):
    out = io.BytesIO()
    openpyxl.load_workbook(io.BytesIO(content)).save(out)
    return out.getvalue()


def _ledger(petition, kawasaki, yokohama, staff):
    tally_import_commit(petition=petition, data=csv_bytes(GOOD_ROWS), filename="first.csv", user=staff)
    return TallyEntry.objects.count(), ImportBatch.objects.count()  # the ledger is its own history


@pytest.mark.parametrize("file_format", ["xlsx", "xlsx-resaved", "csv"])
def test_an_unedited_export_of_the_ledger_imports_as_no_change(staff, petition, kawasaki, yokohama, file_format):
    from petitions.importing import TALLIES, tally_export

    before = _ledger(petition, kawasaki, yokohama, staff)
    content, _type, ext = tally_export(petition=petition, user=staff, file_format=file_format[:4].rstrip("-"))
    content = _resaved(content) if file_format == "xlsx-resaved" else content
    preview = tally_import_preview(petition=petition, data=content, filename=f"e.{ext}", user=staff)
    assert preview.ok, errors_of(preview)
    assert [row.status_label for row in preview.rows] == ["変更なし", "変更なし"]
    result, message = TALLIES.commit(data=content, filename=f"e.{ext}", user=staff, target=petition)
    assert result is None and "変更はありませんでした" in message
    assert (TallyEntry.objects.count(), ImportBatch.objects.count()) == before
    assert total(petition, kawasaki) == 120


def test_a_changed_count_in_an_export_becomes_a_correcting_entry(staff, petition, kawasaki, yokohama):
    from petitions.importing import tally_export

    _ledger(petition, kawasaki, yokohama, staff)
    content, _type, _ext = tally_export(petition=petition, user=staff, file_format="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["番号", *HEADERS]
    original = TallyEntry.objects.get(council=kawasaki)
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == original.pk:
            cells[4].value = 150
    out = io.BytesIO()
    book.save(out)
    preview = tally_import_preview(petition=petition, data=out.getvalue(), filename="e.xlsx", user=staff)
    assert sorted(row.status_label for row in preview.rows) == ["変更", "変更なし"]
    batch = tally_import_commit(petition=petition, data=out.getvalue(), filename="e.xlsx", user=staff)
    correction = TallyEntry.objects.get(corrects=original)
    assert (correction.count, correction.import_batch) == (30, batch) and total(petition, kawasaki) == 150
    # The same edited file again: its row now equals the ledger (net 150), so nothing more is written.
    again = tally_import_preview(petition=petition, data=out.getvalue(), filename="e2.xlsx", user=staff)
    assert {row.status_label for row in again.rows} == {"変更なし"}


def test_a_number_of_another_prefectures_entry_reads_like_one_that_does_not_exist(staff, petition, kawasaki, tokyo):
    chiyoda = local_council("13", name="千代田社保協")
    tokyo_staff = staff_of(tokyo, role=Role.COUNCIL_STAFF, username="tokyo-uploader")
    tally_import_commit(
        petition=petition, data=csv_bytes([["千代田社保協", "", "", "5", "2025-12-07", ""]]), filename="t.csv",
        user=tokyo_staff,
    )  # fmt: skip
    theirs = TallyEntry.objects.get(council=chiyoda)
    rows = [[str(theirs.pk), "川崎社保協", "", "", "5", "2025-12-07", ""]]
    preview = tally_import_preview(
        petition=petition, data=csv_bytes(rows, headers=["番号", *HEADERS]), filename="a.csv", user=staff
    )
    assert _messages_of(preview) == [
        f"番号「{theirs.pk}」の集約記録は見つかりません（削除されたか、権限の範囲の外です）。"
    ]


def test_both_spellings_and_an_optional_prefecture_suffix_and_an_ambiguous_name(staff, petition, kanagawa):
    a = local_council("14", name="湘南社保協")
    b = local_council("14", name="湘南社会保障推進協議会")
    local_council("13", name="湘南社保協")  # Tokyo's: never a candidate for Kanagawa's staff
    rows = [
        ["神奈川県社保協", "", "", "1", "2025-12-07", ""],
        ["神奈川社会保障推進協議会", "", "", "1", "2025-12-07", ""],
        ["湘南社保協", "", "", "1", "2025-12-07", ""],
    ]
    preview = tally_import_preview(petition=petition, data=csv_bytes(rows), filename="a.csv", user=staff)
    assert [r.council for r in preview.rows[:2]] == [kanagawa, kanagawa]
    assert _messages_of(preview) == [
        f"「湘南社保協」に当てはまる社保協が複数あります: 湘南社保協（番号 {a.pk}）、"
        f"湘南社会保障推進協議会（番号 {b.pk}）。番号で指定してください。"
    ]

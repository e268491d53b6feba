"""generate_report: the same code as the jobs, synchronously, for scripts and cron."""

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from . import factories


def test_list_prints_the_kinds_and_their_parameters():
    out = io.StringIO()
    call_command("generate_report", "--list", stdout=out)
    text = out.getvalue()
    for expected in ("policy_draft", "総会方針案", "meeting", "council_directory", "tally_table", "petition", "date"):
        assert expected in text


@pytest.mark.django_db
def test_run_with_out_writes_the_pdf(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    factories.federation()
    target = tmp_path / "kanagawa.pdf"
    out = io.StringIO()
    call_command("generate_report", "council_directory", "--param", "prefecture=14", "--out", str(target), stdout=out)
    text = PdfReader(target).pages[0].extract_text()
    assert "神奈川県 社保協名簿" in text and "横浜市社保協" in text
    assert "kanagawa.pdf" in out.getvalue()


@pytest.mark.django_db
def test_tally_table_as_xlsx(tmp_path, settings):
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path / "media"
    factories.petition_25jo(factories.federation())
    target = tmp_path / "tally.xlsx"
    call_command(
        "generate_report",
        "tally_table",
        "--param",
        "petition=25jo",
        "--param",
        "date=2020-09-01",
        "--param",
        "format=xlsx",
        "--out",
        str(target),
        stdout=io.StringIO(),
    )
    rows = list(load_workbook(target).active.values)
    assert rows[-1][1] == "合計" and rows[-1][4] == 18_000


@pytest.mark.django_db
def test_bad_parameters_are_a_command_error_with_the_reason(tmp_path):
    factories.federation()
    with pytest.raises(CommandError, match="第99回の総会はありません"):
        call_command("generate_report", "policy_draft", "--param", "meeting=99", "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="名前=値"):
        call_command("generate_report", "policy_draft", "--param", "64", "--out", str(tmp_path / "x.pdf"))

"""One lookup turns what a person typed into a prefecture: code or name, 全角 or 半角; and one for drives."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from councils.management.commands.council_coverage import parse_prefecture_code
from municipalities.registry.selectors import prefecture_from_input
from petitions.selectors import drive_for
from tests.councils.factories import prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed", ["14", "１４", " 14 ", "14000", "140007", "１４０００", "神奈川", "神奈川県", "神奈川　県"]
)
def test_every_way_of_typing_kanagawa_finds_kanagawa(typed):
    assert prefecture_from_input(typed).name == "神奈川県"


OTHERS = [("1", "北海道"), ("01", "北海道"), ("北海道", "北海道"), ("東京", "東京都"), ("京都", "京都府"),
          ("大阪", "大阪府"), ("４７", "沖縄県"), ("８", "茨城県")]  # fmt: skip


@pytest.mark.parametrize("typed, name", OTHERS)
def test_codes_and_names_of_other_prefectures(typed, name):
    assert prefecture_from_input(typed).name == name


@pytest.mark.parametrize("typed", ["", None, "0", "48", "99", "140", "14001", "神奈", "カナガワ", "Kanagawa"])
def test_what_is_no_prefecture_finds_none(typed):
    assert prefecture_from_input(typed) is None


def test_every_copy_uses_the_one_lookup_full_width_included():
    # The command and the placeholder argument used to have their own copies; the placeholder's forgot 全角.
    from councils.figures import _prefecture
    from shaho.core.figures import PlaceholderContext

    assert parse_prefecture_code("１４") == "14" and parse_prefecture_code("神奈川") == "14"
    assert _prefecture("１４", PlaceholderContext(date=datetime.date(2020, 9, 1))).code == "14"
    with pytest.raises(CommandError):
        parse_prefecture_code("４８")


def test_tally_table_command_accepts_a_full_width_prefecture_and_a_name():
    drive = PetitionDriveFactory(slug="kaigo-test")
    for typed in ("１４", "神奈川県"):
        out = io.StringIO()
        call_command("tally_table", "--petition", "ｋａｉｇｏ－ｔｅｓｔ", "--prefecture", typed, stdout=out)
        assert "合計" in out.getvalue()
    assert drive_for(identifier="ＫＡＩＧＯ-test", user=None) == drive


def test_drive_for_a_user_reads_out_of_scope_as_missing():
    tokyo_drive = PetitionDriveFactory(slug="tokyo-only", organiser=prefectural_council("13"))
    kanagawa_staff = staff_of(prefectural_council("14"))
    assert drive_for(identifier="tokyo-only", user=kanagawa_staff) is None
    assert drive_for(identifier="no-such-drive", user=kanagawa_staff) is None
    assert drive_for(identifier="tokyo-only", user=staff_of(prefectural_council("13"))) == tokyo_drive

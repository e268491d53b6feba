"""Every kind of document made from the demo, read back from its PDF (pypdf's text and, for sizes, its text
matrices): what a Japanese reader of an official document expects (issue 18, 「Typography」).

One demo for the module (the `demo` fixture, tests/demo_snapshot.py); each test makes the documents it reads.
"""

import datetime
import io
import math
import re

import pytest
from pypdf import PdfReader

from municipalities.caravans.selectors import caravan_figures
from municipalities.models import Caravan
from municipalities.registry.models import Prefecture
from petitions.models import PetitionDrive
from petitions.selectors import tally_table
from reports.models import ReportJob
from reports.services import run_now

pytestmark = [pytest.mark.django_db, pytest.mark.print_layout]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# Each document made once for the module: the tests read the demo as loaded (one changes it, and asks for fresh
# documents: `fresh=True`). A PDF is a few seconds of WeasyPrint; the policy draft alone was made four times.
_made = {}


@pytest.fixture(scope="module", autouse=True)
def _documents_of_the_module():
    yield
    _made.clear()


def _reader(kind, fresh=False, **params):
    key = (kind, tuple(sorted(params.items())))
    if fresh or key not in _made:
        job = run_now(kind=kind, params=params, user=None)
        assert job.status == "done", job.error
        with job.file.open("rb") as f:
            _made[key] = f.read()
    return PdfReader(io.BytesIO(_made[key]))


def _pages(kind, fresh=False, **params):
    """Each page's text, spaces taken out (pypdf puts some between glyphs) and line ends kept: a word
    broken over two lines has a line end inside it."""
    return [page.extract_text().replace(" ", "") for page in _reader(kind, fresh, **params).pages]


def _text(kind, fresh=False, **params):
    return "".join(_pages(kind, fresh, **params))


def _flat(text):
    return text.replace("\n", "")


def _sizes(page):
    """(text, printed size in pt) of every text drawn on `page`: the font size times the text and CTM scale."""

    def times(m, n):
        return [
            m[0] * n[0] + m[1] * n[2],
            m[0] * n[1] + m[1] * n[3],
            m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3],
        ]

    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            m = times(tm, cm)
            out.append((text.strip(), size * math.hypot(m[2], m[3])))

    page.extract_text(visitor_text=visit)
    return out


KANAGAWA_TALLY = {"petition": "hokensho", "date": "2024-03-31", "prefecture": "14"}


def test_the_tally_tables_bars_read_short_names_whole_and_nothing_prints_under_7pt(demo):
    reader = _reader("tally_table", **KANAGAWA_TALLY)
    sizes = _sizes(reader.pages[0])
    labels = [t for t, _s in sizes]
    for short in ("神奈川県社保協", "横浜社保協", "川崎社保協", "相模原社保協", "平塚地域社保協", "茅ヶ崎社保協"):
        assert short in labels, f"{short}: the bar's label is not its short name"
    assert not [t for t in labels if "…" in t], "a label was cut"
    small = [(t, round(s, 1)) for t, s in sizes if s < 7]
    assert small == []


def test_no_text_of_the_draft_prints_under_7pt_not_even_a_maps_inset_name(demo):
    reader = _reader("policy_draft", meeting="64")
    (chart,) = [p for p in reader.pages if "都道府県別 地域社保協のある市区町村の割合（%" in p.extract_text()]
    assert any(t == "神奈川県" for t, _s in _sizes(chart))
    small = [(n, t, round(s, 1)) for n, page in enumerate(reader.pages, 1) for t, s in _sizes(page) if s < 7]
    assert small == []  # the map's 沖縄県 was 6 pt


def test_a_prefectures_tally_leaves_out_its_prefecture_column_and_states_its_goal_as_a_breakdown(demo):
    text = _text("tally_table", **KANAGAWA_TALLY)
    table = tally_table(
        petition=PetitionDrive.objects.get(slug="hokensho"),
        as_of=datetime.date(2024, 3, 31),
        prefecture=Prefecture.objects.get(code="14"),
    )
    goal, kept, split = table.goal_split
    assert goal == table.total.goal == sum(r.goal or 0 for r in table.rows), "the rows are the goal's breakdown"
    assert (
        f"神奈川県の目標{goal:,}筆の内訳：神奈川県社保協{kept:,}筆（地域社保協に割り当てていない分）、地域社保協{split:,}筆"
        in _flat(text)
    )
    # 神奈川県 on every row was the column 「都道府県」, broken 「神奈川／県」 in its narrow width.
    header = _flat(text).split("表の各行の目標を足すと県の目標になります。")[1][:40]
    assert header.startswith("社保協目標（筆）"), header
    assert "神奈川\n県" not in text and "合計" in text


def test_names_and_headers_never_break_inside_a_word(demo):
    report = _text("prefecture_report", prefecture="14", start="2023-11-01", end="2023-12-31")
    for word in ("1（重点）", "2（重点）", "現状維持"):
        assert word in report, f"{word} is broken over two lines"
    assembly = _text("assembly_summary", campaign="kokuho-ikensho")
    for word in ("自治体", "意見書", "市区町村", "計（18都道府県）"):
        assert word in assembly
    draft = _text("policy_draft", meeting="64")
    # A preparatory council's name ends in 準備会 already: not 「…準備会（準備会）」, never 「準備／会」.
    assert "準備会（準備会）" not in _flat(draft)
    assert "準備\n会" not in draft


def test_a_total_row_stands_once_at_the_end_of_its_table(demo):
    pages = _pages("assembly_summary", campaign="kokuho-ikensho")
    assert len(pages) > 1, "the table must run over pages for this test to mean anything"
    holding = [i for i, page in enumerate(pages) if "計（18都道府県）" in page]
    assert holding == [len(pages) - 1]


def test_japanese_punctuation_in_japanese_text(demo):
    draft = _flat(_text("policy_draft", meeting="64"))
    assert "医療：公立・公的病院" in draft and "医療:" not in draft  # the demo's chapter types 「**医療**: 」
    report = _flat(_text("prefecture_report", prefecture="14", start="2023-11-01", end="2023-12-31"))
    # A street action's line ends in 「。」, never with a dangling 「、」.
    assert "12月12日、二宮町。参加6人。12月12日、箱根町。" in report
    assert "、。" not in report
    # No Western space after 」 nor before （: pypdf keeps a space the PDF draws.
    raw = "".join(p.extract_text() for p in _reader("prefecture_report", prefecture="14", start="2023-11-01",
                                                    end="2023-12-31").pages)  # fmt: skip
    assert not re.search(r"」 [^\n]", raw) and not re.search(r"[^\x00-\x7f] （", raw)
    assert "（相手方：" in report and "［注：" in report


def test_the_directory_leaves_out_empty_and_repeated_columns_and_lists_friendly_organisations_last(demo):
    text = _text("council_directory", prefecture="14")
    flat = _flat(text)
    assert "所在地" not in flat and "電話・FAX" not in flat  # nothing entered in any row
    assert "都道府県" not in flat.replace("都道府県社保協", "")  # 神奈川県 on every row
    assert flat.index("神奈川社会保障を考える会") > flat.index("茅ヶ崎社会保障推進協議会")
    assert "都道府県社保協1、地域社保協7、準備会1（計9）" in flat and "友好組織1" in flat


def test_short_chapters_share_pages_and_every_page_but_the_cover_has_the_same_number(demo):
    pages = _pages("policy_draft", meeting="64")
    first = [i for i, p in enumerate(pages) if "\nはじめに" in p or p.startswith("はじめに")]
    holding = {
        title: next(i for i, p in enumerate(pages) if f"\n{title}\n" in p)
        for title in ("情勢の特徴", "社会保障をめぐる情勢")
    }
    assert first and holding["情勢の特徴"] == holding["社会保障をめぐる情勢"], "each short chapter on its own page"
    for kind, params in (
        ("policy_draft", {"meeting": "64"}),
        ("calendar", {"prefecture": "14", "start": "2023-11-01", "end": "2024-03-31"}),
        ("council_directory", {"prefecture": "14"}),
    ):
        pages = _pages(kind, **params)
        for number, page in enumerate(pages, start=1):
            if kind == "policy_draft" and number == 1:
                assert "/" not in page  # the cover
                continue
            assert page.rstrip().endswith(f"{number}/{len(pages)}") or f"\n{number}/{len(pages)}" in page, (
                kind,
                number,
            )


def test_the_compilation_packs_short_sections_and_never_prints_the_internal_column(demo):
    osaka = _pages("caravan_compilation", prefecture="27", year="2019")
    assert len(osaka) <= 8, f"{len(osaka)} pages for seven one-question sections"  # 18 before
    flat = _flat("".join(osaka))
    assert all(f"{n}." in flat for n in range(1, 8)) and "子ども施策" in flat and "大阪市" in flat
    tokyo = _flat(_text("caravan_compilation", prefecture="13", year="2024"))
    assert "資格確認書を国保加入者全員に送付するか" in tokyo
    assert "担当者の補足（非公開）" not in tokyo and "担当課からの補足" not in tokyo


def test_the_calendar_prints_a_place_once(demo):
    text = _flat(_text("calendar", prefecture="14", start="2023-11-01", end="2024-03-31"))
    assert "西湘地域キャラバン①（大磯町）" in text and "（大磯町）（大磯町）" not in text
    assert "桜木町駅前宣伝（桜木町駅前広場）" in text  # a place the title does not say is still printed


def test_the_draft_and_the_compilation_print_the_same_answered_count(demo):
    caravan = Caravan.objects.get(prefecture__code="11", fiscal_year=2020)

    def both():
        draft = _flat(_text("policy_draft", fresh=True, meeting="64"))
        compilation = _flat(_text("caravan_compilation", fresh=True, prefecture="11", year="2020"))
        said = re.search(r"（(\d+)市町村中(\d+)が回答）", draft)
        cover = re.search(r"回答(\d+)自治体", compilation)
        mapped = re.search(r"埼玉県の回答(\d+)／(\d+)市区町村", compilation)
        return int(said.group(2)), int(cover.group(1)), int(mapped.group(1))

    answered = caravan_figures(caravan=caravan).answered
    assert answered == 63 and both() == (63, 63, 63)
    # One municipality's answer date taken back: every document says one fewer (the earlier jobs go, so
    # the requests are not taken for a double click's duplicates).
    assert caravan.targets.filter(municipality__code="112089").update(answered_on=None) == 1
    ReportJob.objects.all().delete()
    assert both() == (62, 62, 62)

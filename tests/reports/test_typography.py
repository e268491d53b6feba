"""PDF typography, read back from the PDF's text (pypdf): titles break between words, figures sit in
Japanese text without Western spaces, a heading goes with what follows it, a continued list names its
prefecture on every page, a drive with nothing recorded is one line, the cover names the council and
has no page number."""

import datetime
import io

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from councils.models import CouncilKind
from petitions.report_kinds import tally_context
from petitions.selectors import tally_table
from reports import documents
from reports.services import run_now
from reports.templatetags.documents import keep_words
from shaho.core import figures
from tests.councils.factories import local_council
from tests.petitions.factories import PetitionDriveFactory

from . import factories

pytestmark = pytest.mark.print_layout

D = datetime.date
TITLE = "社会保障拡充・財源確保を求める署名（25条署名） 集約一覧表 2020年8月31日現在"


def _pages(pdf_bytes):
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages]


def _render(body):
    html = f'<!DOCTYPE html><html lang="ja"><body>{body}</body></html>'
    return _pages(documents.render_pdf(html).content)


def test_a_title_breaks_between_its_words_never_inside_one():
    # Pushed along by a prefix of 0 to 27 characters, the title wraps at every possible place.
    broken_without, broken_with = [], []
    for n in range(0, 30, 3):
        title = "あ" * n + TITLE
        plain = _render(f"<h1>{title}</h1>")[0]
        kept = _render(f"<h1>{keep_words(title)}</h1>")[0]
        if "集約一覧表" not in plain:
            broken_without.append(n)
        if not all(word in kept for word in ("集約一覧表", "2020年8月31日現在", "財源確保を求める署名")):
            broken_with.append(n)
    assert broken_without, "the control never broke the title: the test would prove nothing"
    assert broken_with == []


def test_keep_words_escapes_and_breaks_only_at_spaces_and_after_punctuation():
    html = str(keep_words("<b>集約</b>・一覧 表"))
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert html == (
        '<span class="nobr">&lt;b&gt;集約&lt;/b&gt;・</span><wbr>'
        '<span class="nobr">一覧</span> <span class="nobr">表</span>'
    )


@pytest.mark.django_db
def test_a_tables_heading_and_its_line_go_to_the_page_of_its_chart():
    councils = factories.federation()
    table = tally_context(tally_table(petition=factories.petition_25jo(councils), as_of=factories.FIGURES_DAY))
    fragment = render_to_string("reports/appendix_tally.html", {"appendix": {"tables": [table]}})
    for n in range(24, 30):  # with 26-28 paragraphs before it, the chart no longer fits under the heading
        pages = _render("".join(f"<p>本文の段落{i}。</p>" for i in range(n)) + fragment)
        heading = next(i for i, text in enumerate(pages) if "集約一覧表" in text)
        chart = next(i for i, text in enumerate(pages) if "目標に対する達成率" in text)
        assert heading == chart, f"{n} paragraphs: the heading is left at the foot of page {heading + 1}"


def test_figures_go_into_japanese_text_without_western_spaces():
    values = {"{{ a.b }}": "466", "{{ a.c }}": "+1"}
    sub = figures._substitute
    assert sub("総数は {{ a.b }} で、前年から {{ a.c }} となりました", values) == "総数は466で、前年から+1となりました"
    assert sub("総数は　{{ a.b }}　です", values) == "総数は466です"  # ideographic spaces too
    assert sub("total {{ a.b }} councils", values) == "total 466 councils"  # Western text keeps its spaces
    assert sub("- {{ a.b }} 件", values) == "- 466件"  # a list's marker keeps its space
    assert sub("{{ a.b }} {{ a.c }}", values) == "466 +1"
    assert sub("全市区町村の {{ a.b }}% です", values) == "全市区町村の466%です"  # the unit stays, the space goes
    assert sub("{{ a.b }}% of all", values) == "466% of all"


@pytest.mark.django_db
def test_policy_draft_cover_figures_and_a_drive_without_entries(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    councils = factories.federation()
    recorded = factories.petition_25jo(councils)
    quiet = PetitionDriveFactory(title="介護改善署名", short_name="介護署名", organiser=councils["national"])
    factories.meeting(councils, petitions=[recorded, quiet])
    job = run_now(kind="policy_draft", params={"meeting": "64"})
    assert job.status == "done", job.error
    with job.file.open("rb") as f:
        pages = _pages(f.read())
    cover = pages[0]
    assert "中央社会保障推進協議会" in cover and "2020年度第64回全国総会方針案" in cover
    assert f"1 / {len(pages)}" not in cover and "/ " not in cover  # no page number on the cover
    assert f"2 / {len(pages)}" in pages[1]  # the cover still counts as page 1
    body = "".join(pages).replace("\n", "")
    assert "社保協の総数は6（前年比+1）" in body and "地域社保協は3です" in body
    assert "介護改善署名は、2020年9月1日現在、集約の記録はまだありません。" in body
    # The drive with entries has its table; the other none of zeros, not even its title.
    assert "社会保障拡充・財源確保を求める署名 集約一覧表" in body and "介護改善署名 集約一覧表" not in body


@pytest.mark.django_db
def test_local_council_list_names_the_prefecture_on_every_page_it_continues(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    councils = factories.federation()
    for i in range(90):
        local_council("14", name=f"神奈川テスト地域社保協{i:02d}", founded_on=D(2001, 1, 1), kind=CouncilKind.LOCAL)
    factories.meeting(councils, chapters=factories.CHAPTERS[:1])
    job = run_now(kind="policy_draft", params={"meeting": "64"})
    assert job.status == "done", job.error
    with job.file.open("rb") as f:
        pages = [p for p in _pages(f.read()) if "神奈川テスト地域社保協" in p]
    assert len(pages) >= 2, "the list must run over a page for this test to mean anything"
    for text in pages:
        assert "神奈川県" in text.replace("神奈川テスト", "")

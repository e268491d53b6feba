"""The blocks registry: a live table in a chapter, resolved at the document's date, refused in Japanese."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from shaho.core import blocks, figures


@pytest.fixture
def demo_block():
    """A block registered for the test only (taken out again), over the figures' `int` argument type."""

    def rows(ctx, *, n=2, date):
        return blocks.Block(
            template="blocks/_table.html",
            context={"columns": ["番号", "日付"], "rows": [(i, f"{date:%Y-%m-%d}") for i in range(1, n + 1)]},
            empty=n == 0,
        )

    blocks.register("testing.rows", label="試験の表", params={"n": "int", "date": "date"})(rows)
    yield
    del blocks._registry["testing.rows"]


def ctx():
    return figures.PlaceholderContext(date=datetime.date(2020, 9, 1))


def test_a_block_alone_on_its_line_becomes_its_table(demo_block):
    text, rendered = blocks.extract("はじめに\n\n{{ testing.rows n=3 }}\n\nおわり", ctx())
    assert "testing.rows" not in text and len(rendered) == 1
    html = blocks.insert(f"<p>はじめに</p>\n<p>{blocks.MARKER.format(0)}</p>\n<p>おわり</p>", rendered)
    assert html.count("<tr>") == 4  # the heading and three rows
    assert "2020-09-01" in html and "SHAHOBLOCK" not in html


def test_full_width_braces_and_spaces_are_accepted(demo_block):
    _, rendered = blocks.extract("　｛｛ testing.rows n=1 ｝｝　", ctx())
    assert len(rendered) == 1


def test_a_block_inside_a_sentence_is_refused_naming_it(demo_block):
    with pytest.raises(ValidationError) as caught:
        blocks.extract("表は {{ testing.rows }} のとおり", ctx())
    assert "1行に単独で" in caught.value.messages[0] and "testing.rows" in caught.value.messages[0]


def test_a_bad_argument_is_refused_with_the_allowed_ones(demo_block):
    with pytest.raises(ValidationError) as caught:
        blocks.extract("{{ testing.rows color=red }}", ctx())
    assert "引数「color」は使えません" in caught.value.messages[0] and "n、date" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        blocks.extract("{{ testing.rows n=many }}", ctx())
    assert "testing.rows n=many" in caught.value.messages[0]


def test_figures_alone_on_a_line_are_left_for_the_figures(demo_block):
    text, rendered = blocks.extract("{{ census.total }}", ctx())
    assert text == "{{ census.total }}" and rendered == []


def test_check_names_knows_blocks_and_figures(demo_block):
    blocks.check_names("{{ testing.rows }}\n\n社保協は {{ census.total }}")
    with pytest.raises(ValidationError) as caught:
        blocks.check_names("{{ testing.nothing }}")
    assert "testing.rows" in caught.value.messages[0] and "census.total" in caught.value.messages[0]


def test_a_block_cannot_take_a_figures_name():
    with pytest.raises(ValueError):
        blocks.register("census.total", label="x")(lambda ctx: None)

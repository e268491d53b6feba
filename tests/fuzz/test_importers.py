"""Every importer of the one flow, fed generated files (hypothesis).

Each importer starts from its own export of a small world (the records a user of the right role sees);
an example keeps, edits, blanks or adds rows, fills cells with what real files bring
(`tests.fuzz.strategies`) and writes the file as CSV (UTF-8, UTF-8 with BOM, CP932) or xlsx. Properties:

* the preview and the commit never raise anything but the flow's `ImportRefused`;
* every error is Japanese and names its row (and its column) or the file;
* a refused commit writes nothing (the importer's tables, the ledger, the history, compared row by row);
* a committed file imported a second time changes nothing (refused as already imported, or all 変更なし);
* an unedited export imports as no change (in each of its formats).
"""

import datetime
import io
from dataclasses import dataclass, field

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from shaho.core.imports import ImportRefused
from tests.councils.factories import local_council

from . import strategies as s
from .conftest import fewer, is_japanese, rolled_back

pytestmark = pytest.mark.django_db


@dataclass
class World:
    importer: object
    user: object
    target: object
    tables: tuple  # the querysets whose rows must not change when nothing may (compared value by value)
    counts: dict = field(default_factory=dict)  # header → strategy of good values (counts)
    dates: tuple = ()  # headers holding dates
    date_range: tuple = (datetime.date(2019, 5, 1), datetime.date(2025, 12, 31))  # the dates the world accepts

    def snapshot(self):
        return [sorted(map(repr, qs.values_list())) for qs in self.tables]

    def exported(self):
        if not hasattr(self, "_exported"):
            self._exported = self.export_table()
        return self._exported

    def export_table(self):
        """The export as rows of cells (the first sheet of the xlsx, or the CSV) and its header's index."""
        made = self.importer.export(user=self.user, target=self.target, file_format="xlsx")
        content = made[0]
        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        table = [list(values) for values in sheet.iter_rows(values_only=True)]
        parsed = self.importer.parse(data=content, filename="export.xlsx", target=self.target)
        return table, parsed.header_row - 1


# --- the worlds ------------------------------------------------------------------------------------------


@pytest.fixture
def tallies(kanagawa_staff, kanagawa, kawasaki, petition):
    from petitions.importing import TALLIES
    from petitions.models import ImportBatch, TallyEntry
    from tests.petitions.factories import record

    yokohama = local_council("14", name="横浜社保協")
    for council, n, day in ((kawasaki, 42, datetime.date(2024, 1, 10)), (yokohama, 1241, datetime.date(2024, 2, 1))):
        record(kanagawa_staff, petition, council, n, collected_on=day, note="駅前")
    return World(
        TALLIES,
        kanagawa_staff,
        petition,
        (TallyEntry.objects.all(), ImportBatch.objects.all()),
        counts={"筆数": s.count_cell(-50, 5000)},
        dates=("日付",),
        date_range=(datetime.date(2023, 9, 1), datetime.date(2025, 12, 31)),
    )


@pytest.fixture
def orders(national, kanagawa_staff, kanagawa, kawasaki):
    from campaigns.materials.importing import ORDERS
    from campaigns.materials.models import Order, OrderLine
    from tests.materials.factories import material, member

    member(kanagawa, "神奈川県保険医協会", "保険医協会")
    local_council("14", name="茅ヶ崎社会保障推進協議会", short_name="茅ヶ崎社保協")
    material(national)
    seed = (
        "資料,注文した社保協,注文日,宛先,数量,備考\n"
        "新国保パンフ,,2023-10-20,保険医協会,200,\n新国保パンフ,,2023/10/20,川崎社保協,２００,"
    )
    ORDERS.commit(data=seed.encode(), filename="seed.csv", user=kanagawa_staff, target=None)
    return World(
        ORDERS,
        kanagawa_staff,
        None,
        (Order.objects.all(), OrderLine.objects.all(), OrderLine.history.all()),
        counts={"数量": s.count_cell(-5, 5000)},
        dates=("注文日",),
    )


class ActionsExport:
    """The actions importer has no export of its own: the calendar's export (campaigns.exports) is its file."""

    def __init__(self, importer):
        self.importer = importer

    def __getattr__(self, name):
        return getattr(self.importer, name)

    def export(self, *, user, target, file_format):
        from campaigns import exports
        from campaigns.models import Action
        from shaho.core.scoping import restrict

        actions = restrict(Action.objects.order_by("pk"), user)
        if file_format == "csv":
            return exports.actions_csv(actions), "text/csv", "csv"
        return exports.actions_xlsx(actions), "", "xlsx"


@pytest.fixture
def actions(kanagawa_staff, kanagawa, kawasaki):
    from campaigns.importing import ACTIONS
    from campaigns.models import Action
    from tests.campaigns.factories import action

    action(kanagawa_staff, kawasaki, title="桜木町駅前宣伝", onsite_count=12)
    action(kanagawa_staff, kanagawa, code="study", title="学習会", starts_on=datetime.date(2024, 3, 2))
    return World(
        ActionsExport(ACTIONS),
        kanagawa_staff,
        None,
        (Action.objects.all(), Action.history.all()),
        counts={"会場参加": s.count_cell(-5, 500), "オンライン参加": s.count_cell(-5, 500)},
        dates=("日付",),
    )


def _world(name, request):
    return request.getfixturevalue(name)


# --- the examples -----------------------------------------------------------------------------------------


@st.composite
def edited_file(draw, world, table, header_index):
    """The export with rows kept, edited, stripped of their 番号 or added, written in one of the formats."""
    header = [("" if h is None else str(h)) for h in table[header_index]]
    body = [list(r) for r in table[header_index + 1 :]]
    good = {}
    for col, name in enumerate(header):
        seen = [r[col] for r in body if col < len(r) and r[col] not in (None, "")]
        options = [st.sampled_from(seen)] if seen else []
        if name in world.counts:
            options.append(world.counts[name])
        if name in world.dates:
            options.append(s.date_cell(lo=world.date_range[0], hi=world.date_range[1]))
        good[col] = st.one_of(*options) if options else st.just("")
    # Half the files are clean (every edited cell a good value): they reach the commit and the second import.
    clean = draw(st.booleans())
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        base = list(draw(st.sampled_from(body))) if body else [""] * len(header)
        base += [""] * (len(header) - len(base))
        if header and header[0] == "番号" and draw(st.booleans()):
            base[0] = ""  # a new record
        for col in draw(st.sets(st.integers(0, len(header) - 1), max_size=3)):
            base[col] = draw(good[col] if clean else s.cell(good[col]))
        rows.append(base)
    return Upload(header, rows, draw(s.file_formats()))


@dataclass
class Upload:
    """A generated file: its rows as drawn (what a failing example prints) and their bytes in `file_format`."""

    header: list
    rows: list
    file_format: str

    def written(self):
        return s.write_file(self.header, self.rows, self.file_format)


def _check_messages(preview):
    for error in preview.errors:
        assert is_japanese(error.message), error
        assert "「」" not in error.message, error  # a message quoting an empty (or invisible) cell says nothing
        assert error.column, error
        if error.row is not None:
            assert error.row >= 1
    for row in preview.rows:
        for error in row.errors:
            assert error.row == row.number, error


def import_twice(world, data, filename, examples):
    examples()
    with rolled_back():
        before = world.snapshot()
        preview = world.importer.preview(data=data, filename=filename, user=world.user, target=world.target)
        _check_messages(preview)
        try:
            world.importer.commit(data=data, filename=filename, user=world.user, target=world.target)
        except ImportRefused as exc:
            event("refused")
            assert all(is_japanese(line) for line in exc.messages), exc.messages
            assert world.snapshot() == before, "a refused file wrote something"
            return
        event(f"committed, {(preview.changes and 'with') or 'without'} changes")
        assert preview.ok, "a preview with errors was committed"
        after = world.snapshot()
        again = world.importer.preview(data=data, filename=filename, user=world.user, target=world.target)
        _check_messages(again)
        assert again.changes == 0 or again.notices, again.summary()
        try:
            world.importer.commit(data=data, filename=filename, user=world.user, target=world.target)
        except ImportRefused:
            pass
        assert world.snapshot() == after, "the same file imported twice changed something the second time"


IMPORTERS = ["tallies", "orders", "actions"]


@pytest.mark.parametrize("name", IMPORTERS)
@given(data=st.data())
def test_generated_files_import_all_or_nothing_and_once(name, request, examples, data):
    world = _world(name, request)
    table, header_index = world.exported()
    content, filename = data.draw(edited_file(world, table, header_index)).written()
    import_twice(world, content, filename, examples)


@pytest.mark.parametrize("name", IMPORTERS)
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_an_unedited_export_imports_as_no_change(name, file_format, request):
    export_imports_as_no_change(_world(name, request), file_format)


def export_imports_as_no_change(world, file_format):
    before = world.snapshot()
    content, _content_type, extension = world.importer.export(
        user=world.user, target=world.target, file_format=file_format
    )
    assert extension == file_format
    preview = world.importer.preview(data=content, filename=f"export.{extension}", user=world.user, target=world.target)
    assert preview.ok, preview.error_lines()
    assert preview.rows and preview.changes == 0, preview.summary()
    world.importer.commit(data=content, filename=f"export.{extension}", user=world.user, target=world.target)
    assert world.snapshot() == before


# --- what the fuzzing found, pinned ------------------------------------------------------------------------


def test_an_action_file_without_numbers_imported_twice_adds_nothing_the_second_time(actions):
    """Found by the fuzzing: rows without 番号 were new again on every import, so the same file doubled them."""
    from campaigns.models import Action

    data = "日付,種類,名称,開始,主催,会場参加\n令和6年3月2日,学習会,国保の学習会,18時30分,,４２\n".encode("cp932")
    first, _message = actions.importer.commit(data=data, filename="a.csv", user=actions.user, target=None)
    assert first.counts()["new"] == 1
    count = Action.objects.count()
    again = actions.importer.preview(data=data, filename="a.csv", user=actions.user, target=None)
    assert again.ok and again.counts() == {"new": 0, "changed": 0, "unchanged": 1}
    actions.importer.commit(data=data, filename="a.csv", user=actions.user, target=None)
    assert Action.objects.count() == count


def test_an_unnumbered_row_is_not_matched_to_the_action_another_row_changes(actions):
    """Found by the fuzzing: a row without 番号 equal to action 1 as it was, and a row changing action 1 by its 番号.
    The unnumbered row was 変更なし (matched to action 1) the first time and 新規 the second: it is 新規 at once."""
    from campaigns.models import Action

    first = Action.objects.order_by("pk").first()
    data = (
        "番号,日付,種類,名称,主催,会場参加\n"
        f",2024-01-10,宣伝行動,桜木町駅前宣伝,川崎社保協,12\n"
        f"{first.pk},2024-01-10,学習会,桜木町駅前宣伝,川崎社保協,12\n"
    ).encode()
    preview, _message = actions.importer.commit(data=data, filename="a.csv", user=actions.user, target=None)
    assert preview.counts() == {"new": 1, "changed": 1, "unchanged": 0}
    after = actions.snapshot()
    again = actions.importer.preview(data=data, filename="a.csv", user=actions.user, target=None)
    assert again.counts() == {"new": 0, "changed": 0, "unchanged": 2}
    actions.importer.commit(data=data, filename="a.csv", user=actions.user, target=None)
    assert actions.snapshot() == after


def test_invisible_cells_read_as_blank_and_a_blank_name_asks_for_one(orders):
    """Found by the fuzzing: a cell holding only a BOM or a zero-width space, or a blank required name, gave
    「」という資料は見つかりません — quoting nothing. Invisible edges are dropped; a blank name is asked for."""
    data = "資料,注文日,宛先,数量\n\ufeff,2023-10-21,\u200b保険医協会,\ufeff１２\n".encode()
    preview = orders.importer.preview(data=data, filename="o.csv", user=orders.user, target=None)
    assert [(e.row, e.column, e.message) for e in preview.errors] == [(2, "資料", "資料を入力してください。")]
    assert preview.rows[0].cells["quantity"] == "１２" and preview.rows[0].cells["recipient"] == "保険医協会"


def test_an_action_without_its_kind_asks_for_it(actions):
    data = "日付,種類,名称\n2024-05-01,\u3000,学習会\n".encode()
    preview = actions.importer.preview(data=data, filename="a.csv", user=actions.user, target=None)
    assert [(e.row, e.column, e.message) for e in preview.errors] == [(2, "種類", "種類を入力してください。")]


def test_a_blank_date_says_it_is_blank(orders):
    """Found by the dev profile: a blank 注文日 (a space, a BOM) read 「」は日付として読めません。"""
    data = "資料,注文日,宛先,数量\n新国保パンフ,\u3000,保険医協会,12\n".encode()
    preview = orders.importer.preview(data=data, filename="o.csv", user=orders.user, target=None)
    assert [(e.row, e.column, e.message) for e in preview.errors] == [(2, "注文日", "日付が入力されていません。")]


# --- the one flow's pages, as staff use them ---------------------------------------------------------------


def _import_url(importer):
    """The admin's import page of `importer` and the name its upload form gives the target."""
    from django.contrib import admin
    from django.urls import reverse

    for model, model_admin in admin.site._registry.items():
        if getattr(model_admin, "importer", None) is importer:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
            return url, model_admin.target_field
    raise LookupError(importer.key)


def upload_and_commit(client, world, content, filename, examples):
    """Upload → 確認 → 取り込む through the admin pages: never a 500, and a refused commit writes nothing."""
    examples()
    importer = getattr(world.importer, "importer", world.importer)
    url, target_field = _import_url(importer)
    with rolled_back():
        before = world.snapshot()
        upload = io.BytesIO(content)
        upload.name = filename
        form = {"file": upload, "encoding": ""}
        if world.target is not None:
            form[target_field] = importer.target_value(world.target)
        page = client.post(url, form)
        assert page.status_code == 200
        assert world.snapshot() == before, "the preview wrote something"
        preview, token = page.context["preview"], page.context["token"]
        _check_messages(preview)
        if not token:
            return
        done = client.post(url, {"_commit": "1", "token": token})
        assert done.status_code in (200, 302)
        if done.status_code == 200 or not preview.ok:
            assert world.snapshot() == before, "a refused commit wrote something"


@pytest.mark.parametrize("name", IMPORTERS)
@fewer(1 / 3)
@given(data=st.data())
def test_the_import_pages_take_generated_files(name, request, client, examples, data):
    world = _world(name, request)
    client.force_login(world.user)
    table, header_index = world.exported()
    content, filename = data.draw(edited_file(world, table, header_index)).written()
    upload_and_commit(client, world, content, filename, examples)

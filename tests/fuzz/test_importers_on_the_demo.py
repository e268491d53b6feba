"""The importers whose worlds are the demo's (the assemblies' petitions, the caravans' answer sheets), fuzzed as
tests/fuzz/test_importers.py fuzzes the others: the demo is built once for the module and each example runs in
a savepoint rolled back after it."""

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.module_data import kept_for_the_module

from . import strategies as s
from .conftest import fewer
from .test_importers import World, edited_file, export_imports_as_no_change, import_twice, upload_and_commit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo federation, its caravans and the assemblies' campaigns with Kanagawa's petitions."""
    from councils.models import Council, CouncilKind
    from demo import assemblies, caravans, federation

    with kept_for_the_module(django_db_blocker):
        federation.seed(stdout=io.StringIO())
        caravans.seed(stdout=io.StringIO())
        national = Council.objects.get(kind=CouncilKind.NATIONAL)
        campaigns = assemblies._campaigns(national)
        assemblies._kanagawa(campaigns[assemblies.HOKENSHO])
        yield campaigns[assemblies.HOKENSHO].pk


@pytest.fixture
def assemblies(demo, db):
    from campaigns.models import Campaign
    from councils.models import Council, CouncilKind, Role
    from municipalities.assemblies.importing import ASSEMBLIES
    from municipalities.models import AssemblyPetition, OpinionStatement, Sitting
    from tests.councils.factories import staff_of

    kanagawa = Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code="14")
    return World(
        ASSEMBLIES,
        staff_of(kanagawa, role=Role.COUNCIL_STAFF),
        Campaign.objects.get(pk=demo),
        (AssemblyPetition.objects.all(), OpinionStatement.objects.all(), Sitting.objects.all()),
        dates=("提出日", "委員会の審査日", "本会議の議決日", "意見書の可決日"),
    )


@pytest.fixture
def answers(demo, db):
    from councils.models import Council, CouncilKind, User
    from municipalities.caravans.importing import ANSWERS
    from municipalities.models import Answer, Questionnaire

    tokyo = Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code="13")
    survey = Questionnaire.objects.get(council=tokyo, fiscal_year=2024)
    answers = Answer.objects.filter(question__questionnaire=survey)
    return World(
        ANSWERS,
        User.objects.get(username="chuo"),
        survey,
        (answers, Answer.history.all()),
        counts={q.header: s.count_cell(-5, 10**6) for q in survey.questions.all()},
    )


@pytest.mark.parametrize("name", ["assemblies", "answers"])
@given(data=st.data())
def test_generated_files_import_all_or_nothing_and_once(demo, name, request, examples, data):
    world = request.getfixturevalue(name)
    table, header_index = world.exported()
    content, filename = data.draw(edited_file(world, table, header_index)).written()
    import_twice(world, content, filename, examples)


@pytest.mark.parametrize(("name", "file_format"), [("assemblies", "xlsx"), ("assemblies", "csv"), ("answers", "xlsx")])
def test_an_unedited_export_imports_as_no_change(demo, name, file_format, request):
    export_imports_as_no_change(request.getfixturevalue(name), file_format)


@pytest.mark.parametrize("name", ["assemblies", "answers"])
@fewer(1 / 3)
@given(data=st.data())
def test_the_import_pages_take_generated_files(demo, name, request, client, examples, data):
    world = request.getfixturevalue(name)
    client.force_login(world.user)
    table, header_index = world.exported()
    content, filename = data.draw(edited_file(world, table, header_index)).written()
    upload_and_commit(client, world, content, filename, examples)


def test_an_answer_row_without_its_code_asks_for_it(demo, answers):
    """Found by the dev profile: a blank 団体コード read 団体コード「」の市区町村はありません。"""
    question = answers.target.questions.order_by("pk").first()
    data = f"団体コード,市区町村名,{question.header}\n,千代田区,12\n".encode()
    preview = answers.importer.preview(data=data, filename="a.csv", user=answers.user, target=answers.target)
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (2, "団体コード", "団体コードを入力してください。")
    ]

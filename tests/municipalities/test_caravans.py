"""Caravans, questionnaires, indicators, the public view and the 資料集: the demo reads back as the seeds report it."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from councils.models import Council, CouncilKind, Role, User
from municipalities.caravans import importing, selectors, services
from municipalities.models import Answer, AnswerKind, Caravan, Municipality, Prefecture, Question, Questionnaire, Talk
from shaho.core.figures import PlaceholderContext, resolve
from shaho.core.models import ImportJob
from tests.councils.factories import staff_of

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def demo(demo_caravans, db):
    return demo_caravans


def user(name):
    return User.objects.get(username=name)


def council(code):
    return Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code=code)


def tokyo_survey():
    return Questionnaire.objects.get(council=council("13"), fiscal_year=2024)


def question(text, kind, **extra):
    return Question(text=text, kind=kind, code="1", **extra)


# --- typed answers: bad input refused with a Japanese message --------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (AnswerKind.MONEY, "５２，０００円", Decimal(52000)),
        (AnswerKind.MONEY, "5万2千", Decimal(52000)),
        (AnswerKind.INTEGER, "１２", Decimal(12)),
        (AnswerKind.PERCENT, "12.5%", Decimal("12.50")),
        (AnswerKind.YES_NO, "はい", Decimal(1)),
        (AnswerKind.YES_NO, "×", Decimal(0)),
        (AnswerKind.AGE, "18歳年度末", Decimal(18)),
        (AnswerKind.AGE, "中学校卒業", Decimal(15)),
        (AnswerKind.AGE, "２２", Decimal(22)),
    ],
)
def test_answers_are_typed_from_what_officials_write(kind, raw, expected):
    assert services.parse_answer(question("q", kind), raw)["number"] == expected


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        (AnswerKind.MONEY, "たくさん", "金額として読めません"),
        (AnswerKind.YES_NO, "19", "「はい」か「いいえ」"),
        (AnswerKind.YES_NO, 19, "「はい」か「いいえ」"),
        (AnswerKind.AGE, "23", "0歳から22歳まで"),
        (AnswerKind.PERCENT, "101", "0から100まで"),
        (AnswerKind.DATE, "いつか", "日付"),
    ],
)
def test_answers_of_the_wrong_type_are_refused(kind, raw, message):
    with pytest.raises(ValueError, match=message):
        services.parse_answer(question("q", kind), raw)


def test_a_choice_must_be_one_of_the_choices_and_a_required_question_cannot_be_blank():
    q = question("q", AnswerKind.CHOICE, choices=["全員に送付", "検討中"], required=True)
    assert services.parse_answer(q, "検討中")["text"] == "検討中"
    with pytest.raises(ValueError, match="選択肢"):
        services.parse_answer(q, "たぶん")
    with pytest.raises(ValueError, match="空欄にできません"):
        services.parse_answer(q, "  ")


def test_an_answer_for_a_municipality_of_another_prefecture_is_refused_and_nothing_saved(demo):
    survey = tokyo_survey()
    q = survey.questions.get(code="2")
    yokohama = Municipality.objects.get(code="141003")
    with pytest.raises(ValidationError, match="横浜市は東京都の市区町村ではありません"):
        services.answer_record(user=user("chuo"), question=q, municipality=yokohama, raw="10")
    assert not Answer.objects.filter(question=q, municipality=yokohama).exists()


def test_kanagawa_staff_cannot_answer_in_tokyos_questionnaire(demo):
    q = tokyo_survey().questions.get(code="2")
    minato = Municipality.objects.get(name="港区")
    before = Answer.objects.get(question=q, municipality=minato).number
    with pytest.raises(Exception, match="権限がありません"):
        services.answer_record(user=user("kanagawa"), question=q, municipality=minato, raw="1")
    assert Answer.objects.get(question=q, municipality=minato).number == before


# --- the demo reads back as the seeds report it --------------------------------------------------


def test_saitama_and_osaka_caravans_read_as_the_2020_draft_states_them(demo):
    saitama = Prefecture.objects.get(code="11")
    figures = selectors.caravan_figures(caravan=selectors.caravan_of(prefecture=saitama, year=2019))
    assert (figures.targets, figures.visited, figures.courses) == (63, 63, 36)
    assert (figures.organisations, figures.participants, figures.officials) == (500, 1500, 900)
    # 2020: a questionnaire only — every municipality answered, none visited, and the figures still read right.
    quiet = selectors.caravan_figures(caravan=selectors.caravan_of(prefecture=saitama, year=2020))
    assert (quiet.targets, quiet.answered, quiet.visited, quiet.courses) == (63, 63, 0, 0)
    osaka = selectors.caravan_figures(
        caravan=selectors.caravan_of(prefecture=Prefecture.objects.get(code="27"), year=2019)
    )
    assert (osaka.targets, osaka.visited, osaka.visited_wards, osaka.visited_other, osaka.participants) == (
        43, 42, 31, 1, 1400,
    )  # fmt: skip


def test_the_draft_placeholders_print_the_caravan_figures_and_an_indicator_count(demo):
    from demo.meetings import CARAVANS

    text = resolve(CARAVANS, PlaceholderContext(date=D(2020, 9, 1), user=user("chuo")))
    assert "県内63市町村を36コースで訪ねて懇談し、延べ約500団体・1,500人、行政側からも約900人" in text
    assert "63市町村中63が回答" in text
    assert "42市町村とくすのき広域連合、大阪市・堺市の31区と懇談し、のべ1,400人" in text
    count = "{{ caravan.indicator_count prefecture=14 year=2023 indicator=kodomo_outpatient at_least=18 }}"
    assert resolve(count, PlaceholderContext(date=D(2024, 1, 1), user=user("chuo"))) == "33市町村中29"
    shikaku = "{{ caravan.indicator_count prefecture=14 year=2023 indicator=shikaku_all }}"
    assert resolve(shikaku, PlaceholderContext(date=D(2024, 1, 1), user=user("chuo"))) == "33市町村中30"


def test_kanagawas_indicator_page_compares_two_years_sortable_by_change(demo, client):
    client.force_login(user("kanagawa"))
    url = reverse("caravans:indicator", args=["14", "kodomo_outpatient"])
    response = client.get(url + "?sort=change")
    assert response.status_code == 200
    table = response.context["table"]
    assert table.years == [2022, 2023] and table.comparable_last
    assert table.count.text() == "33市町村中29" and len(table.rows) == 33
    changes = [r.change for r in table.rows]
    assert changes[0] == 3 and changes[-1] == 0  # 15 → 18 first; a merged or unchanged one last
    assert "2022年度" in response.content.decode() and "2023年度" in response.content.decode()
    # A question whose meaning changed is not compared.
    seizures = client.get(reverse("caravans:indicator", args=["14", "sashiosae"])).context["table"]
    assert not seizures.comparable_last and all(r.change is None for r in seizures.rows)


def test_a_municipalitys_page_shows_each_indicator_year_by_year(demo, client):
    client.force_login(user("kanagawa"))
    response = client.get(reverse("caravans:municipality", args=["141305"]))  # 川崎市
    rows = {r.key: r for r in response.context["rows"]}
    assert [v.year for v in rows["kodomo_outpatient"].years] == [2022, 2023]
    assert rows["kodomo_outpatient"].years[-1].display == "15歳"
    assert rows["shikaku_all"].years[-1].display == "いいえ"


def test_the_chigasaki_talk_reads_back_question_by_question(demo):
    # The 茅ヶ崎社保協's talk of 2 November, not the prefectural council's autumn 国保 talk.
    talk = Talk.objects.get(target__municipality__name="茅ヶ崎市", held_at__date=D(2023, 11, 2))
    assert talk.held_at.date() == D(2023, 11, 2)
    assert (talk.officials, talk.our_participants) == (4, 6)
    items = list(talk.items.order_by("number"))
    assert len(items) == 5 and "特養は12あり、待機者は296人" in items[1].answer
    assert items[2].get_evaluation_display() == "前進" and items[2].follow_up_due == D(2024, 3, 31)
    letter = talk.target.demand_letters.get(title__startswith="2023")
    third = letter.items.get(number=3)
    assert third.continues.number == 5 and third.continues.letter.title.startswith("2022")
    assert "基金や繰越金" in third.answer and talk.target.written_answer_on == D(2023, 10, 20)


# --- the spreadsheet ----------------------------------------------------------------------------


ANSWERS = importing.ANSWERS


def _preview(survey, data, filename):
    return ANSWERS.preview(data=data, filename=filename, user=user("chuo"), target=survey)


def _resaved(content):
    from openpyxl import load_workbook

    out = io.BytesIO()
    load_workbook(io.BytesIO(content)).save(out)
    return out.getvalue()


@pytest.mark.parametrize("resaved", [False, True])
def test_the_xlsx_round_trip_of_the_tokyo_questionnaire_changes_nothing(demo, resaved):
    survey = tokyo_survey()
    answers = Answer.objects.filter(question__questionnaire=survey).order_by("pk")
    before = (list(answers.values_list()), Answer.history.count())
    data = importing.questionnaire_xlsx(questionnaire=survey)
    data = _resaved(data) if resaved else data
    preview = _preview(survey, data, "tokyo.xlsx")
    assert preview.ok, preview.errors
    assert len(preview.rows) == 62 and {row.status_label for row in preview.rows} == {"変更なし"}
    assert preview.summary() == "62行（新規 0・変更 0・変更なし 62・エラー 0）"
    ANSWERS.commit(data=data, filename="tokyo.xlsx", user=user("chuo"), target=survey)
    assert (list(answers.values_list()), Answer.history.count()) == before


def _sheet(rows):
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_bad_answer_sheet_is_refused_with_row_and_column_and_nothing_saved(demo):
    survey = tokyo_survey()
    count = Answer.objects.filter(question__questionnaire=survey).count()
    q1, q2, q3 = (survey.questions.get(code=c) for c in ("1", "2", "3"))
    data = _sheet(
        [
            ["東京都 回答"],
            ["団体コード", "市区町村名", q1.header, q2.header, q3.header, "9 ない設問"],
            ["131016", "千代田区", "全員に送付", "1200", "はい", ""],  # fine on its own
            ["139999", "どこか", "", "", "", ""],  # no such code
            ["141003", "横浜市", "", "", "", ""],  # Kanagawa
            ["131024", "中央区", "", "たくさん", "19", ""],  # wrong types
        ]
    )
    preview = _preview(survey, data, "bad.xlsx")
    errors = [str(e) for e in preview.errors]
    assert any("2行目「9 ない設問」" in e and "6列目" in e for e in errors), errors
    assert any(e.startswith("4行目「団体コード」") and "139999" in e for e in errors), errors
    assert any(e.startswith("5行目「団体コード」") and "横浜市は東京都の市区町村ではありません" in e for e in errors)
    assert any(e.startswith(f"6行目「{q2.header.replace(' ', '')}」") and "整数" in e for e in errors), errors
    assert any(e.startswith(f"6行目「{q3.header.replace(' ', '')}」") and "はい" in e for e in errors), errors
    with pytest.raises(ValidationError):
        ANSWERS.commit(data=data, filename="bad.xlsx", user=user("chuo"), target=survey)
    assert Answer.objects.filter(question__questionnaire=survey).count() == count


@pytest.mark.usefixtures("tasks_in_process")  # the import job in-process, even in CI's pass with a broker
def test_the_import_page_previews_then_commits(demo, client):
    survey = tokyo_survey()
    q2 = survey.questions.get(code="2")
    client.force_login(staff_of(council("13"), role=Role.COUNCIL_STAFF))
    page = client.get(reverse("caravans:questionnaire", args=[survey.pk])).content.decode()
    url = reverse("admin:municipalities_questionnaire_import")
    assert f'href="{url}?questionnaire={survey.pk}"' in page  # the page offers the one flow
    upload = io.BytesIO(_sheet([["団体コード", "市区町村名", q2.header], ["131016", "千代田区", "１，２００"]]))
    upload.name = "answers.xlsx"
    response = client.post(url, {"questionnaire": survey.pk, "file": upload, "encoding": ""})
    assert response.context["preview"].summary() == "1行（新規 1・変更 0・変更なし 0・エラー 0）"
    assert not Answer.objects.filter(question=q2, municipality__code="131016").exists()
    outcome = client.get(
        reverse("admin:municipalities_questionnaire_import_outcome"), {"token": response.context["token"]}
    )
    assert outcome.content.decode("utf-8-sig").splitlines()[1].startswith("2,新規,131016,千代田区,")
    response = client.post(url, {"_commit": "1", "token": response.context["token"]})
    job = ImportJob.objects.get()  # committed by a job (in-process here); its page links the questionnaire
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.token])
    assert job.status == ImportJob.Status.DONE
    assert job.done_url == reverse("caravans:questionnaire", args=[survey.pk])
    assert job.done_url in client.get(response["Location"]).content.decode()
    answer = Answer.objects.get(question=q2, municipality__code="131016")
    assert answer.number == 1200 and answer.source == Answer.Source.XLSX


# --- the public view -------------------------------------------------------------------------------


def test_the_public_pages_show_the_16_published_answers_without_login_and_nothing_unpublished(demo):
    anonymous = Client()
    index = anonymous.get(reverse("public:index")).content.decode()
    survey = tokyo_survey()
    assert "資格確認書" in index and "回答 16自治体" in index
    assert "市町村国保調査" not in index  # Kanagawa never published its survey
    assert f'href="{reverse("public_consultations:days")}"' in index  # the consultation counts for the press
    page = anonymous.get(reverse("public:questionnaire", args=[survey.pk])).content.decode()
    assert "16自治体から回答がありました" in page and "狛江市" in page and "葛飾区" in page
    assert "担当課からの補足" not in page and "担当者の補足" not in page  # an unpublished question
    assert "千代田区" not in page  # no answer, no row
    one = anonymous.get(reverse("public:municipality", args=[survey.pk, "132195"]))  # 狛江市
    assert one.status_code == 200 and "担当者の補足" not in one.content.decode()
    kanagawa = Questionnaire.objects.get(council=council("14"), fiscal_year=2023)
    assert anonymous.get(reverse("public:questionnaire", args=[kanagawa.pk])).status_code == 404
    assert anonymous.get(reverse("public:prefecture", args=["14"])).status_code == 404
    assert anonymous.get(reverse("public:prefecture", args=["13"])).status_code == 200
    # Staff pages are not public.
    assert anonymous.get(reverse("caravans:questionnaire", args=[survey.pk])).status_code == 302


def test_staff_of_another_prefecture_find_no_caravan_questionnaire_or_indicator_page(demo, client):
    client.force_login(user("kanagawa"))
    tokyo_caravan = Caravan.objects.get(council=council("13"))
    assert client.get(reverse("caravans:caravan", args=[tokyo_caravan.pk])).status_code == 404
    assert client.get(reverse("caravans:questionnaire", args=[tokyo_survey().pk])).status_code == 404
    assert client.get(reverse("caravans:questionnaire", args=[tokyo_survey().pk]) + "?format=xlsx").status_code == 404
    assert client.get(reverse("caravans:indicator", args=["13", "tokyo_shikaku"])).status_code == 404
    listing = client.get(reverse("caravans:list")).content.decode()
    assert (
        "2023年度 市町村国保担当課との懇談" in listing and "埼玉" not in listing and "資格確認書の送付等" not in listing
    )


def test_the_caravan_page_lists_progress_in_a_constant_number_of_queries(demo, client, django_assert_max_num_queries):
    client.force_login(user("kanagawa"))
    caravan = Caravan.objects.get(council=council("14"), fiscal_year=2023)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("caravans:caravan", args=[caravan.pk]))
    assert response.context["figures"].visited == 33 and len(response.context["targets"]) == 33


# --- the 資料集 -------------------------------------------------------------------------------------


def test_the_compilation_pdf_has_a_cover_contents_and_a_table_per_section(demo, settings, tmp_path):
    from reports import services as report_services

    settings.MEDIA_ROOT = tmp_path
    job = report_services.run_now(
        kind="caravan_compilation", params={"prefecture": "14", "year": "２０２３"}, user=user("kanagawa")
    )
    assert job.status == "done", job.error if hasattr(job, "error") else job.status
    job.file.open("rb")
    text = "".join(page.extract_text() for page in PdfReader(job.file).pages).replace("\n", "").replace(" ", "")
    assert "2023年度神奈川県2023市町村国保調査資料集" in text and "目次" in text
    assert "1.国保" in text and "2.子ども施策" in text and "茅ヶ崎市" in text and "真鶴町" in text
    with pytest.raises(ValidationError, match="指定できません"):
        report_services.run_now(
            kind="caravan_compilation", params={"prefecture": "13", "year": "2024"}, user=user("kanagawa")
        )


# --- entering a paper answer; copying a national template ------------------------------------------


def test_a_paper_answer_is_entered_all_or_nothing_with_what_was_typed_kept(demo, client):
    survey = tokyo_survey()
    client.force_login(staff_of(council("13"), role=Role.COUNCIL_STAFF))
    url = reverse("caravans:answer_entry", args=[survey.pk, "131016"])  # 千代田区
    q1, q2, q3, q4 = (survey.questions.get(code=c) for c in "1234")
    bad = {"source": "paper", f"q{q1.pk}": "検討中", f"q{q2.pk}": "たくさん", f"q{q3.pk}": "はい", f"q{q4.pk}": "メモ"}
    response = client.post(url, bad)
    page = response.content.decode()
    assert response.status_code == 200 and f"「{q2.header}」: 「たくさん」は整数として読めません" in page
    assert 'value="たくさん"' in page  # what was typed is kept
    assert not Answer.objects.filter(question__questionnaire=survey, municipality__code="131016").exists()
    response = client.post(url, {**bad, f"q{q2.pk}": "１，５００"})
    assert response.status_code == 302
    answer = Answer.objects.get(question=q2, municipality__code="131016")
    assert answer.number == 1500 and answer.source == Answer.Source.PAPER
    # A municipality of another prefecture has no entry page here.
    assert client.get(reverse("caravans:answer_entry", args=[survey.pk, "141003"])).status_code == 404


def test_a_prefecture_copies_a_national_template_and_adapts_it(demo, client):
    chuo = user("chuo")
    template = services.questionnaire_create(
        user=chuo, council=chuo.council, fiscal_year=2025, title="全国統一 自治体アンケート", is_template=True,
        sections=[("国保", [{"code": "1", "text": "資格確認書を全員に送付するか", "kind": "yes_no",
                              "is_indicator": True, "indicator_key": "shikaku_all"}])],
    )  # fmt: skip
    client.force_login(user("kanagawa"))
    assert "全国統一 自治体アンケート" in client.get(reverse("caravans:list")).content.decode()
    response = client.post(reverse("caravans:copy_template", args=[template.pk]), {"fiscal_year": "２０２５"})
    copy = Questionnaire.objects.get(council=council("14"), fiscal_year=2025)
    assert response.url == reverse("caravans:questionnaire", args=[copy.pk])
    assert copy.prefecture.code == "14" and copy.copied_from == template
    assert copy.questions.get().indicator_key == "shikaku_all"
    # Only templates are copied this way: Tokyo's own questionnaire is not found.
    assert client.post(reverse("caravans:copy_template", args=[tokyo_survey().pk])).status_code == 404


def test_the_demo_caravans_are_made_once(demo):
    from demo import caravans as demo_caravans

    before = (Caravan.objects.count(), Questionnaire.objects.count(), Answer.objects.count(), Talk.objects.count())
    out = io.StringIO()
    demo_caravans.seed(stdout=out)
    assert "既存" in out.getvalue()
    assert (
        Caravan.objects.count(),
        Questionnaire.objects.count(),
        Answer.objects.count(),
        Talk.objects.count(),
    ) == before

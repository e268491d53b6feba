"""Done when (issue 18, 「A prefecture report from every app」): the Kanagawa report of November–December 2023,
generated from the demo, prints every figure of seed 001's Kanagawa sections that the data holds; the whole
fiscal year holds every line of the two months and more; a section without rows is not printed; a Kanagawa
user's report shows no Tokyo row; the number of queries does not grow with the rows.

The demo is loaded once for the module (the `demo` fixture, tests/demo_snapshot.py); each test's changes are
rolled back after it.
"""

import datetime
import io
import re
import tempfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils.html import strip_tags
from pypdf import PdfReader

from campaigns import services as campaign_services
from campaigns.models import Action, ActionKind
from councils.models import Council, CouncilKind, User
from municipalities.registry.models import Prefecture
from petitions.models import Submission
from reports import prefecture_report
from reports.models import ReportJob
from reports.services import run_now

pytestmark = pytest.mark.django_db
D = datetime.date
TWO_MONTHS = {"prefecture": "14", "start": "2023-11-01", "end": "2023-12-31"}
FISCAL_YEAR = {"prefecture": "14", "start": "2023-04-01", "end": "2024-03-31"}


@pytest.fixture
def kanagawa_user(demo):
    return User.objects.get(username="kanagawa")


def report_text(params, user):
    """The PDF's text (spaces and line breaks taken out) of a report made now.

    An earlier job of the kind is deleted first: within 120 s the same request would hand back the earlier
    PDF, and these tests change the data between two requests."""
    ReportJob.objects.filter(kind="prefecture_report").delete()
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        job = run_now(kind="prefecture_report", params=params, user=user)
        assert job.status == "done", job.error
        with job.file.open("rb") as f:
            reader = PdfReader(io.BytesIO(f.read()))
            return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


@pytest.fixture(scope="module")
def two_months(demo, django_db_blocker):
    """The two months' report, made once for the module: the tests that read it change nothing. Its job stays in
    the module's data (each later `report_text` deletes it first)."""
    with django_db_blocker.unblock():
        return report_text(TWO_MONTHS, User.objects.get(username="kanagawa"))


# Seed 001's Kanagawa sections (and 003 where it says more), each figure as the report prints it.
SEED_FIGURES = [
    ("桜木町: 団体と人数", "の計11団体26人"),
    ("桜木町: チラシ", "チラシ・ポケットティッシュ1,000枚"),
    ("桜木町: 署名", "署名42筆"),
    ("桜木町: シール投票 72対3", "シール投票75（反対72、賛成3）"),
    ("伊勢佐木町: 団体と人数", "の計5団体14人"),
    ("伊勢佐木町: チラシ", "チラシ・ティッシュ500枚"),
    ("伊勢佐木町: 署名", "署名26筆"),
    ("西湘キャラバン: 大磯町", "大磯町。参加11人"),
    ("西湘キャラバン: 二宮町", "二宮町。参加6人"),
    ("西湘キャラバン: 箱根町", "箱根町。参加3人"),
    ("西湘キャラバン: 真鶴町", "真鶴町。参加4人"),
    ("西湘キャラバン: 湯河原町", "湯河原町。参加4人"),
    ("西湘キャラバン: 保険証署名", "署名9筆（保険証残して）"),
    ("西湘キャラバン: 消費税署名", "消費税5%署名（5町の合計）8筆"),
    ("入門講座 11月16日", "11月16日「社会保障入門講座『これだけは知っておきたい国保・後期高齢者医療』」、会場6人"),
    ("国保交流集会", "会場42人、オンライン13か所"),
    ("介護のつどい", "会場32人、オンライン17か所"),
    ("保険証シンポジウム", "会場57人"),
    ("対県交渉: 参加者", "参加者は計23人"),
    ("対県交渉: 小児医療費の回答", "拡充する予定はない"),
    ("対県交渉: 補助率の回答", "現行の補助率を維持することが重要"),
    ("電話相談: 3回線", "介護・認知症なんでも無料電話相談3回線"),
    ("電話相談: 相談員9人", "3回線9人"),
    ("電話相談: 33件", "9人33件"),
    ("電話相談: 昨年15件", "33件15件"),
    ("川崎市: 陳情", "川崎市陳情「現行の健康保険証を残すことを求める陳情」"),
    ("川崎市: 不採択", "本会議（2023年12月20日）：不採択"),
    ("川崎市: 賛成", "賛成：みらい・共産"),
    ("川崎市: 反対", "反対：自民・公明・維新"),
    ("大磯町: 趣旨了承、3対3を委員長決裁", "趣旨了承（賛成3・反対3、委員長決裁）"),
    ("平塚市: 請願", "平塚市請願「現行の健康保険証の存続を求める請願」"),
    ("平塚市: 12月18日の委員会で審査中", "環境厚生常任委員会（2023年12月18日）：審査中"),
    ("署名の提出: 1,241筆と全国6万5千筆", "神奈川県社保協1,241筆全国65,000筆"),
    ("茅ヶ崎市との懇談: 11月2日", "茅ヶ崎市（2023年11月2日"),
    ("茅ヶ崎市との懇談: こちら6人", "こちら6人（茅ヶ崎社保協5人"),
    ("茅ヶ崎市との懇談: 市は4人", "行政側4人"),
    ("茅ヶ崎市との懇談: 特養の回答", "特養は12あり、待機者は296人。待機者は一年以内に入所できている。"),
    ("茅ヶ崎市との懇談: マイナ保険証の回答", "国が論議して整理している段階で、細かいところまではわかっていない。"),
    ("茅ヶ崎市との懇談: 保険料の回答", "基金や繰越金を活用して保険料を抑制しているが、維持していくのは難しく"),
    ("当面の日程: 1月10日 横浜市との懇談", "1月10日14:00横浜市健康福祉局障害自立支援課との懇談"),
    ("当面の日程: 1月12日 連絡会事務局会議", "12日13:00なくすな保険証！神奈川県連絡会事務局会議（保険医協会会議室）"),
    ("当面の日程: 1月18日 宣伝と入門講座", "18日14:00伊勢佐木町有隣堂前宣伝15:00社会保障入門講座『生活困窮"),
    ("当面の日程: 2月20日 高齢期のつどい", "2月20日神奈川の高齢期のつどい（横浜市鶴見区）"),
    ("当面の日程: 2月22日 宣伝", "22日14:00伊勢佐木町有隣堂前宣伝"),
]


@pytest.mark.parametrize(("what", "printed"), SEED_FIGURES, ids=[w for w, _ in SEED_FIGURES])
def test_the_two_month_report_prints_the_seeds_figure(two_months, what, printed):
    assert printed in two_months, what


def test_the_sections_follow_the_seeds_order_and_the_map_closes_the_report(two_months):
    headings = [
        "保険証（保険証残せ（神奈川））", "国保（国保改善）", "介護（介護改善）", "その他の取り組み",
        "介護・認知症なんでも無料電話相談", "地方議会への請願・陳情", "自治体キャラバン・懇談", "署名の提出",
        "当面の日程月日", "地域社保協のある市区町村神奈川県",
    ]  # fmt: skip
    positions = [two_months.index(h) for h in headings]
    assert positions == sorted(positions)


def _sections(params, user):
    """{title: HTML} of the sections the report prints for `params` (the actions' block under "")."""
    prefecture = Prefecture.objects.get(code=params["prefecture"])
    found, _warnings = prefecture_report.sections(
        prefecture=prefecture, start=D.fromisoformat(params["start"]), end=D.fromisoformat(params["end"]), user=user
    )
    return {title: block.render() for title, block in found}


def _items(sections):
    """Every printed row (list item, table row, paragraph) of the period's sections, tags taken out.

    Left out: the coming dates (the weeks after the period, so another list for another period) and the
    period's totals (学習会 N か所, a sum over the period)."""
    items = set()
    for title, html in sections.items():
        if title == "当面の日程":
            continue
        html = re.sub(r'<p class="period-total">.*?</p>', "", html, flags=re.S)
        for element in re.findall(r"<(li|tr|p)\b[^>]*>(.*?)</\1>", html, flags=re.S):
            items.add(re.sub(r"\s+", "", strip_tags(element[1])))
    return items


def test_the_fiscal_year_holds_every_line_of_the_two_months_and_more(kanagawa_user):
    year_sections = _sections(FISCAL_YEAR, kanagawa_user)
    two_months, year = _items(_sections(TWO_MONTHS, kanagawa_user)), _items(year_sections)
    assert two_months and two_months <= year, sorted(two_months - year)
    more = year - two_months
    # January's and February's dates, planned in seed 001, are the year's (under their theme).
    assert any("1月18日" in line and "伊勢佐木町有隣堂前（予定）" in line for line in more), sorted(more)
    assert any("2月20日、神奈川の高齢期のつどい（予定）" in line for line in more), sorted(more)
    # The autumn talks with the 33 国保 departments (seed 003), the findings once, with the last of them.
    talks = year_sections["自治体キャラバン・懇談"]
    assert talks.count("国保担当課と懇談（") == 33 and talks.count("全33市町村との懇談の特徴") == 1
    assert "こちら0人" not in talks and "行政側0人" not in talks  # the seed gives no numbers: none printed
    assert (
        "清川村</strong>（2023年10月22日" in talks
        and "清川村" not in _sections(TWO_MONTHS, kanagawa_user)["自治体キャラバン・懇談"]
    )


def test_a_section_without_rows_is_not_printed(kanagawa_user):
    Submission.objects.filter(council__prefecture__code="14").delete()
    text = report_text(TWO_MONTHS, kanagawa_user)
    assert "署名の提出" not in text and "1,241筆" not in text
    assert "地方議会への請願・陳情" in text and "計11団体26人" in text  # the others still print
    # A period with nothing at all: only the map, and one line saying so.
    empty = report_text({"prefecture": "14", "start": "2010-04-01", "end": "2010-05-31"}, kanagawa_user)
    assert "この期間の記録はありません" in empty
    for heading in ("宣伝・署名行動", "電話相談", "地方議会への請願・陳情", "署名の提出", "当面の日程"):
        assert heading not in empty, heading


def _tokyo_rows():
    """A Tokyo street action and a Tokyo submission in the period, each with a name found nowhere else."""
    tokyo = Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code="13")
    chuo = User.objects.get(username="chuo")
    campaign_services.action_record(
        user=chuo, kind=ActionKind.objects.get(code="street"), organiser=tokyo, title="東京だけの宣伝",
        starts_on=D(2023, 11, 20), place="新宿駅西口（東京の行）", onsite_count=77,
    )  # fmt: skip
    kaigo = Submission.objects.filter(council__prefecture__code="14").first().petition
    Submission.objects.create(
        petition=kaigo, council=tokyo, submitted_on=D(2023, 12, 5), submitted_to="東京の提出先（東京の行）",
        count=4321, entered_by=chuo,
    )  # fmt: skip
    return ("東京の行", "東京だけの宣伝", "4,321", "東京都社保協", "東京都社会保障推進協議会")


def test_a_kanagawa_users_report_shows_no_tokyo_row(kanagawa_user):
    names = _tokyo_rows()
    text = report_text(TWO_MONTHS, kanagawa_user)
    assert "計11団体26人" in text
    for name in names:
        assert name not in text, name


def test_a_system_runs_kanagawa_report_shows_no_tokyo_row_either(demo):
    names = _tokyo_rows()
    text = report_text(TWO_MONTHS, None)
    assert "計11団体26人" in text
    for name in names:
        assert name not in text, name


def _queries(user):
    with CaptureQueriesContext(connection) as queries:
        found, _ = prefecture_report.sections(
            prefecture=Prefecture.objects.get(code="14"), start=D(2023, 11, 1), end=D(2023, 12, 31), user=user
        )
        for _title, block in found:
            block.render()
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(kanagawa_user):
    _queries(kanagawa_user)  # the first run fills per-process caches (content types, the registry's lookups)
    before = _queries(kanagawa_user)
    kanagawa = Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code="14")
    street = ActionKind.objects.get(code="street")
    sakuragicho = Action.objects.get(title="なくすな保険証！桜木町駅前宣伝")
    for day in range(1, 8):
        campaign_services.action_record(
            user=kanagawa_user, kind=street, organiser=kanagawa, title=f"定例宣伝{day}", starts_on=D(2023, 11, day),
            place="横浜駅西口", campaigns=list(sakuragicho.campaigns.all()),
            participants=[{"organisation": None, "organisation_name": f"団体{i}", "count": i, "note": ""}
                          for i in range(1, 4)],
            outputs=[{"kind": "flyer", "description": "チラシ", "quantity": 100 * day}],
        )  # fmt: skip
        Submission.objects.create(
            petition=Submission.objects.filter(council=kanagawa).first().petition, council=kanagawa,
            submitted_on=D(2023, 12, day), submitted_to="衆議院議長", count=10 * day, entered_by=kanagawa_user,
        )  # fmt: skip
    assert _queries(kanagawa_user) == before

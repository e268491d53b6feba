"""Demo caravans, questionnaires, answers, a talk and a written answer, drawn from the seed documents.

Written through municipalities.caravans.services. From the seeds:
- Kanagawa's 2023 caravan: talks with the 国保 departments of all 33 municipalities (seeds 001, 003);
  the 2023 市町村国保調査 with indicators, continued from a 2022 questionnaire so the prefecture's
  indicator page compares two years. The findings: most municipalities wish to send the 資格確認書
  to every insured person; premiums kept level with 法定外繰入 and 基金; 29 of the 33 cover children's
  medical costs to the end of the school year of 18 (Yokohama and Kawasaki to the end of junior
  high school). The autumn talks with each of the 33 municipalities' 国保 departments: their two subjects,
  and the findings for the 33 together, ①②③ as seed 003 states them, once, on the talk that completed the
  round (no item answers: the seed gives none per municipality). The Chigasaki talk of 2 November: the
  city's four officials, our six people, the questions and the city's answers (seed 003).
- Tokyo's 資格確認書 questionnaire and the 16 municipalities that answered so far, published
  (seed 002: 「回答状況はこちらから閲覧できます」); many could not say when cards and certificates expire.
- Saitama's 2019 caravan: 63 municipalities on 36 courses, about 500 organisations, 1,500 participants
  and about 900 officials; 2020: a questionnaire only, no visits (seed 000).
- Osaka's 2019 caravan: 42 municipalities (all but 松原市), くすのき広域連合, the 24 wards of Osaka and
  the 7 of Sakai; 1,400 participants; a questionnaire in seven sections sent to all (seed 000).
Invented: which 29 municipalities, every other municipality's figure, which courses, the dates (the
autumn talks' days and hour among them), and the Kanagawa 2022 figures. Figures that depend on a
municipality's size scale with it (`demo.population`: the registry's population, else a rounded 2020
census figure, else an estimate from its kind; 国保 insured = population × 0.20, 国保 households =
population / 2.21 × 0.30):
- Tokyo 資格確認書 送付予定数: a share of the 国保 insured by the answer (`_tokyo_planned`), so
  御蔵島村 (about 320 inhabitants) plans some 60, 練馬区 tens of thousands;
- Kanagawa 法定外繰入 and 基金 in yen per insured person, 差押 per 1,000 国保 households
  (`_kanagawa_money`);
- Osaka 国保担当の正規職員数: one per 1,500–2,500 insured (`_osaka_staff`).
Figures that do not depend on size are drawn from a fixed range by code: the model household's
premium, ケースワーカー1人あたりの世帯数, 特定健診の受診率, 介護保険料基準額, the yes/no answers.
Deterministic (hashes of the code, or `random.Random` seeded by code and figure; no unseeded
randomness) and idempotent: a caravan or questionnaire is looked up by council, year and title.
"""

import datetime
import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from councils.models import Council, CouncilKind, Role, User
from demo import population
from municipalities.caravans import services
from municipalities.models import AnswerKind, Caravan, Evaluation, Municipality, Prefecture, Questionnaire

D = datetime.date
KANAGAWA, TOKYO, SAITAMA, OSAKA = "14", "13", "11", "27"
KANAGAWA_SURVEY = "市町村国保調査"
TOKYO_SURVEY = "国民健康保険証新規発行廃止に伴う「資格確認書」送付等に関するアンケート"
TOKYO_ANSWERED = [
    "狛江市", "練馬区", "小平市", "調布市", "八丈町", "御蔵島村", "江東区", "清瀬市",
    "東久留米市", "港区", "江戸川区", "足立区", "福生市", "中野区", "町田市", "葛飾区",
]  # fmt: skip
# Children's medical costs: to the end of junior high school (15) in 2023 — the rest to 18 (29 of 33).
KANAGAWA_TO_15 = {"横浜市", "川崎市", "相模原市", "横須賀市"}
KANAGAWA_TO_18_IN_2022 = 22  # the first 22 (by code) of the others already covered to 18 in 2022


def _q(code, text, kind, *, unit="", key="", help_text="", choices=None, required=False, published=False):
    return {
        "code": code, "text": text, "kind": kind, "unit": unit, "help_text": help_text,
        "choices": choices or [], "required": required, "is_indicator": bool(key), "indicator_key": key,
        "published": published,
    }  # fmt: skip


KANAGAWA_SECTIONS = [
    (
        "国保",
        [
            _q(
                "1-1",
                "国保料（税）モデル世帯（4人家族・所得200万円）の年額",
                AnswerKind.MONEY,
                unit="円",
                key="kokuho_model",
            ),
            _q("1-2", "今年度の保険料（税）率を据え置いたか", AnswerKind.YES_NO, key="kokuho_level"),
            _q("1-3", "一般会計からの法定外繰入（決算補填等目的）", AnswerKind.MONEY, unit="円", key="hoteigai"),
            _q("1-4", "国保の基金残高", AnswerKind.MONEY, unit="円", key="kikin"),
            _q("1-5", "子どもの均等割を独自に減免しているか", AnswerKind.YES_NO, key="kinto_child"),
            _q("1-6", "国保に傷病手当を設けているか", AnswerKind.YES_NO, key="shobyo"),
            _q("1-7", "滞納による差押件数", AnswerKind.INTEGER, unit="件", key="sashiosae"),
        ],
    ),
    (
        "子ども施策",
        [
            _q(
                "2-1",
                "子ども医療費助成の対象（通院）",
                AnswerKind.AGE,
                unit="歳年度末",
                key="kodomo_outpatient",
                help_text="何歳の年度末までか（中学校卒業は15）",
            ),
            _q("2-2", "子ども医療費助成の対象（入院）", AnswerKind.AGE, unit="歳年度末", key="kodomo_inpatient"),
            _q("2-3", "子ども医療費助成に所得制限があるか", AnswerKind.YES_NO),
            _q("2-4", "子ども医療費助成の一部負担金（通院1回）", AnswerKind.MONEY, unit="円"),
        ],
    ),
]
SHIKAKU_2023 = _q(
    "1-8",
    "資格確認書をマイナ保険証の有無にかかわらず被保険者全員に発行する意向か",
    AnswerKind.YES_NO,
    key="shikaku_all",
)

TOKYO_SECTIONS = [
    (
        "資格確認書の送付",
        [
            _q(
                "1",
                "資格確認書を国保加入者全員に送付するか",
                AnswerKind.CHOICE,
                key="tokyo_shikaku",
                choices=["全員に送付", "マイナ保険証のない人のみ", "検討中"],
                published=True,
            ),
            _q("2", "資格確認書の送付予定数", AnswerKind.INTEGER, unit="件", published=True),
            _q("3", "マイナンバーカード・電子証明書の有効期限を把握しているか", AnswerKind.YES_NO, published=True),
            _q("4", "担当課からの補足（公開しない）", AnswerKind.TEXT),
        ],
    ),
]

OSAKA_SECTIONS = [
    ("職員体制", [_q("1-1", "国保担当の正規職員数", AnswerKind.INTEGER, unit="人")]),
    ("国保", [_q("2-1", "国保料モデル世帯（4人家族）の年額", AnswerKind.MONEY, unit="円", key="kokuho_model")]),
    ("健診", [_q("3-1", "特定健診の受診率", AnswerKind.PERCENT, unit="%")]),
    ("介護保険", [_q("4-1", "介護保険料基準額（月額）", AnswerKind.MONEY, unit="円")]),
    ("障害者65歳問題", [_q("5-1", "65歳以降も障害福祉サービスを併給しているか", AnswerKind.YES_NO)]),
    ("生活保護", [_q("6-1", "ケースワーカー1人あたりの世帯数", AnswerKind.INTEGER, unit="世帯")]),
    (
        "子ども施策",
        [_q("7-1", "子ども医療費助成の対象（通院）", AnswerKind.AGE, unit="歳年度末", key="kodomo_outpatient")],
    ),
]


def _spread(code, low, high, step=1):
    """A fixed value between low and high for a municipality code (deterministic, not random)."""
    digest = int(hashlib.sha256(code.encode()).hexdigest()[:8], 16)
    return low + (digest % ((high - low) // step + 1)) * step


def _user():
    return (
        User.objects.filter(role=Role.NATIONAL_STAFF, is_active=True).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )


def _prefectural(code):
    return Council.objects.filter(kind=CouncilKind.PREFECTURAL, prefecture__code=code).first()


def _answers(user, questionnaire, values, source):
    """values: {(question code, municipality): raw}; parsed as typed input is."""
    questions = {q.code: q for q in questionnaire.questions.all()}
    parsed = {
        (questions[code], municipality): services.parse_answer(questions[code], raw)
        for (code, municipality), raw in values.items()
    }
    services.answers_write(user=user, questionnaire=questionnaire, values=parsed, source=source)


def _kanagawa_money(m, year):
    """Invented 法定外繰入, 基金 and 差押 of a Kanagawa municipality, in proportion to its 国保.

    法定外繰入: a third of the municipalities none, the others 1,000–12,000 yen per insured person
    (10 % more in 2023); 基金: 2,000–25,000 yen per insured person (10 % less in 2023 where it is over
    100 million yen); 差押: 0–12 per 1,000 国保 households (2022, cases; 2023 counted per household,
    a fifth fewer). Amounts rounded to the million yen, or to the thousand below 10 million.
    """
    insured = population.kokuho_insured(m)
    r = population.draw(m.code, "kanagawa-money")
    transfer = 0 if r.random() < 1 / 3 else insured * r.uniform(1_000, 12_000)
    fund = insured * r.uniform(2_000, 25_000)
    seizures = population.kokuho_households(m) * r.uniform(0, 12) / 1000
    if year == 2023:
        transfer *= 1.1
        fund *= 0.9 if fund > 100_000_000 else 1
        seizures *= 0.8

    def yen(amount):
        return population.rounded(amount, to=1_000_000 if amount >= 10_000_000 else 1_000)

    return yen(transfer), yen(fund), round(seizures)


def _tokyo_planned(m, choice):
    """Invented 資格確認書 送付予定数: a share of the municipality's 国保 insured, by its answer.

    全員に送付: 90–100 % of the insured; マイナ保険証のない人のみ: 25–45 %; 検討中: 30–100 % (its
    estimate). Rounded to ten (to a hundred above 10,000): never more than the insured, so never
    more than the population.
    """
    share = {"全員に送付": (0.9, 1.0), "マイナ保険証のない人のみ": (0.25, 0.45)}.get(choice, (0.3, 1.0))
    planned = population.kokuho_insured(m) * population.draw(m.code, "shikaku").uniform(*share)
    return min(population.rounded(planned, to=100 if planned > 10_000 else 10), population.kokuho_insured(m))


def _osaka_staff(m):
    """Invented 国保担当の正規職員数: one per 1,500–2,500 people insured, at least 2."""
    return max(round(population.kokuho_insured(m) / population.draw(m.code, "osaka-staff").uniform(1_500, 2_500)), 2)


def _kanagawa(user, out):
    council = _prefectural(KANAGAWA)
    pref = council.prefecture
    if Caravan.objects.filter(council=council, fiscal_year=2023).exists():
        out.append("キャラバン 神奈川 2023年度: 既存（変更なし）")
        return
    q2022 = services.questionnaire_create(
        user=user, council=council, prefecture=pref, fiscal_year=2022, title=f"2022{KANAGAWA_SURVEY}",
        sections=KANAGAWA_SECTIONS,
    )  # fmt: skip
    q2023 = services.questionnaire_copy(
        user=user, source=q2022, council=council, fiscal_year=2023, title=f"2023{KANAGAWA_SURVEY}"
    )
    section = q2023.sections.get(number=1)
    services.question_add(user=user, section=section, order=8, **SHIKAKU_2023)
    # The seizures were counted per case in 2022 and per household from 2023: not compared.
    q2023.questions.filter(code="1-7").update(meaning_changed=True, text="滞納による差押件数（世帯で数える）")
    municipalities = list(services.default_targets(prefecture=pref, fiscal_year=2023).order_by("code"))
    others = [m for m in municipalities if m.name not in KANAGAWA_TO_15]
    to_18_in_2022 = {m.pk for m in others[:KANAGAWA_TO_18_IN_2022]}
    for year, questionnaire in ((2022, q2022), (2023, q2023)):
        values = {}
        for m in municipalities:
            premium = _spread(m.code, 300_000, 420_000, 1000)
            raised = year == 2023 and _spread(m.code + "r", 0, 5) == 0  # most kept the premium level
            values[("1-1", m)] = premium + (12_000 if raised else 0)
            values[("1-2", m)] = "いいえ" if raised else "はい"
            transfer, fund, seizures = _kanagawa_money(m, year)
            values[("1-3", m)] = transfer
            values[("1-4", m)] = fund
            values[("1-5", m)] = "はい" if _spread(m.code + "k", 0, 3) == 0 else "いいえ"
            values[("1-6", m)] = "はい" if m.name in ("大和市", "綾瀬市") else "いいえ"
            values[("1-7", m)] = seizures
            if m.name in KANAGAWA_TO_15:
                age = 15
            elif year == 2023 or m.pk in to_18_in_2022:
                age = 18
            else:
                age = 15
            values[("2-1", m)] = age
            values[("2-2", m)] = 18 if age == 18 or year == 2023 else 15
            values[("2-3", m)] = "はい" if m.name in KANAGAWA_TO_15 else "いいえ"
            values[("2-4", m)] = 500 if m.name in ("横浜市", "川崎市") else 0
            if year == 2023:
                values[("1-8", m)] = "いいえ" if m.name in ("横浜市", "川崎市", "相模原市") else "はい"
        _answers(user, questionnaire, values, source="xlsx")
    caravan = services.caravan_create(
        user=user, council=council, fiscal_year=2023, title="2023年度 市町村国保担当課との懇談", questionnaire=q2023
    )
    for index, target in enumerate(caravan.targets.select_related("municipality").order_by("municipality__code")):
        services.target_progress_set(
            user=user, target=target, questionnaire_sent_on=D(2023, 7, 10), answered_on=D(2023, 9, 1),
            visited_on=D(2023, 9, 20) + datetime.timedelta(days=index),
        )  # fmt: skip
    chigasaki = caravan.targets.get(municipality__name="茅ヶ崎市")
    _chigasaki(user, caravan, chigasaki)
    out.append(f"キャラバン 神奈川 2023年度: {caravan.targets.count()}市町村、アンケート2年分")


# Seed 003: the autumn talks with all 33 municipalities' 国保 departments, their two subjects and what they found.
# The seed gives the findings for the 33 together, not per municipality: each talk records the subjects, and
# the findings stand once, as the seed states them, in the summary of the talk that completed the round;
# no talk has items, so no municipality's answer is made up.
KANAGAWA_TALK_SUBJECTS = "国保担当課と懇談（県の国保運営方針の改定による保険料（税）への影響、保険証の廃止への対応）。"
KANAGAWA_TALKS_BEFORE = D(2023, 11, 1)  # the autumn round; 茅ヶ崎's talk of 2 November is another one
KANAGAWA_TALK_FINDINGS = (
    "全33市町村との懇談の特徴。①現行の健康保険証は2025年7月31日まで存続し、その間の資格確認書は国保新規加入者と"
    "70歳以上の窓口負担2割化になった人に限られる。②2025年8月1日以降、資格確認書は「マイナ保険証を持っている人を"
    "含め、被保険者全員に発行」の意向が強い。「だったら保険証の存続を」に否定する市町村はない。③今年度の保険料（税）は"
    "多くの自治体で据え置き、法定外繰入と基金の活用が膨らんだ。「国保は国民皆保険の基盤」だから「保険料（税）は"
    "引き上げたくない」という本音が多くの自治体で語られた。"
)


def _kanagawa_talks(user, out):
    """One talk per target of Kanagawa's 2023 caravan, on its visit day (seed 003; idempotent).

    The days and the hour (10:00) are invented, on the demo's visit days (the seed says only 「この秋」, before
    the 18 November meeting where the findings were reported); the number of people on either side is not
    in the seed and stays 0; the last talk carries the findings of all 33 in its summary.
    """
    council = _prefectural(KANAGAWA)
    caravan = Caravan.objects.filter(council=council, fiscal_year=2023).first()
    if caravan is None:
        return
    tz = timezone.get_current_timezone()
    targets = list(caravan.targets.select_related("municipality").order_by("visited_on", "municipality__code"))
    made = 0
    for index, target in enumerate(targets):
        if target.talks.filter(held_at__date__lt=KANAGAWA_TALKS_BEFORE).exists():
            continue
        day = target.visited_on or D(2023, 9, 20) + datetime.timedelta(days=index)
        last = index == len(targets) - 1
        summary = KANAGAWA_TALK_SUBJECTS + (
            f"これで全{len(targets)}市町村との懇談を終えた。{KANAGAWA_TALK_FINDINGS}" if last else ""
        )
        services.talk_record(
            user=user, target=target, held_at=datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=tz),
            summary=summary,
        )  # fmt: skip
        made += 1
    out.append(f"キャラバン 神奈川 2023年度: 国保担当課との懇談 {made}件を作成（全{len(targets)}市町村）")


def _chigasaki(user, caravan, target):
    tz = timezone.get_current_timezone()
    letter_2022 = services.demand_letter_record(
        user=user, target=target, title="2022年度 予算要望書（茅ヶ崎社保協）", handed_on=D(2022, 8, 1),
        items=[(text, None) for text in (
            "介護職員の処遇改善を国に求めること",
            "特別養護老人ホームを増やすこと",
            "介護保険料の所得段階を見直すこと",
            "健康保険証を残すよう国に求めること",
            "国保料（税）を引き上げないこと",
        )],
    )  # fmt: skip
    earlier = {item.number: item for item in letter_2022.items.all()}
    letter = services.demand_letter_record(
        user=user, target=target, title="2023年度 予算要望書（茅ヶ崎社保協）", handed_on=D(2023, 8, 1),
        items=[
            ("介護職員の処遇改善は報酬加算でなく国の補助金で行うよう求めること", earlier[1]),
            ("特別養護老人ホームを増やし、待機者をなくすこと", earlier[2]),
            ("国保料（税）を引き上げないこと。国に国庫負担の増額（1兆円）を求めること", earlier[5]),
            ("短期証・資格証を発行せず、生活を脅かす差し押さえを行わないこと", None),
            ("マイナ保険証への一本化による混乱を防ぐこと", earlier[4]),
        ],
    )  # fmt: skip
    services.written_answer_record(
        user=user, letter=letter, answered_on=D(2023, 10, 20),
        answers={
            1: ("報酬は国が決めている。", Evaluation.UNCHANGED),
            2: ("特養は12施設、待機者は296人。待機者は1年以内に入所できている。", Evaluation.UNCHANGED),
            3: (
                "基金や繰越金を活用して保険料を抑制しているが、維持していくのは難しくなっている。",
                Evaluation.UNCHANGED,
            ),
            4: ("国の方針にもとづき対応する。", Evaluation.NO_ANSWER),
            5: ("国が論議して整理している段階で、細かいところまではわかっていない。", Evaluation.NO_ANSWER),
        },
    )  # fmt: skip
    services.talk_record(
        user=user, target=target, held_at=datetime.datetime(2023, 11, 2, 14, 0, tzinfo=tz), place="茅ヶ崎市役所",
        participations=[("茅ヶ崎社保協", 5), ("神奈川県社保協（医療保険改善委員会）", 1)],
        officials=[("介護・障がい福祉・医療費助成（前半）と国保・後期高齢者医療（後半）の担当課", "", 4)],
        summary="茅ヶ崎社保協の予算要望書への回答にもとづく懇談。前半は介護保険・障がい福祉・医療費助成、"
        "後半は国保・後期高齢者医療とマイナ保険証。",
        internal_note="次回は保険料水準の統一化について資料を持参する。",
        items=CHIGASAKI_ITEMS,
    )  # fmt: skip


CHIGASAKI_ITEMS = [
    {
        "demand": "介護の処遇改善は報酬加算でなく国の補助金で。特養での身体拘束、介護職員は足りているか、第9期計画は",
        "answer": "ルールを超えての拘束は問題。施設も訪問介護も介護職員は足りており、閉鎖のところはない。"
        "報酬は国が決めている。",
        "evaluation": Evaluation.UNCHANGED,
    },
    {
        "demand": "特養の増設と待機者",
        "answer": "特養は12あり、待機者は296人。待機者は一年以内に入所できている。"
        "増設は保険料の担税力も考えなければならない。",
        "evaluation": Evaluation.UNCHANGED,
    },
    {
        "demand": "介護保険料の区分段階と所得限度額の見直し",
        "answer": "見直しは検討していく。",
        "evaluation": Evaluation.ADVANCED,
        "follow_up": "第9期の保険料段階を確認する",
        "follow_up_due": D(2024, 3, 31),
    },
    {
        "demand": "マイナ保険証の問題",
        "answer": "国が論議して整理している段階で、細かいところまではわかっていない。",
        "evaluation": Evaluation.NO_ANSWER,
    },
    {
        "demand": "保険料水準の統一化に向けた課題、短期証・資格証を発行しない考え方、差し押さえ、"
        "保険者努力支援制度のマイナス査定",
        "answer": "基金や繰越金を活用して保険料を抑制しているが、維持していくのは難しくなっている。",
        "evaluation": Evaluation.UNCHANGED,
        "follow_up": "国庫からの資金の増額（1兆円）を国に要望するよう求めた",
        "follow_up_due": D(2024, 2, 28),
    },
]


def _tokyo(user, out):
    council = _prefectural(TOKYO)
    pref = council.prefecture
    if Questionnaire.objects.filter(council=council, fiscal_year=2024, title=TOKYO_SURVEY).exists():
        out.append("アンケート 東京 資格確認書: 既存（変更なし）")
        return
    questionnaire = services.questionnaire_create(
        user=user, council=council, prefecture=pref, fiscal_year=2024, title=TOKYO_SURVEY, sections=TOKYO_SECTIONS
    )
    questionnaire.public_note = "回答のあった自治体から順に掲載しています。問い合わせも各地域・団体からお願いします。"
    questionnaire.save(update_fields=["public_note"])
    caravan = services.caravan_create(
        user=user, council=council, fiscal_year=2024, title="資格確認書の送付等に関するアンケート",
        questionnaire=questionnaire, visits_planned=False,
    )  # fmt: skip
    answered = {m.name: m for m in Municipality.objects.filter(prefecture=pref, name__in=TOKYO_ANSWERED)}
    values = {}
    for index, name in enumerate(TOKYO_ANSWERED):
        m = answered[name]
        choice = "全員に送付" if name in ("中野区", "港区") else ("検討中" if index % 3 else "マイナ保険証のない人のみ")
        values[("1", m)] = choice
        values[("2", m)] = _tokyo_planned(m, choice)
        values[("3", m)] = "はい" if index % 4 == 0 else "いいえ"  # many could not say when cards expire
        values[("4", m)] = "担当者の補足（非公開）"
    _answers(user, questionnaire, values, source="paper")
    caravan.targets.filter(municipality__in=answered.values()).update(
        questionnaire_sent_on=D(2024, 9, 2), answered_on=D(2024, 10, 1)
    )
    services.questionnaire_publish(
        user=user, questionnaire=questionnaire, questions=list(questionnaire.questions.filter(published=True))
    )
    out.append(f"アンケート 東京 資格確認書: 回答 {len(answered)}自治体、公開")


def _saitama(user, out):
    council = _prefectural(SAITAMA)
    if Caravan.objects.filter(council=council, fiscal_year=2019).exists():
        out.append("キャラバン 埼玉 2019・2020年度: 既存（変更なし）")
        return
    caravan = services.caravan_create(
        user=user, council=council, fiscal_year=2019, title="2019年 自治体要請キャラバン行動",
        organisations_total=500, participants_total=1500, officials_total=900,
    )  # fmt: skip
    targets = list(caravan.targets.order_by("municipality__code"))
    from municipalities.models import CaravanCourse

    courses = [CaravanCourse.objects.create(caravan=caravan, number=n, name=f"第{n}コース") for n in range(1, 37)]
    for index, target in enumerate(targets):
        target.course = courses[index % 36]
        target.visited_on = D(2019, 10, 1) + datetime.timedelta(days=index % 36)
        target.save(update_fields=["course", "visited_on"])
    quiet = services.caravan_create(
        user=user, council=council, fiscal_year=2020, title="2020年度 自治体アンケート（訪問は中止）",
        visits_planned=False,
    )  # fmt: skip
    quiet.targets.update(questionnaire_sent_on=D(2020, 7, 1), answered_on=D(2020, 9, 1))
    out.append(f"キャラバン 埼玉 2019年度: {len(targets)}市町村・36コース、2020年度: アンケートのみ")


def _osaka(user, out):
    council = _prefectural(OSAKA)
    pref = council.prefecture
    if Caravan.objects.filter(council=council, fiscal_year=2019).exists():
        out.append("キャラバン 大阪 2019年度: 既存（変更なし）")
        return
    questionnaire = services.questionnaire_create(
        user=user, council=council, prefecture=pref, fiscal_year=2019, title="2019年度 キャラバン事前アンケート",
        sections=OSAKA_SECTIONS,
    )  # fmt: skip
    caravan = services.caravan_create(
        user=user, council=council, fiscal_year=2019, title="2019年度 大阪府自治体キャラバン",
        questionnaire=questionnaire, include_wards=True, other_bodies=["くすのき広域連合"], participants_total=1400,
    )  # fmt: skip
    caravan.note = "資料集2,600冊を作成し、地域・団体と全市町村の担当課長に事前に送付。"
    caravan.save(update_fields=["note"])
    caravan.targets.update(questionnaire_sent_on=D(2019, 5, 27))
    caravan.targets.exclude(municipality__name="松原市").update(visited_on=D(2019, 10, 15))
    plain = Municipality.objects.filter(prefecture=pref).exclude(kind=Municipality.Kind.WARD).order_by("code")
    caravan.targets.filter(municipality__in=plain).update(answered_on=D(2019, 7, 5))
    values = {}
    for m in plain:
        values[("1-1", m)] = _osaka_staff(m)
        values[("2-1", m)] = _spread(m.code, 330_000, 400_000, 1000)
        values[("3-1", m)] = Decimal(_spread(m.code, 250, 450)) / 10
        values[("4-1", m)] = _spread(m.code, 5800, 7400, 10)
        values[("5-1", m)] = "はい" if _spread(m.code + "65", 0, 2) else "いいえ"
        values[("6-1", m)] = _spread(m.code, 70, 120)
        values[("7-1", m)] = 15 if _spread(m.code + "c", 0, 2) else 18
    _answers(user, questionnaire, values, source="xlsx")
    out.append("キャラバン 大阪 2019年度: 42市町村・くすのき広域連合・31区")


@transaction.atomic
def seed(*, stdout):
    user = _user()
    if user is None or not Prefecture.objects.exists() or _prefectural(KANAGAWA) is None:
        stdout.write("caravans: 社保協とアカウントがないため作成しません（社保協のデモを先に）。")
        return
    out = []
    for part in (_kanagawa, _kanagawa_talks, _tokyo, _saitama, _osaka):
        part(user, out)
    for line in out:
        stdout.write(f"caravans: {line}")

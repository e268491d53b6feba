"""Demo call-in consultation days, drawn from the seeds (000 活動報告 5), 001 §3, 003).

- The 2019 national day (11 November, with 認知症の人と家族の会 and 東京社保協): 24 prefectural
  stations and 252 calls in all, NHK coverage at noon (Web) and 15:00 (national news). Which 24
  prefectures and how the 252 calls spread over them are invented (larger prefectures take more).
- Kanagawa 2023: 3 lines, 9 responders of whom 6 care managers and social workers from 民医連,
  33 calls after the NHK noon news; Kanagawa 2022: 15 calls (the year before).
- Calls are written through consultations.services.call_record, as a responder would record them;
  their summaries are short texts in our own words after the kinds of calls the seeds describe
  (a mother at 要介護5 whose costs exceed the limit, leaving a job to care, a care manager one cannot
  talk to, a facility waiting list). Durations, times, categories and care levels follow a fixed
  pattern (no randomness), many calls past 30 minutes.
- Responders have accounts without a usable password (members of the prefectural council), but for
  one: the demo account `member` is the ninth responder of Kanagawa's 2023 station, so the call form
  and a responder's reading of free text can be tried; the demo account `chuo` is appointed national
  coordinator.

Idempotent: a day is looked up by kind, council and date; its stations and calls are created only
when the day is new.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from consultations import services
from consultations.models import (
    AgeBand,
    CallerType,
    CareLevel,
    Category,
    ConsultationDay,
    ConsultationKind,
    Coordinator,
    Profession,
    Relation,
    Responder,
    Sex,
    Station,
)
from councils import services as council_services
from councils.models import Council, CouncilKind, Organisation, Role, User

D = datetime.date
T = datetime.time
TITLE = "介護・認知症なんでも無料電話相談"

CATEGORIES = [
    "利用料・費用",
    "介護離職",
    "施設入所・待機",
    "認知症",
    "家族関係",
    "ケアマネ・ヘルパーへの不満",
    "介護保険制度",
    "医療",
    "生活保護",
    "その他",
]

# The 24 prefectures of 2019 (invented set) and their calls: 252 in all.
CALLS_2019 = {
    "01": 14, "04": 6, "07": 5, "09": 7, "10": 8, "11": 16, "12": 12, "13": 30, "14": 18, "15": 6, "17": 5,
    "20": 9, "22": 10, "23": 17, "26": 11, "27": 22, "28": 14, "33": 7, "34": 9, "37": 4, "38": 4, "40": 10,
    "43": 4, "47": 4,
}  # fmt: skip
KANAGAWA = "14"

# (summary, advice, referral, categories, caller, relation, care level, minutes)
CALL_KINDS = [
    ("母は要介護5で自宅で看ている。正社員だったが介護のために仕事を辞めた。母の利用料が支給限度額を超えて自己負担が重い。",
     "高額介護サービス費と負担限度額の申請を説明。区分変更申請も検討するよう助言。", "地域包括支援センター",
     ["利用料・費用", "介護離職"], CallerType.FAMILY, Relation.CHILD, CareLevel.CARE_5, 45),
    ("74歳の母を介護している。入浴を嫌がり困っている。先の見えない介護で気持ちが沈む。",
     "デイサービスでの入浴や訪問入浴を提案。家族の会のつどいを紹介。", "認知症の人と家族の会",
     ["認知症", "家族関係"], CallerType.FAMILY, Relation.CHILD, CareLevel.CARE_2, 38),
    ("特養の空きを待っているが入れず、有料老人ホームに入った。月々の費用が払いきれない。",
     "特養の申し込み先を増やすこと、補足給付の対象になるかを確認するよう助言。", "市の介護保険課",
     ["施設入所・待機", "利用料・費用"], CallerType.FAMILY, Relation.SPOUSE, CareLevel.CARE_4, 32),
    ("担当のケアマネジャーに相談しても話を聞いてもらえない。替えてもよいのか。",
     "ケアマネジャーは替えられることを説明。事業所や地域包括への相談の仕方を助言。", "地域包括支援センター",
     ["ケアマネ・ヘルパーへの不満"], CallerType.FAMILY, Relation.CHILD_IN_LAW, CareLevel.CARE_1, 25),
    ("物忘れが増えた父が受診を拒む。介護保険の申請はまだしていない。",
     "かかりつけ医への相談と要介護認定の申請手順を説明。", "",
     ["認知症", "介護保険制度", "医療"], CallerType.FAMILY, Relation.CHILD, CareLevel.NOT_APPLIED, 20),
    ("ひとり暮らしで年金が少なく、介護サービスを減らしている。",
     "生活保護や減免制度の利用を説明。", "生活と健康を守る会",
     ["生活保護", "利用料・費用"], CallerType.SELF, "", CareLevel.SUPPORT_2, 15),
    ("訪問介護の時間が短くなり、必要な家事をしてもらえない。",
     "ケアプランの見直しを申し出るよう助言。", "",
     ["介護保険制度", "ケアマネ・ヘルパーへの不満"], CallerType.SELF, "", CareLevel.CARE_1, 12),
]  # fmt: skip
AGES = [AgeBand.AGE_85, AgeBand.AGE_75, AgeBand.AGE_85, AgeBand.AGE_65, AgeBand.AGE_75]
SEXES = [Sex.FEMALE, Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE]


def _categories():
    by_name = {}
    for order, name in enumerate(CATEGORIES, start=1):
        by_name[name] = Category.objects.get_or_create(name=name, defaults={"order": order})[0]
    return by_name


def _responder_user(username, council, display_name):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=display_name)
        user.set_unusable_password()
        council_services.user_set_role(user=user, role=Role.MEMBER, council=council)
    return user


def _day(council, date, *, coverage="", press="", published=False):
    day = ConsultationDay.objects.filter(kind=ConsultationKind.CALL_IN_DAY, council=council, date=date).first()
    if day is not None:
        return day, False
    day = ConsultationDay(
        kind=ConsultationKind.CALL_IN_DAY, title=TITLE, date=date, starts_at=T(10), ends_at=T(16),
        theme="介護・認知症の悩み、ひとりで抱えずに", council=council,
        co_organisers="認知症の人と家族の会、東京社保協", press_notices=press, coverage=coverage, published=published,
    )  # fmt: skip
    day.full_clean()
    day.save()
    return day, True


def _calls(station, responders, count, categories):
    """`count` calls at `station`, spread over the day's hours, one responder after another."""
    day = station.day
    for i in range(count):
        summary, advice, referral, cats, caller, relation, level, minutes = CALL_KINDS[i % len(CALL_KINDS)]
        minute = 10 * 60 + (i * 350) // max(count, 1)  # 10:00 … 15:50
        started = timezone.make_aware(datetime.datetime.combine(day.date, T(minute // 60, minute % 60)))
        responder = responders[i % len(responders)]
        services.call_record(
            user=responder.user,
            station=station,
            responder=responder,
            started_at=started,
            duration_minutes=minutes + (i % 4) * 3,
            caller_type=caller,
            caller_relation=relation,
            age_band=AGES[i % len(AGES)],
            sex=SEXES[i % len(SEXES)],
            care_level=level,
            line=1 + i % station.line_count,
            follow_up=i % 5 == 0,
            categories=[categories[name] for name in cats],
            summary=summary,
            advice=advice,
            referral=referral,
        )


def _station(day, council, *, lines, responders, calls, categories, organisation=None, demo_member=None):
    station = Station(day=day, council=council, line_count=lines)
    station.full_clean(exclude=["day", "council"])
    station.save()
    rows = []
    code = council.prefecture.code if council.prefecture_id else "00"
    for n, profession in enumerate(responders, start=1):
        user = (
            demo_member
            if demo_member is not None and n == len(responders)
            else _responder_user(
                f"soudan-{day.date.year}-{code}-{n}", council, f"相談員{n}（{council.short_name or council.name}）"
            )
        )
        from_minren = profession in (Profession.CARE_MANAGER, Profession.SOCIAL_WORKER)
        rows.append(
            Responder.objects.create(
                station=station, user=user, profession=profession, organisation=organisation if from_minren else None
            )
        )
    _calls(station, rows, calls, categories)
    return station


KANAGAWA_2023_RESPONDERS = [Profession.CARE_MANAGER] * 3 + [Profession.SOCIAL_WORKER] * 3 + [Profession.STAFF] * 3


@transaction.atomic
def seed(*, stdout):
    national = Council.objects.filter(kind=CouncilKind.NATIONAL).first()
    if national is None:
        stdout.write("consultations: 中央社保協がないため作成しません（社保協のデモを先に）。")
        return
    categories = _categories()
    prefectural = {
        c.prefecture.code: c for c in Council.objects.filter(kind=CouncilKind.PREFECTURAL).select_related("prefecture")
    }
    minren = Organisation.objects.filter(name="神奈川県民主医療機関連合会").first()

    day2019, created = _day(
        national, D(2019, 11, 11), published=True,
        press="全労連など介護集会実行委員会と記者会見。読売新聞（全国版健康欄）・しんぶん赤旗（全国版）で告知、連合通信に資料送付。",
        coverage="NHK 当日取材、12時 Web ニュース、15時 全国ニュース",
    )  # fmt: skip
    if created:
        for code, calls in CALLS_2019.items():
            _station(
                day2019, prefectural[code], lines=2, responders=[Profession.CARE_MANAGER, Profession.SOCIAL_WORKER],
                calls=calls, categories=categories, organisation=minren if code == KANAGAWA else None,
            )  # fmt: skip
    kanagawa = prefectural[KANAGAWA]
    for date, calls, lines, responders, coverage in (
        (D(2022, 11, 11), 15, 2, [Profession.CARE_MANAGER, Profession.SOCIAL_WORKER, Profession.STAFF], ""),
        (D(2023, 11, 11), 33, 3, KANAGAWA_2023_RESPONDERS, "NHK 昼のニュースで放映、その後電話が鳴りやまず"),
    ):
        day, created = _day(national, date, coverage=coverage, published=True)
        if created:
            # The demo account `member` answers calls at Kanagawa's 2023 station: log in as it to try the form.
            member = User.objects.filter(username="member").first() if date.year == 2023 else None
            station = _station(day, kanagawa, lines=lines, responders=responders, calls=calls, categories=categories,
                               organisation=minren, demo_member=member)  # fmt: skip
            station.publicity = "しんぶん赤旗の折り込み、マスコミへの事前告知と当日取材の依頼"
            station.coverage = coverage
            station.save()
    chuo = User.objects.filter(username="chuo").first()
    if chuo is not None and not Coordinator.objects.filter(user=chuo).exists():
        Coordinator.objects.create(user=chuo, note="デモ: 全国コーディネーター")
    days = ConsultationDay.objects.filter(kind=ConsultationKind.CALL_IN_DAY).count()
    stdout.write(f"consultations: 電話相談日 {days}（2019年 24県 252件、神奈川 2023年 33件・2022年 15件）")

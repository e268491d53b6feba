"""Demo campaigns and actions, entered as the seed reports report them, through campaigns.services.

From the seeds (001 Kanagawa's report to the block meeting, 002 the Tokyo digest, 003 the Kanagawa
newsletter, 000 the 2020 draft's 当面の日程):
- 11.25 桜木町 street action of 「なくすな保険証！神奈川県連絡会」: 11 organisations' rows, 26 people
  (the newsletter's 12団体26人 kept as the stated total, the disagreement confirmed), チラシ・ティッシュ
  1000枚, 署名42筆 (recorded once, as the ledger's entry), シール投票75 (反対72・賛成3);
- 12.14 伊勢佐木町 (5団体14名, 500, 26筆), the 12.12 西湘 caravan in five towns (11・6・3・4・4人; the five
  towns together 保険証残して9筆 in the ledger and 消費税5%署名8筆 as an output of the first town's action,
  since the seed gives them only for the caravan as a whole);
- 11.16 社会保障入門講座 「これだけは知っておきたい国保・後期高齢者医療」: 6 people, one from each of the
  six organisations the seed names;
- 11.18 全県国保改善交流集会 (42 on site, 13 online points), 12.10 介護保険のつどい (32, 17 ZOOM
  points), 11.30 保険証シンポジウム (57), 11.14 negotiation with the prefecture (23 people from 12
  organisations, two demands with their answers);
- 9.26 いのちまもる総行動 (2,400 on site, 200 viewing points) and the Ginza parade; the Tokyo local
  councils' study sessions (渋谷 93, 西東京 40);
- the dates of January and February 2024 that 001 announces, as planned actions (1.10 the talk with
  Yokohama on 重度訪問介護, 1.12 the liaison group's secretariat, 1.18 and 2.22 伊勢佐木町, 1.18 the
  入門講座 「生活困窮・生活保護」, 2.20 the 高齢期のつどい); the times and places are the seed's;
- the 2020 draft's calendar from 9月2日 to 11月23日, and a year of study sessions nationally
  (2019年9月〜2020年8月) so that the 第64回 draft prints its study-session count;
- upcoming actions dated from the day seed_demo runs, so the calendar and the feed show the coming weeks.

Invented figures that depend on size scale with it: the year of study sessions (2,312 in all) is
shared among the prefectures by weight 10 + one per 200,000 inhabitants (`demo.population`), so
Tokyo holds several times Tottori's; each session's attendance (12–51) is a fixed pattern.

Speakers' names are invented (as the federation's officers are); affiliations and titles follow the
seeds. Voices are short paraphrases. Idempotent: an action is looked up by organiser, title and date
(upcoming ones by organiser and title) and created only when missing.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from campaigns import services
from campaigns.models import Action, ActionKind, ActionOutput, Campaign, LiaisonGroup, StudyGoal, Theme
from councils.models import Council, CouncilKind, Organisation, User
from demo import population
from municipalities.models import Municipality, Prefecture
from petitions import services as petition_services
from petitions.models import PetitionDrive, TallyEntry

D = datetime.date
T = datetime.time
KANAGAWA, TOKYO = "14", "13"
HOKENSHO_SOURCE = "桜木町駅前宣伝（なくすな保険証！神奈川県連絡会）"
STUDY_YEAR_START, STUDY_YEAR_END = D(2019, 9, 1), D(2020, 8, 31)
STUDY_SESSIONS_NATIONAL = 2_312  # 2019-09 … 2020-08, spread over the prefectures by weight
STUDY_GOAL = 10_000  # the 「1万か所学習運動」
# Seed 001: the 西湘 caravan's 消費税5%署名, 8 in the five towns together (the 保険証 drive's 9 are in the ledger).
CARAVAN_TAX_SIGNATURES = {"kind": "other", "description": "消費税5%署名（5町の合計）", "quantity": 8, "unit": "筆"}
# Seed 001: the 11月16日 入門講座, 6 people from these six organisations.
INTRODUCTION_COURSE_ORGANISATIONS = ("保険医協会", "神商連", "湘南建設組合", "共産党", "川崎社保協", "県社保協")


class Seeder:
    def __init__(self, stdout):
        self.stdout = stdout
        self.national = Council.objects.get(kind=CouncilKind.NATIONAL)
        self.prefectural = {
            c.prefecture.code: c
            for c in Council.objects.filter(kind=CouncilKind.PREFECTURAL).select_related("prefecture")
        }
        self.locals = {
            (c.prefecture.code, c.short_name.removesuffix("社保協")): c
            for c in Council.objects.filter(
                kind=CouncilKind.LOCAL, prefecture__code__in=[KANAGAWA, TOKYO]
            ).select_related("prefecture")
        }
        users = {u.username: u for u in User.objects.filter(username__in=["chuo", "kanagawa"])}
        self.chuo = users.get("chuo") or User.objects.filter(is_superuser=True).order_by("pk").first()
        self.kanagawa_user = users.get("kanagawa") or self.chuo
        self.kinds = {k.code: k for k in ActionKind.objects.all()}
        self.themes = {t.name: t for t in Theme.objects.all()}
        self.orgs = {}
        for o in Organisation.objects.select_related("prefecture"):
            code = o.prefecture.code if o.prefecture_id else None
            self.orgs.setdefault((code, o.short_name or o.name), o)
            self.orgs.setdefault((code, o.name), o)
        self.made = 0

    def say(self, line):
        self.stdout.write(line)

    def org(self, code, name):
        return self.orgs.get((code, name))

    def rows(self, code, spec):
        """[(name, count, note)] → participation rows: a member organisation where one is known, else the name."""
        out = []
        for name, count, note in spec:
            organisation = self.org(code, name)
            out.append({"organisation": organisation, "organisation_name": "" if organisation else name,
                        "count": count, "note": note})  # fmt: skip
        return out

    # --- campaigns -------------------------------------------------------------------------
    def campaign(self, slug, **fields):
        existing = Campaign.objects.filter(slug=slug).first()
        if existing:
            return existing
        themes = [self.themes[t] for t in fields.pop("themes", ()) if t in self.themes]
        return services.campaign_create(slug=slug, themes=themes, **fields)

    def liaison_group(self, council, name, kind, members, other_names=""):
        existing = LiaisonGroup.objects.filter(council=council, name=name).first()
        if existing:
            return existing
        code = council.prefecture.code if council.prefecture_id else None
        organisations = [o for o in (self.org(code, m) or self.org(None, m) for m in members) if o]
        return services.liaison_group_create(
            council=council, name=name, kind=kind, member_organisations=organisations, member_names=other_names
        )

    # --- actions ---------------------------------------------------------------------------
    def action(self, user, kind, organiser, title, starts_on, *, upcoming=False, **kwargs):
        existing = Action.objects.filter(organiser=organiser, title=title)
        if not upcoming:
            existing = existing.filter(starts_on=starts_on)
        if existing.exists():
            return existing.first()
        recorded = services.action_record(
            user=user, kind=self.kinds[kind], organiser=organiser, title=title, starts_on=starts_on, **kwargs
        )
        self.made += 1
        return recorded.action


def _hokensho_already_counted(drive, council, day):
    """An entry of that day typed before the action existed (an older demo): the action does not count it again."""
    return TallyEntry.objects.filter(petition=drive, council=council, collected_on=day, action__isnull=True).exists()


def _kanagawa(s, drives):
    kanagawa = s.prefectural[KANAGAWA]
    user = s.kanagawa_user
    hokensho = drives.get("hokensho")
    nakusuna = s.campaign(
        "nakusuna-hokensho", name="なくすな保険証！", short_name="なくすな保険証", starts_on=D(2023, 6, 1),
        lead_council=s.national, themes=["保険証", "医療"],
        description="マイナ保険証への一本化に反対し、現行の健康保険証を残す運動",
    )  # fmt: skip
    group = s.liaison_group(
        kanagawa, "なくすな保険証！神奈川県連絡会", LiaisonGroup.Kind.LIAISON,
        ["保険医協会", "建設労連", "神奈川土建", "神奈川労連", "自治労連", "年金者組合", "福保労", "国公労連"],
        other_names="なくす会\n県社保協",
    )  # fmt: skip
    kanagawa_hokensho = s.campaign(
        "kanagawa-hokensho", name="なくすな保険証！神奈川の運動", short_name="保険証残せ（神奈川）",
        starts_on=D(2023, 9, 1), lead_council=kanagawa, parent=nakusuna, liaison_group=group, themes=["保険証"],
    )  # fmt: skip
    kokuho = s.campaign(
        "kokuho-kaizen", name="国保改善大運動", short_name="国保改善", starts_on=D(2023, 4, 1),
        lead_council=s.national, themes=["国保"],
    )  # fmt: skip
    s.campaign(
        "article25", name="25条共同行動", short_name="25条共同行動", starts_on=D(2019, 9, 1),
        lead_council=s.national, themes=["憲法25条", "税・財源"],
    )  # fmt: skip
    kaigo = s.campaign(
        "kaigo-kaizen", name="介護保険制度の改善を求める運動", short_name="介護改善", starts_on=D(2023, 4, 1),
        lead_council=s.national, themes=["介護"],
    )  # fmt: skip
    skip_sigs = hokensho is None or _hokensho_already_counted(hokensho, kanagawa, D(2023, 11, 25))
    s.action(
        user, "street", kanagawa, "なくすな保険証！桜木町駅前宣伝", D(2023, 11, 25),
        start_time=T(13, 30), end_time=T(15, 0), place="桜木町駅前広場", liaison_group=group,
        co_organiser_names="なくすな保険証！神奈川県連絡会", campaigns=[kanagawa_hokensho],
        participants=s.rows(KANAGAWA, [
            ("保険医協会", 7, "うち開業医2人"), ("建設労連・神奈川土建", 4, ""), ("神奈川労連", 3, ""),
            ("自治労連", 3, ""), ("年金者組合", 2, ""), ("福保労", 1, ""), ("国公労連", 1, ""), ("なくす会", 1, ""),
            ("日本共産党", 1, ""), ("川崎社保協", 1, ""), ("県社保協", 2, ""),
        ]),
        stated_organisations=12, stated_participants=26,
        outputs=[{"kind": "flyer_tissue", "description": "チラシ・ポケットティッシュ", "quantity": 1000}],
        polls=[services.PollInput("保険証の廃止に賛成？反対？", [("反対", 72), ("賛成", 3)], stated_total=75)],
        voices=[
            {"speaker": "署名した人",
             "text": "家族の施設入所でマイナ保険証を探し回り、再発行に苦労した。今の保険証のままでいい。"},
            {"speaker": "通りがかった人", "text": "周りの人の署名も集めてくるので用紙をください。"},
        ],
        signatures=[] if skip_sigs else [{"petition": hokensho, "count": 42, "source": HOKENSHO_SOURCE}],
        report="寒い中での宣伝だったが、チラシ・ティッシュはなくなった。着ぐるみに子どもたちが集まり、対話が広がった。",
    )  # fmt: skip
    action = Action.objects.get(organiser=kanagawa, starts_on=D(2023, 11, 25), title="なくすな保険証！桜木町駅前宣伝")
    if action.totals_confirmed_at is None:
        services.totals_confirm(user=user, action=action, note="ニュースは建設労連と神奈川土建を別に数えて12団体")
    skip_sigs = hokensho is None or _hokensho_already_counted(hokensho, kanagawa, D(2023, 12, 14))
    s.action(
        user, "street", kanagawa, "伊勢佐木町有隣堂前宣伝", D(2023, 12, 14), start_time=T(14, 0), end_time=T(15, 0),
        place="伊勢佐木町有隣堂前", campaigns=[kanagawa_hokensho], liaison_group=group,
        participants=s.rows(KANAGAWA, [
            ("保険医協会", 6, "役員3人・事務局3人"), ("年金者組合", 2, ""), ("建設国保組合", 2, ""),
            ("建設労連", 2, ""), ("自治労連", 2, ""),
        ]),
        stated_organisations=5, stated_participants=14,
        outputs=[{"kind": "flyer_tissue", "description": "チラシ・ティッシュ", "quantity": 500}],
        voices=[
            {"speaker": "40代の男性", "text": "申請しないと資格確認書が出ないのなら、廃止をやめればいいのに。"},
            {"speaker": "60代の女性", "text": "マイナンバーカードはよくわからない。保険証がなくなったら困る。"},
        ],
        signatures=[] if skip_sigs else [{"petition": hokensho, "count": 26, "source": "伊勢佐木町有隣堂前宣伝"}],
        report="画版3つで署名26筆。チラシ・ティッシュは開始前に配り切った。",
    )  # fmt: skip
    # The 西湘 caravan: street actions in five towns on 12 December (9 保険証 signatures in all).
    skip_sigs = hokensho is None or _hokensho_already_counted(hokensho, kanagawa, D(2023, 12, 12))
    towns = [("大磯町", 11), ("二宮町", 6), ("箱根町", 3), ("真鶴町", 4), ("湯河原町", 4)]
    municipalities = {
        m.name: m for m in Municipality.objects.filter(prefecture__code=KANAGAWA, name__in=[t for t, _ in towns])
    }
    for i, (town, people) in enumerate(towns):
        s.action(
            user, "street", kanagawa, f"西湘地域キャラバン①（{town}）", D(2023, 12, 12), place=town,
            municipality=municipalities.get(town), onsite_count=people, campaigns=[kanagawa_hokensho],
            signatures=[] if skip_sigs or i else [
                {"petition": hokensho, "count": 9, "source": "西湘地域キャラバン（大磯・二宮・箱根・真鶴・湯河原）"}
            ],
            outputs=[] if i else [dict(CARAVAN_TAX_SIGNATURES)],
            report="全県一斉宣伝行動。署名は5町の合計（保険証残して9筆、消費税5%署名8筆）。" if i == 0 else "",
        )  # fmt: skip
    # A demo seeded before the 8 signatures were kept: add them to the first town's action once.
    first = Action.objects.get(
        organiser=kanagawa, starts_on=D(2023, 12, 12), title=f"西湘地域キャラバン①（{towns[0][0]}）"
    )
    if not first.outputs.filter(description=CARAVAN_TAX_SIGNATURES["description"]).exists():
        services.row_save(user=user, row=ActionOutput(action=first, **CARAVAN_TAX_SIGNATURES))
    s.action(
        user, "study", kanagawa, "社会保障入門講座『これだけは知っておきたい国保・後期高齢者医療』", D(2023, 11, 16),
        onsite_count=6, participants=s.rows(KANAGAWA, [(name, 1, "") for name in INTRODUCTION_COURSE_ORGANISATIONS]),
        report="国保については、歴史としくみの話が大事だと実感した。",
    )  # fmt: skip
    s.action(
        user, "exchange", kanagawa, "全県国保改善交流集会", D(2023, 11, 18), mode=Action.Mode.HYBRID,
        onsite_count=42, online_points=13, campaigns=[kokuho],
        speakers=[
            {"role": "lecturer", "name": "神田 浩", "affiliation": "神奈川自治労連執行委員",
             "talk_title": "国民健康保険の保険料水準の統一について／市町村国保とマイナ保険証の発行について"},
            {"role": "reporter", "name": "根岸 隆夫", "affiliation": "県社保協事務局長",
             "talk_title": "2023年度の市町村国保調査と市町村懇談の概要と特徴"},
            {"role": "reporter", "name": "中野 茂", "affiliation": "相模原社保協", "talk_title": "国保改善の運動提起"},
        ],
        report="講演と質疑、市町村国保調査の報告、運動提起。2023市町村国保調査表と調査の概要、全33市町村の国保担当課との"
        "懇談の特徴を報告した。感想は概ね良好、難しいという声もあり、開催のしかたは今後論議する。",
    )  # fmt: skip
    s.action(
        user, "study", kanagawa, "介護保険のいまと未来を考えるつどい", D(2023, 12, 10), place="建設プラザ",
        mode=Action.Mode.HYBRID, onsite_count=32, online_points=17, campaigns=[kaigo],
        report="会場32人、ZOOM17か所で50人を超える参加。講師のレジュメは県社保協のホームページに掲載。",
    )  # fmt: skip
    s.action(
        user, "symposium", kanagawa, "なくしていいのか保険証シンポジウム", D(2023, 11, 30), mode=Action.Mode.HYBRID,
        onsite_count=57, campaigns=[kanagawa_hokensho], co_organiser_names="保険医協会主催・連絡会後援",
        speakers=[
            {"role": "lecturer", "name": "坂本 圭", "affiliation": "神奈川県建設国保事務局長"},
            {"role": "panellist", "name": "村上 泰子", "affiliation": "年金者組合 委員長"},
            {"role": "panellist", "name": "安田 英子", "affiliation": "横浜市精神障害者家族連合会 副理事長"},
            {"role": "panellist", "name": "曽根 勇", "affiliation": "建設労連書記局"},
            {"role": "panellist", "name": "藤本 倫", "affiliation": "保険医協会理事"},
        ],
        report="会場とオンラインで57人。保険者・被保険者・医療機関の立場から発言があった。",
    )  # fmt: skip
    s.action(
        user, "negotiation", kanagawa, "保健・医療・介護分野の神奈川県交渉", D(2023, 11, 14),
        start_time=T(9, 45), end_time=T(12, 0), place="波止場会館4F大会議室", campaigns=[kokuho],
        counterpart_kind=Action.Counterpart.PREFECTURE, counterpart_prefecture=Prefecture.objects.get(code=KANAGAWA),
        counterpart_name="神奈川県（保健・医療・介護分野の担当課）",
        participants=s.rows(KANAGAWA, [
            ("保険医協会", 7, "うち新人5人"), ("新婦人", 1, ""), ("神商連", 1, ""), ("医労連", 4, ""),
            ("福祉保育労", 1, ""), ("年金者組合", 1, ""), ("建設労連", 1, ""), ("日本共産党県議会議員", 1, ""),
            ("横浜社保協", 1, ""), ("相模原社保協", 1, ""), ("県社保協", 1, ""), ("県職労連", 3, ""),
        ]),
        stated_organisations=12, stated_participants=23,
        demands=[
            {"text": "小児医療費助成の県の助成を小学校卒業から中学校卒業まで拡充すること", "is_priority": True,
             "answer": "拡充する予定はない", "evaluation": "unchanged"},
            {"text": "市町村の医療費助成に対する県の補助率を引き上げること", "is_priority": True,
             "answer": "現行の補助率を維持することが重要", "evaluation": "unchanged"},
        ],
        report="マイナ保険証、医療費助成、国保、介護、高齢者の交通権や難聴対策について話し合った。",
    )  # fmt: skip


def _kanagawa_coming(s):
    """The dates in January and February that seed 001 announces (planned, as the report gives them)."""
    kanagawa, user = s.prefectural[KANAGAWA], s.kanagawa_user
    group = LiaisonGroup.objects.filter(council=kanagawa, name="なくすな保険証！神奈川県連絡会").first()
    campaign = Campaign.objects.filter(slug="kanagawa-hokensho").first()
    hokensho = {"campaigns": [campaign] if campaign else [], "liaison_group": group}
    planned = [
        ("talk", "横浜市健康福祉局障害自立支援課との懇談（重度訪問介護）", D(2024, 1, 10), T(14, 0), T(16, 0), "",
         {"co_organiser_names": "神奈川肢障協・障神奈連", "counterpart_kind": Action.Counterpart.MUNICIPALITY,
          "counterpart_municipality": Municipality.objects.filter(prefecture__code=KANAGAWA, name="横浜市").first(),
          "counterpart_name": "横浜市健康福祉局障害自立支援課"}),
        ("steering", "なくすな保険証！神奈川県連絡会 事務局会議", D(2024, 1, 12), T(13, 0), None, "保険医協会会議室",
         {"liaison_group": group, "report": "世論を広げる取り組み、マスコミ対策など今後の運動のすすめ方を論議する。"}),
        ("street", "伊勢佐木町有隣堂前宣伝", D(2024, 1, 18), T(14, 0), T(15, 0), "伊勢佐木町有隣堂前", hokensho),
        ("study", "社会保障入門講座『生活困窮・生活保護』", D(2024, 1, 18), T(15, 0), T(16, 30), "",
         {"speakers": [{"role": "lecturer", "name": "峰田 益夫",
                        "affiliation": "神奈川県生活と健康を守る会事務局長"}]}),
        ("rally", "神奈川の高齢期のつどい", D(2024, 2, 20), None, None, "横浜市鶴見区", {}),
        ("street", "伊勢佐木町有隣堂前宣伝", D(2024, 2, 22), T(14, 0), T(15, 0), "伊勢佐木町有隣堂前", hokensho),
    ]  # fmt: skip
    for kind, title, day, start, end, place, extra in planned:
        s.action(user, kind, kanagawa, title, day, start_time=start, end_time=end, place=place,
                 status=Action.Status.PLANNED, **extra)  # fmt: skip


def _tokyo_and_national(s):
    national, user = s.national, s.chuo
    group = s.liaison_group(
        national, "いのちまもる総行動実行委員会", LiaisonGroup.Kind.EXECUTIVE, ["日本医労連", "保団連", "全日本民医連"]
    )
    inochi = s.campaign(
        "inochi-mamoru", name="いのちまもる総行動", short_name="いのちまもる", starts_on=D(2020, 10, 1),
        lead_council=national, liaison_group=group, themes=["医療", "介護"],
    )  # fmt: skip
    s.action(
        user, "rally", national, "9.26いのちまもる総行動", D(2024, 9, 26), place="日比谷野外音楽堂",
        mode=Action.Mode.HYBRID, onsite_count=2400, online_points=200, liaison_group=group, campaigns=[inochi],
        report="医療・介護・福祉に国の予算を増やせ。集会の後、銀座をパレード。",
    )  # fmt: skip
    s.action(user, "parade", national, "9.26銀座パレード", D(2024, 9, 26), place="銀座", campaigns=[inochi])
    shibuya, nishitokyo = s.locals.get((TOKYO, "渋谷")), s.locals.get((TOKYO, "西東京"))
    if shibuya:
        s.action(
            user, "study", shibuya, "どうなっているの？！健康保険証緊急学習会", D(2024, 9, 11),
            start_time=T(18, 30), place="区立グリーンホール", onsite_count=93,
            speakers=[{"role": "lecturer", "name": "曽我 貴子", "affiliation": "保団連・中央社保協運営委員"}],
        )  # fmt: skip
    if nishitokyo:
        s.action(
            user, "study", nishitokyo, "あわててマイナ保険証つくらなくても大丈夫 学習会", D(2024, 9, 28),
            onsite_count=40,
            speakers=[{"role": "lecturer", "name": "小川 誠", "affiliation": "東京保険医協会事務局長"}],
        )  # fmt: skip


# The 2020 draft's 当面の日程 (seed 000): (month, day, kind, title)
CALENDAR_2020 = [
    (9, 2, "general_meeting", "2020年度全国総会"),
    (10, 1, "other", "国際高齢者デー"),
    (10, 9, "block_meeting", "北海道・東北ブロック会議"),
    (10, 13, "block_meeting", "四国ブロック会議"),
    (10, 15, "block_meeting", "関東甲ブロック会議"),
    (10, 17, "study", "コロナ禍の日本の「今」と「これから」を考える学習会（仮）"),
    (10, 19, "block_meeting", "北信越ブロック会議"),
    (10, 22, "rally", "＃いのちまもる 医療・社会保障を立て直せ！10.22総行動"),
    (10, 25, "exchange", "2020介護改善全国学習交流集会"),
    (10, 26, "block_meeting", "九州・沖縄ブロック会議"),
    (11, 11, "consultation", "介護・認知症何でも無料電話相談"),
    (11, 23, "exchange", "地域医療を守る運動全国交流集会"),
]
CALENDAR_2020_TIMES = {(10, 9): (T(13, 0), T(16, 0)), (10, 22): (T(12, 0), T(14, 0)), (10, 17): (T(18, 30), T(20, 30))}


def _calendar_2020(s):
    for month, day, kind, title in CALENDAR_2020:
        start, end = CALENDAR_2020_TIMES.get((month, day), (None, None))
        s.action(s.chuo, kind, s.national, title, D(2020, month, day), start_time=start, end_time=end,
                 place="東京" if kind != "block_meeting" else "")  # fmt: skip


def _study_year(s):
    """A year of study sessions nationally (2019-09 … 2020-08), spread over the prefectures: one bulk write."""
    study = s.kinds["study"]
    if Action.objects.filter(kind=study, starts_on__gte=STUDY_YEAR_START, starts_on__lte=STUDY_YEAR_END,
                             title__startswith="社会保障学習会").exists():  # fmt: skip
        return 0
    codes = sorted(s.prefectural)
    # A larger prefecture holds more sessions: 10 + one per 200,000 inhabitants (Tokyo about 80, Tottori 12).
    people = population.prefecture_populations()
    weights = {code: 10 + people.get(code, 0) // 200_000 for code in codes}
    total_weight = sum(weights.values())
    counts = {code: STUDY_SESSIONS_NATIONAL * w // total_weight for code, w in weights.items()}
    counts[codes[0]] += STUDY_SESSIONS_NATIONAL - sum(counts.values())
    days = (STUDY_YEAR_END - STUDY_YEAR_START).days
    lines = []
    for code in codes:
        council = s.prefectural[code]
        for i in range(counts[code]):
            day = STUDY_YEAR_START + datetime.timedelta(days=(i * 37 + int(code) * 11) % (days + 1))
            title = f"社会保障学習会（{council.short_name or council.name}）"
            lines.append({"kind": study, "organiser": council, "title": title,
                          "starts_on": day, "onsite_count": 12 + (i * 13 + int(code)) % 40})  # fmt: skip
    services.actions_record_many(user=s.chuo, lines=lines)
    for year, goal in ((2019, STUDY_GOAL), (2020, STUDY_GOAL)):
        StudyGoal.objects.get_or_create(council=s.national, year=year, defaults={"goal": goal})
    StudyGoal.objects.get_or_create(council=s.prefectural[KANAGAWA], year=2019, defaults={"goal": 300})
    return len(lines)


def _upcoming(s):
    """Actions of the coming weeks, dated from today: the calendar page and the feed are never empty."""
    today = timezone.localdate()
    kanagawa, kawasaki = s.prefectural[KANAGAWA], s.locals.get((KANAGAWA, "川崎"))
    k, n = s.kanagawa_user, s.national
    planned = [
        (k, "street", kanagawa, "伊勢佐木町定例宣伝（デモ予定）", 3, T(14, 0), T(15, 0), "伊勢佐木町有隣堂前"),
        (k, "study", kanagawa, "社会保障入門講座「年金制度について」（デモ予定）", 7, T(15, 0), T(16, 30), "県社保協"),
        (k, "steering", kanagawa, "県社保協運営委員会（デモ予定）", 10, T(13, 0), T(15, 0), "県社保協会議室"),
        (s.chuo, "diet", n, "署名提出行動・院内集会（デモ予定）", 14, T(12, 0), T(13, 30), "衆議院第2議員会館"),
        (s.chuo, "block_meeting", s.national, "関東甲ブロック会議（デモ予定）", 21, None, None, ""),
        (s.chuo, "consultation", s.national, "なんでも無料電話相談（デモ予定）", 35, None, None, ""),
    ]  # fmt: skip
    if kawasaki:
        planned.append(
            (
                s.kanagawa_user,
                "study",
                kawasaki,
                "川崎社保協 国保学習会（デモ予定）",
                17,
                T(18, 30),
                T(20, 0),
                "川崎市内",
            )
        )
    for user, kind, council, title, days, start, end, place in planned:
        s.action(user, kind, council, title, today + datetime.timedelta(days=days), upcoming=True,
                 start_time=start, end_time=end, place=place, status=Action.Status.PLANNED)  # fmt: skip


def _link_drives(drives):
    for slug, campaign_slug in (("hokensho", "nakusuna-hokensho"), ("kaigo-2023", "kaigo-kaizen"),
                                ("kokuho-web", "kokuho-kaizen"), ("inochi-2020", "inochi-mamoru"),
                                ("article25-2026", "article25"), ("article25-2019", "article25")):  # fmt: skip
        drive, campaign = drives.get(slug), Campaign.objects.filter(slug=campaign_slug).first()
        if drive and campaign and drive.campaign_id is None:
            petition_services.drive_set_campaign(drive=drive, campaign=campaign)


def seed(*, stdout):
    """The demo campaigns and actions (idempotent, deterministic except the upcoming ones' dates)."""
    if not Council.objects.filter(kind=CouncilKind.NATIONAL).exists() or not ActionKind.objects.exists():
        stdout.write("campaigns: 中央社保協がないため行動を作成しません（社保協のデモを先に）。")
        return
    with transaction.atomic():
        s = Seeder(stdout)
        drives = {d.slug: d for d in PetitionDrive.objects.all()}
        if KANAGAWA in s.prefectural:
            _kanagawa(s, drives)
            _kanagawa_coming(s)
        _tokyo_and_national(s)
        _calendar_2020(s)
        n = _study_year(s)
        _upcoming(s)
        _link_drives(drives)
    s.say(f"運動 {Campaign.objects.count()}件、行動 {s.made}件を作成（学習会 {n}件を一括作成）")

"""Demo data for reports: the 2020 general meeting (第64回, 2020年9月2日) and its policy draft's chapters.

The chapters follow the structure of the 2020 policy draft in the seeds (seed 000: はじめに, 情勢の
特徴, 社会保障をめぐる情勢, 活動報告, 運動のすすめ方, 当面の日程), written anew in our own words.
Where the seed left blanks for figures, the text has placeholders that fill from the data when the
PDF is made: the census of councils on 2020-09-01 with its change on the year before, the coverage
of municipalities, the 25条 petition's signatures from the demo ledger, and the 2019 call-in
consultation day (24 prefectures, 252 calls; demo.consultations). Where the seed has a table or a list, the
chapter names a block (shaho.core.blocks) instead of typing one: the study sessions per prefecture, every drive
of the year with the 社会保障関連の署名総数, the 25条 petition's items and the 当面の日程 from the actions.

Idempotent: the meeting is looked up by council and number and created, with its chapters, only
when missing, so staff edits to a demo chapter are never overwritten.
"""

import datetime

from django.db import transaction

from councils.models import Council, CouncilKind
from municipalities.models import AssemblyPetition
from petitions.models import PetitionDrive
from reports import services
from reports.models import Meeting

D = datetime.date
MEETING_NUMBER = 64
MEETING_DATE = D(2020, 9, 2)
FIGURES_DATE = D(2020, 9, 1)  # the census date of the councils' demo (47 / 374 / 27 / 18, 466 in all)


def _petition_25jo():
    """The demo ledger's 25条 petition, preferring a drive running on the meeting's figures date."""
    drives = PetitionDrive.objects.filter(short_name__contains="25条").order_by("starts_on")
    running = drives.filter(starts_on__lte=FIGURES_DATE, ends_on__gte=D(2019, 9, 1)).first()
    return running or drives.first()


def _petitions_of_the_year():
    return PetitionDrive.objects.filter(starts_on__lte=FIGURES_DATE, ends_on__gte=D(2019, 9, 1))


def _hospitals_campaign():
    """The 424 hospitals campaign of the assemblies' demo, when its adoptions are there."""
    petition = AssemblyPetition.objects.filter(campaign__slug=HOSPITALS_CAMPAIGN).select_related("campaign").first()
    return petition.campaign if petition else None


HOSPITALS_CAMPAIGN = "424-byoin"


def assembly_sentence(slug):
    """The seed's 活動報告 7)(3) sentence on the 424 campaign, its figures from the assemblies' count."""
    if not slug:
        return ""
    figure = "{{{{ assembly.assemblies campaign={slug} {arg} }}}}"
    return (
        "\n\n### 公立・公的病院を守る取り組み\n\n"
        "424対象病院の地域で自治体への要請と地方議会への陳情・請願を進め、"
        f"12月議会で {figure.format(slug=slug, arg='sitting=2019-12')}自治体、"
        f"3月議会で {figure.format(slug=slug, arg='sitting=2020-03')}自治体、"
        f"6月議会で {figure.format(slug=slug, arg='sitting=2020-06')}自治体で採択されました。"
        f"特に北海道 {figure.format(slug=slug, arg='prefecture=01')}自治体、"
        f"秋田 {figure.format(slug=slug, arg='prefecture=05')}自治体、"
        f"鳥取 {figure.format(slug=slug, arg='prefecture=31')}自治体、"
        f"徳島 {figure.format(slug=slug, arg='prefecture=36')}自治体が先進的な取り組みとなっています。"
    )


def _has_caravans():
    """Whether the demo has Saitama's and Osaka's 2019 caravans (demo.caravans), whose figures the draft states."""
    from municipalities.models import Caravan

    return Caravan.objects.filter(prefecture__code__in=["11", "27"], fiscal_year=2019).count() == 2


# The caravans of the year, as seed 000's 活動報告 states them (Saitama's and Osaka's paragraphs), from the data.
CARAVANS = (
    "### 自治体キャラバン\n\n"
    "埼玉では2019年の自治体要請キャラバンで、県内 {{ caravan.visited prefecture=11 year=2019 }}市町村を"
    " {{ caravan.courses prefecture=11 year=2019 }}コースで訪ねて懇談し、延べ約"
    " {{ caravan.organisations prefecture=11 year=2019 }}団体・{{ caravan.participants prefecture=11 year=2019 }}人、"
    "行政側からも約 {{ caravan.officials prefecture=11 year=2019 }}人が参加しました。"
    "2020年度はコロナ禍のため訪問を取りやめ、自治体アンケートに切り替えました"
    "（{{ caravan.targets prefecture=11 year=2020 }}市町村中"
    " {{ caravan.answered prefecture=11 year=2020 }}が回答）。\n\n"
    "大阪では2019年度のキャラバンで {{ caravan.visited prefecture=27 year=2019 }}市町村とくすのき広域連合、"
    "大阪市・堺市の {{ caravan.visited_wards prefecture=27 year=2019 }}区と懇談し、のべ"
    " {{ caravan.participants prefecture=27 year=2019 }}人が参加しました。事前アンケートは7分野にわたって"
    "全市町村に送り、回答を資料集にまとめて地域・団体と各市町村の担当課長に届けました。\n\n"
)


def _has_consultation_day():
    """Whether the demo has a national call-in day before the figures date (demo.consultations)."""
    from consultations.selectors import latest_national_day

    return latest_national_day(on_or_before=FIGURES_DATE) is not None


# The 2019 call-in day, as seed 000's 活動報告 5) states it (「２４県で相談件数は２５２件」), from the data.
CONSULTATIONS = (
    "### 相談活動の取り組み\n\n"
    "{{ consultation.date }}の「介護・認知症なんでも無料電話相談」は、認知症の人と家族の会などと共催し、"
    "{{ consultation.prefectures }}県で相談件数は{{ consultation.calls }}件でした。"
    "30分以上の相談が {{ consultation.long_share }}% を占め、介護離職や施設の費用の悩みが多く寄せられました。"
    "記者会見と事前の告知に力を入れ、当日はテレビのニュースでも取り上げられました。\n"
)


# The activity year the draft reports on (2019年度): its study sessions count to the figures date, as the
# sentence's figures do; the drives of the year are those running before September 2020 (いのち署名 starts then).
YEAR_START, YEAR_END = "2019-09-01", "2020-08-31"

# The 25条 petition's items for the coming year, as seed 000's 運動のすすめ方 prints them (請願項目（案）【1】【2】).
ITEMS = (
    "\n### 25条署名の請願項目（案）\n\n"
    "請願項目を従来の2項目に「国庫負担の増額」を補強し、総会後、署名提出行動の時期も含めて"
    "代表委員会・運営委員会で検討を深めます。\n\n"
    "{{{{ petition.items petition={slug} }}}}\n"
)

# Seed 000's 当面の日程: the national calendar from the meeting to the end of November (demo.campaigns' actions).
CALENDAR = "{{ calendar.period start=2020-09-01 end=2020-11-30 }}\n"


def chapters(*, petition_slug=None, hospitals_slug=None, caravans=False, consultations=False):
    """(title, Markdown) of each chapter; petition sentences only when the demo has a 25条 petition, caravan
    sentences only when it has the 2019 caravans, the call-in day's only when it has that day."""
    if petition_slug:
        signatures = (
            f"「社会保障拡充・財源確保を求める署名（25条署名）」は通年の署名として取り組み、"
            f"{FIGURES_DATE.year}年{FIGURES_DATE.month}月{FIGURES_DATE.day}日までに"
            f" {{{{ petition.to_date petition={petition_slug} }}}}筆を集約し、"
            f"{{{{ petition.submitted petition={petition_slug} }}}}筆を提出しました"
            f"（目標に対して {{{{ petition.percent petition={petition_slug} }}}}%）。"
            "署名を対話の入り口と位置づけ、宣伝行動や学習会と結んで広げてきました。\n\n"
            "署名提出行動・院内集会を共同する団体とともに取り組み、各署名をそれぞれ提出しました。"
            "社会保障関連の署名総数は"
            f" {{{{ petition.all_drives start={YEAR_START} end={YEAR_END} }}}}筆という状況です。"
            "（下の表と付録の集約一覧表を参照）\n\n"
            f"{{{{ petition.drives start={YEAR_START} end={YEAR_END} }}}}\n"
        )
    else:
        signatures = "25条署名は通年の署名として取り組みました。（付録の集約一覧表を参照）"
    return [
        (
            "はじめに",
            "### コロナ危機を乗り越え、安心して暮らせる社会へ\n\n"
            "新型コロナウイルスの感染拡大は、医療・介護・公衆衛生の体制がどれほど削られてきたかを"
            "私たちの目の前に示しました。長く続いた社会保障費の抑制と「自己責任」の押しつけを改め、"
            "憲法25条にもとづく人権としての社会保障を実現することが、いま問われています。\n\n"
            "### 地域社保協を結成し、強くするとき\n\n"
            "暮らしの困りごとは地域にあります。地域社保協をつくり、強め、住民の要求を自治体と国に届ける"
            "運動を全国に広げましょう。\n",
        ),
        (
            "情勢の特徴",
            "### 利益を第一にする経済の行き詰まり\n\n"
            "市場にすべてを委ねる政策は、医療の提供体制や保健所を細らせ、感染症への備えを弱めました。"
            "人口あたりの医師数は主要国のなかで少ない水準にとどまっています。\n\n"
            "### 税と財源のゆがみ\n\n"
            "消費税に頼る税制のもとで、大企業の内部留保は積み上がる一方、社会保障の自然増は削られてきました。"
            "負担能力に応じた税制への転換が必要です。\n",
        ),
        (
            "社会保障をめぐる情勢",
            "- **医療**: 公立・公的病院の統廃合計画の見直しと、検査・医療提供体制の拡充を求める声が広がりました。\n"
            "- **国保**: 保険料の減免や猶予、傷病手当の実施など、地域の要求が行政を動かしています。\n"
            "- **介護**: 事業所の経営難と人手不足が深刻です。利用者・家族・介護職員の声を集めます。\n"
            "- **年金・生活保護**: 引き下げに反対する裁判と運動に連帯します。\n",
        ),
        (
            "活動報告",
            "### 組織の現勢\n\n"
            "{{ census.line }}。\n\n"
            "社保協の総数は {{ census.total }} で、前年から {{ census.change }} となりました。"
            "地域社保協は {{ census.local }}（前年比 {{ census.local_change }}）、"
            "準備会は {{ census.preparatory }}（前年比 {{ census.preparatory_change }}）です。\n\n"
            "地域社保協のある市区町村は {{ coverage.covered }}、全市区町村 {{ coverage.total }} の"
            " {{ coverage.percent }}% です。「市区町村の過半数に地域社保協を」の目標に向けて、"
            "結成の取り組みを強めます。（付録の地域社保協一覧を参照）\n\n"
            "### 学習運動\n\n"
            "「1万か所学習運動」を提起し、学習会は"
            f" {{{{ campaigns.study_sessions start={YEAR_START} }}}}ヶ所まで到達し、"
            f"のべ {{{{ campaigns.study_attendance start={YEAR_START} }}}}人が参加しました。"
            "各地で学習運動が広がっています。（一覧表参照）\n\n"
            f"{{{{ campaigns.study_by_prefecture start={YEAR_START} }}}}\n\n"
            + (CARAVANS if caravans else "")
            + "### 署名の推進\n\n"
            + signatures
            + assembly_sentence(hospitals_slug)
            + "\n\n"
            + (CONSULTATIONS if consultations else ""),
        ),
        (
            "運動のすすめ方",
            "1. 人権としての社会保障を掲げ、地域・職場で学習会を開きます。\n"
            "2. 全都道府県で自治体キャラバンに取り組み、地域の要求を自治体に届けます。\n"
            "3. 25条署名をはじめ各署名を、対話を広げる運動として進めます。\n"
            "4. 地域社保協のない市区町村で、結成に向けた準備を始めます。\n"
            + (ITEMS.format(slug=petition_slug) if petition_slug else ""),
        ),
        ("当面の日程", CALENDAR),
    ]


@transaction.atomic
def seed(*, stdout):
    """The 2020 general meeting of the national council with its chapters, through reports.services."""
    national = Council.objects.filter(kind=CouncilKind.NATIONAL).first()
    if national is None:
        stdout.write("reports: 中央社保協がないため総会を作成しません（社保協のデモを先に）。")
        return None
    meeting = Meeting.objects.filter(council=national, number=MEETING_NUMBER).first()
    created = meeting is None
    if created:
        petition = _petition_25jo()
        meeting = services.meeting_create(
            council=national,
            number=MEETING_NUMBER,
            title="2020年度第64回全国総会方針案",
            date=MEETING_DATE,
            venue="日本医療労働会館（Web会議）",
            theme="コロナ危機を克服し、「人権としての社会保障制度」の運動推進を\n"
            "社会保障拡充をかかげ、政治転換を求める世論を\n"
            "地域・住民要求の実現へ、社保協の旗を全国に",
            as_of=FIGURES_DATE,
            chapters=chapters(
                petition_slug=petition.slug if petition else None,
                hospitals_slug=getattr(_hospitals_campaign(), "slug", None),
                caravans=_has_caravans(),
                consultations=_has_consultation_day(),
            ),
            petitions=_petitions_of_the_year() or ([petition] if petition else []),
        )
    stdout.write(f"reports: {meeting}（{'作成' if created else '既存'}、章 {meeting.chapters.count()}）")
    proposal = _seed_2025_proposal(national)
    if proposal is not None:
        stdout.write(f"reports: {proposal}（章 {proposal.chapters.count()}）")
    return meeting


# The national council's 2025 action proposal on 国保 (seed 004), whose count of assemblies' opinion statements
# (「18都道府県の112市区町村で採択、意見書111本」) and municipal indicators print from the data.
PROPOSAL_NUMBER = 69
PROPOSAL_DATE = D(2025, 12, 6)
PROPOSAL_FIGURES_DATE = D(2025, 11, 30)
KOKUHO_CAMPAIGN = "kokuho-ikensho"


def proposal_chapters():
    return [
        (
            "国保をめぐる情勢",
            "市町村の一般会計からの法定外繰入は、国の「解消」方針のもとで大きく減らされ、"
            "保険料（税）の引き上げが各地で続いています。\n\n"
            "神奈川県社保協の2023年度の自治体キャラバンでは、資格確認書を加入者全員に送付することを望む自治体が"
            " {{ caravan.indicator_count prefecture=14 year=2023 indicator=shikaku_all }}にのぼりました。\n",
        ),
        (
            "自治体意見書採択運動",
            "2024年6月から呼びかけている「国民健康保険財政への国庫負担増額を求める自治体意見書採択運動」は、"
            f"{PROPOSAL_FIGURES_DATE.year}年{PROPOSAL_FIGURES_DATE.month}月末現在、"
            f"{{{{ assembly.line campaign={KOKUHO_CAMPAIGN} }}}}となりました。"
            "議員自身が国保の加入者であること、知事会・市長会の要望と一致していることが、賛同を広げる力になっています。\n",
        ),
        (
            "行動提起",
            "1. すべての都道府県・市区町村議会で、国庫負担増額を求める意見書の採択をめざします。\n"
            "2. 自治体キャラバンで、資格確認書の全員送付と子どもの均等割減免の拡充を求めます。\n"
            "3. 国保料（税）の引き下げを求める署名に取り組みます。\n",
        ),
    ]


def _seed_2025_proposal(national):
    """The 2025 proposal, made once, when the assemblies' 国保 campaign has its adoptions (demo.assemblies)."""
    existing = Meeting.objects.filter(council=national, number=PROPOSAL_NUMBER).first()
    if existing is not None:
        return existing
    if not AssemblyPetition.objects.filter(campaign__slug=KOKUHO_CAMPAIGN).exists() or not _has_caravans():
        return None
    return services.meeting_create(
        council=national,
        number=PROPOSAL_NUMBER,
        title="2025年度 国保改善運動の行動提起",
        date=PROPOSAL_DATE,
        theme="国保料（税）の引き下げと国庫負担の増額を",
        as_of=PROPOSAL_FIGURES_DATE,
        chapters=proposal_chapters(),
    )

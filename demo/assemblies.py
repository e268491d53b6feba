"""Demo data of the local assemblies: Kanagawa's petitions of December 2023, 渋谷区's 意見書, and two national counts.

From the seeds (written through municipalities.assemblies.services):
- seed 001 §1(2): 川崎市 rejected the 陳情 to keep the health insurance card (みらい・共産 for;
  自民・公明・維新 against); 大磯町's 陳情 by 湘央建設 and 神奈川土建, spoken to on 12月5日, split
  3 to 3 in committee and the chair decided 趣旨了承, so the members' 意見書 could not be proposed;
  平塚市's 請願 by the 平塚 local council, before the 環境厚生委員会 on 12月18日 (pending).
- 渋谷区's 意見書 on keeping the health insurance card (the seeds name 渋谷区 among those that went
  furthest on the card; the statement's wording is ours).
- seed 000 活動報告 7)(3): the 424 hospitals campaign adopted in 89 assemblies in the December
  sittings (北海道 49, 秋田 26 — all of Akita's 25 municipalities and its prefectural assembly),
  15 in March (鳥取 7, 徳島 6) and 6 in June. The seed names only counts: the municipalities are
  the first ones of each prefecture by code.
- seed 004 §1④: the 国保 national-subsidy campaign, 112 municipalities in 18 prefectures by the end
  of November 2025, with 111 意見書 (one adoption sent none). Municipalities chosen by code.

The campaigns are looked up by slug and created through `campaigns.services.campaign_create` when
missing (the campaigns demo, where it runs first, may already have made them). Idempotent: a petition is
created only when its assembly has none for the campaign and sitting.
"""

import datetime
import itertools

from django.db import transaction

from campaigns import services as campaign_services
from campaigns.models import Campaign
from councils import services as council_services
from councils.models import Council, CouncilKind, Organisation
from municipalities.assemblies import services
from municipalities.assemblies.models import Outcome, Season, Stage
from municipalities.assemblies.services import VoteLine
from municipalities.models import AssemblyPetition, Municipality, OpinionStatement, Prefecture

D = datetime.date
HOKENSHO, KOKUHO, HOSPITALS = "nakusuna-hokensho", "kokuho-ikensho", "424-byoin"
CAMPAIGNS = {
    HOKENSHO: ("なくすな保険証！現行の健康保険証を残す運動", "保険証運動", D(2023, 6, 1), None),
    KOKUHO: ("国民健康保険財政への国庫負担増額を求める自治体意見書採択運動", "国保意見書運動", D(2024, 6, 1), None),
    HOSPITALS: ("公立・公的424病院の「再検証」要請撤回を求める運動", "424病院", D(2019, 10, 1), D(2021, 3, 31)),
}
ADDRESSEES = "内閣総理大臣\n厚生労働大臣\n財務大臣\n衆議院議長\n参議院議長"

# The 424 campaign (seed 000): (sitting, prefecture code, municipalities, with the prefectural assembly).
HOSPITAL_ADOPTIONS = [
    ((2019, Season.DECEMBER), "01", 49, False),
    ((2019, Season.DECEMBER), "05", 25, True),  # 秋田26: every municipality and the prefectural assembly
    ((2019, Season.DECEMBER), "02", 5, False),
    ((2019, Season.DECEMBER), "03", 5, False),
    ((2019, Season.DECEMBER), "20", 4, False),
    ((2020, Season.MARCH), "31", 7, False),
    ((2020, Season.MARCH), "36", 6, False),
    ((2020, Season.MARCH), "22", 2, False),
    ((2020, Season.JUNE), "33", 3, False),
    ((2020, Season.JUNE), "37", 3, False),
]
# The 国保 campaign (seed 004): 18 prefectures, 112 municipalities.
KOKUHO_ADOPTIONS = {
    "01": 14, "02": 4, "03": 6, "04": 5, "07": 5, "08": 6, "10": 4, "11": 9, "13": 8,
    "14": 7, "20": 8, "22": 5, "26": 5, "27": 6, "28": 5, "33": 4, "40": 7, "43": 4,
}  # fmt: skip
KOKUHO_SITTINGS = [(2024, Season.SEPTEMBER), (2024, Season.DECEMBER), (2025, Season.MARCH), (2025, Season.JUNE)]
SITTING_DATES = {  # (first day, committee day, plenary day, last day) of a regular sitting
    Season.MARCH: (2, 20, 3, 10, 3, 20, 3, 22),
    Season.JUNE: (6, 1, 6, 12, 6, 20, 6, 24),
    Season.SEPTEMBER: (9, 1, 9, 15, 9, 25, 9, 30),
    Season.DECEMBER: (11, 28, 12, 10, 12, 18, 12, 20),
}


def _dates(year, season):
    m1, d1, m2, d2, m3, d3, m4, d4 = SITTING_DATES[season]
    return D(year, m1, d1), D(year, m2, d2), D(year, m3, d3), D(year, m4, d4)


def _campaigns(national):
    out = {}
    for slug, (name, short_name, starts_on, ends_on) in CAMPAIGNS.items():
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            campaign = campaign_services.campaign_create(
                lead_council=national, slug=slug, name=name, short_name=short_name, starts_on=starts_on, ends_on=ends_on
            )
        out[slug] = campaign
    return out


def _sitting(assembly, year, season, name=""):
    starts_on, _committee, _plenary, ends_on = _dates(year, season)
    return services.sitting_for(
        assembly=assembly, season=season, year=year, starts_on=starts_on, ends_on=ends_on, name=name
    )


def _exists(assembly, campaign, sitting):
    return AssemblyPetition.objects.filter(assembly=assembly, campaign=campaign, sitting=sitting).exists()


def _local(short_name):
    return Council.objects.filter(short_name=short_name).first()


def _organisation(short_name, name, *, home):
    found = Organisation.objects.filter(short_name=short_name).first() or Organisation.objects.filter(name=name).first()
    if found is not None or home is None:
        return found
    return council_services.organisation_create(
        name=name, short_name=short_name, level=Organisation.Level.LOCAL, home_council=home, prefecture=home.prefecture
    )


def _kanagawa(campaign):
    """川崎市, 大磯町 and 平塚市 in the December 2023 sittings (seed 001 §1(2))."""
    made = 0
    kanagawa = Council.objects.filter(kind=CouncilKind.PREFECTURAL, prefecture__code="14").first()

    kawasaki = services.assembly_of(municipality=Municipality.objects.get(code="141305"))
    sitting = _sitting(kawasaki, 2023, Season.DECEMBER, "令和5年第5回定例会")
    if not _exists(kawasaki, campaign, sitting):
        groups = {
            name: services.party_group_of(assembly=kawasaki, name=name)
            for name in ("みらい", "共産", "自民", "公明", "維新")
        }
        for name, party in (("みらい", "立憲"), ("共産", "共産"), ("自民", "自民"), ("公明", "公明"), ("維新", "維新")):
            groups[name].party = party
            groups[name].save()
        services.petition_save(
            user=None,
            petition=AssemblyPetition(
                assembly=kawasaki, sitting=sitting, campaign=campaign, kind=AssemblyPetition.Kind.CHINJO,
                title="現行の健康保険証を残すことを求める陳情", theme="保険証",
                submitted_by=_local("川崎社保協"), submitted_on=D(2023, 11, 20),
                committee="健康福祉委員会", committee_on=D(2023, 12, 8),
                committee_outcome=Outcome.REJECTED, plenary_on=D(2023, 12, 20), plenary_outcome=Outcome.REJECTED,
            ),
            votes={
                Stage.COMMITTEE: [
                    VoteLine(groups["みらい"], "for"), VoteLine(groups["共産"], "for"),
                    VoteLine(groups["自民"], "against"), VoteLine(groups["公明"], "against"),
                    VoteLine(groups["維新"], "against"),
                ]
            },
        )  # fmt: skip
        made += 1

    oiso = services.assembly_of(municipality=Municipality.objects.get(code="143413"))
    sitting = _sitting(oiso, 2023, Season.DECEMBER, "令和5年12月定例会")
    if not _exists(oiso, campaign, sitting):
        home = _local("平塚地域社保協") or kanagawa
        organisations = [
            o
            for o in (
                _organisation("湘央建設", "湘央建設組合", home=home),
                _organisation("神奈川土建", "神奈川土建一般労働組合", home=home),
            )
            if o is not None
        ]
        petition = services.petition_save(
            user=None,
            petition=AssemblyPetition(
                assembly=oiso, sitting=sitting, campaign=campaign, kind=AssemblyPetition.Kind.CHINJO,
                title="健康保険証の存続を求める意見書の提出を求める陳情", theme="保険証",
                submitted_on=D(2023, 11, 24), committee="総務福祉常任委員会", committee_on=D(2023, 12, 5),
                statement_made=True, committee_outcome=Outcome.NOTED_IN_SPIRIT,
                committee_for=3, committee_against=3, committee_chair_decided=True,
                note="委員会の議決が3対3となり、委員長決裁で趣旨了承。",
            ),
            organisations=organisations,
        )  # fmt: skip
        services.opinion_statement_save(
            user=None,
            statement=OpinionStatement(
                assembly=oiso, petition=petition, title="健康保険証の存続を求める意見書（議員提出の予定）",
                addressees=ADDRESSEES, status=OpinionStatement.Status.NOT_PROPOSED,
                note="本会議で議員が提出する予定だったが、委員会が趣旨了承となったため提出できなくなった。",
            ),
        )  # fmt: skip
        made += 1

    hiratsuka = services.assembly_of(municipality=Municipality.objects.get(code="142034"))
    sitting = _sitting(hiratsuka, 2023, Season.DECEMBER, "令和5年12月定例会")
    if not _exists(hiratsuka, campaign, sitting):
        services.petition_save(
            user=None,
            petition=AssemblyPetition(
                assembly=hiratsuka, sitting=sitting, campaign=campaign, kind=AssemblyPetition.Kind.SEIGAN,
                title="現行の健康保険証の存続を求める請願", theme="保険証", submitted_by=_local("平塚地域社保協"),
                introducing_members="紹介議員（会派の議員2名）", submitted_on=D(2023, 11, 27),
                committee="環境厚生常任委員会", committee_on=D(2023, 12, 18),
            ),
        )  # fmt: skip
        made += 1
    return made


def _shibuya(campaign):
    """渋谷区's 意見書 on keeping the health insurance card: a members' motion, adopted and sent."""
    shibuya = services.assembly_of(municipality=Municipality.objects.get(code="131130"))
    sitting = _sitting(shibuya, 2023, Season.SEPTEMBER, "令和5年第3回定例会")
    if _exists(shibuya, campaign, sitting):
        return 0
    petition = services.petition_save(
        user=None,
        petition=AssemblyPetition(
            assembly=shibuya, sitting=sitting, campaign=campaign, kind=AssemblyPetition.Kind.MEMBERS,
            title="健康保険証の存続を求める意見書（議員提出議案）", theme="保険証",
            introducing_members="区議会議員有志",
            submitted_on=D(2023, 9, 1), plenary_on=D(2023, 9, 25), plenary_outcome=Outcome.ADOPTED,
        ),
    )  # fmt: skip
    services.opinion_statement_save(
        user=None,
        statement=OpinionStatement(
            assembly=shibuya, petition=petition, title="健康保険証の存続を求める意見書", addressees=ADDRESSEES,
            status=OpinionStatement.Status.ADOPTED, adopted_on=D(2023, 9, 25),
            text="マイナンバーカードと健康保険証の一体化にあたり、現行の健康保険証を存続させるよう強く求める。",
        ),
    )  # fmt: skip
    return 1


def _first_municipalities(code, n, on):
    return list(
        Municipality.objects.filter(Municipality.valid_on(on), prefecture__code=code)
        .exclude(kind=Municipality.Kind.WARD)
        .order_by("code")[:n]
    )


def _adopt(*, assembly, campaign, year, season, title, statement_title=None, kind=AssemblyPetition.Kind.CHINJO):
    sitting = _sitting(assembly, year, season)
    if _exists(assembly, campaign, sitting):
        return 0
    starts_on, committee_on, plenary_on, _ends_on = _dates(year, season)
    petition = services.petition_save(
        user=None,
        petition=AssemblyPetition(
            assembly=assembly, sitting=sitting, campaign=campaign, kind=kind, title=title,
            submitted_on=starts_on - datetime.timedelta(days=10), committee_on=committee_on,
            committee_outcome=Outcome.ADOPTED, plenary_on=plenary_on, plenary_outcome=Outcome.ADOPTED,
        ),
    )  # fmt: skip
    if statement_title:
        services.opinion_statement_save(
            user=None,
            statement=OpinionStatement(
                assembly=assembly, petition=petition, title=statement_title, addressees=ADDRESSEES,
                status=OpinionStatement.Status.ADOPTED, adopted_on=plenary_on,
            ),
        )  # fmt: skip
    return 1


def _hospitals(campaign):
    made = 0
    used = set()
    for (year, season), code, n, prefectural in HOSPITAL_ADOPTIONS:
        on = _dates(year, season)[0]
        chosen = [m for m in _first_municipalities(code, n + len(used), on) if m.pk not in used][:n]
        used.update(m.pk for m in chosen)
        assemblies = [services.assembly_of(municipality=m) for m in chosen]
        if prefectural:
            assemblies.append(services.assembly_of(prefecture=Prefecture.objects.get(code=code)))
        for assembly in assemblies:
            made += _adopt(
                assembly=assembly, campaign=campaign, year=year, season=season,
                title="公立・公的病院の再編統合の再検証要請の撤回を求める陳情",
                statement_title="地域医療を守るため公立・公的病院の再検証要請の撤回を求める意見書",
            )  # fmt: skip
    return made


def _kokuho(campaign):
    made = 0
    sittings = itertools.cycle(KOKUHO_SITTINGS)
    for index, (code, n) in enumerate(sorted(KOKUHO_ADOPTIONS.items())):
        for position, municipality in enumerate(_first_municipalities(code, n, D(2024, 6, 1))):
            year, season = next(sittings)
            # One adoption (the very first) sent no 意見書: 112 municipalities, 111 statements.
            no_statement = index == 0 and position == 0
            made += _adopt(
                assembly=services.assembly_of(municipality=municipality), campaign=campaign, year=year,
                season=season, title="国民健康保険への国庫負担の増額を求める意見書の提出を求める陳情",
                statement_title=None if no_statement else "国民健康保険財政への国庫負担の増額を求める意見書",
                kind=AssemblyPetition.Kind.SEIGAN if position % 3 == 1 else AssemblyPetition.Kind.CHINJO,
            )  # fmt: skip
    return made


@transaction.atomic
def seed(*, stdout):
    national = Council.objects.filter(kind=CouncilKind.NATIONAL).first()
    if national is None:
        stdout.write("assemblies: 中央社保協がないため議会のデモを作成しません（社保協のデモを先に）。")
        return None
    campaigns = _campaigns(national)
    made = _kanagawa(campaigns[HOKENSHO]) + _shibuya(campaigns[HOKENSHO])
    made += _hospitals(campaigns[HOSPITALS]) + _kokuho(campaigns[KOKUHO])
    stdout.write(f"assemblies: 議会への陳情・請願 {AssemblyPetition.objects.count()}件（今回作成 {made}件）")
    return campaigns

"""A small federation with a meeting, its chapters and a petition: real rows, real selectors."""

import datetime

from councils.models import CouncilKind
from municipalities.models import Municipality
from petitions.models import CollectionRound
from reports.models import Chapter, Meeting
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory, goal, record

D = datetime.date
KANAGAWA, TOKYO = "14", "13"
MEETING_DAY = D(2020, 9, 2)
FIGURES_DAY = D(2020, 9, 1)


def federation():
    """National, Kanagawa and Tokyo with local councils; on 2020-09-01: 2 prefectural, 3 local, 1 preparatory.

    One local council was founded in the year before, so the census changes by +1.
    """
    national = national_council()
    kanagawa = prefectural_council(KANAGAWA)
    tokyo = prefectural_council(TOKYO)
    yokohama = local_council(
        KANAGAWA,
        name="横浜市社保協",
        founded_on=D(2001, 4, 1),
        municipalities=[Municipality.objects.get(code="141003")],
    )
    local_council(
        KANAGAWA,
        name="川崎市社保協",
        founded_on=D(2020, 1, 20),
        municipalities=[Municipality.objects.get(code="141305")],
    )
    shibuya = local_council(
        TOKYO, name="渋谷社保協", founded_on=D(2005, 6, 1), municipalities=[Municipality.objects.get(code="131130")]
    )
    local_council(TOKYO, name="板橋準備会", kind=CouncilKind.PREPARATORY, founded_on=D(2010, 6, 1))
    return {"national": national, "kanagawa": kanagawa, "tokyo": tokyo, "yokohama": yokohama, "shibuya": shibuya}


def petition_25jo(councils):
    petition = PetitionDriveFactory(
        title="社会保障拡充・財源確保を求める署名",
        short_name="25条署名",
        slug="25jo",
        organiser=councils["national"],
        starts_on=D(2019, 9, 1),
        ends_on=D(2021, 6, 30),
    )
    CollectionRound.objects.create(petition=petition, number=1, name="第1次集約", deadline=D(2020, 2, 29))
    CollectionRound.objects.create(petition=petition, number=2, name="最終集約", deadline=D(2020, 12, 31))
    goal(petition, councils["national"], 100_000)
    goal(petition, councils["kanagawa"], 20_000)
    goal(petition, councils["tokyo"], 30_000)
    clerk = staff_of(councils["national"], role="national_staff")
    record(clerk, petition, councils["yokohama"], 12_345, collected_on=D(2020, 1, 15))
    record(clerk, petition, councils["shibuya"], 5_000, collected_on=D(2020, 7, 1))
    record(clerk, petition, councils["kanagawa"], 655, collected_on=D(2020, 8, 1))
    return petition


CHAPTERS = [
    ("はじめに", "コロナ危機のもとで、社会保障の拡充を求める声が広がりました。\n\n憲法25条にもとづく運動を進めます。"),
    (
        "活動報告",
        "## 組織の現勢\n\n社保協の総数は {{ census.total }}（前年比 {{ census.change }}）、"
        "地域社保協は {{ census.local }} です。\n\n"
        "- 地域社保協のある市区町村: {{ coverage.covered }} / {{ coverage.total }}（{{ coverage.percent }}%）\n"
        "- 25条署名の累計: {{ petition.to_date petition=25jo }}筆（目標の {{ petition.percent petition=25jo }}%）\n",
    ),
]


def meeting(councils, *, chapters=CHAPTERS, petitions=()):
    m = Meeting.objects.create(
        council=councils["national"],
        number=64,
        title="2020年度第64回全国総会方針案",
        date=MEETING_DAY,
        venue="日本医療労働会館（Web会議）",
        theme="人権としての社会保障制度の運動推進を",
        as_of=FIGURES_DAY,
    )
    for order, (title, body) in enumerate(chapters, start=1):
        Chapter.objects.create(meeting=m, order=order, title=title, body=body)
    m.petitions.set(petitions)
    return m

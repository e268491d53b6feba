"""Demo federation: a believable set of councils drawn from the seed documents, for trying the system out.

Every row is written through councils.services (paths, sort keys and stage history as in production).

`seed(stdout=...)` is idempotent: every row is looked up by its natural key (a council by name, kind
and prefecture; an organisation by name and prefecture; a membership by organisation, council and
date; an officer by council, role and name; an account by username) and created only when missing,
so a second run creates nothing and changes nothing (not even history rows).

What comes from the seeds and what is invented:
- The census on 2020-09-01 is the 2020 policy draft's (seed 000): 47 prefectural, 374 local,
  27 preparatory, 18 friendly, 466 in all, one more than on 2019-09-01 ("準備会が1増").
- Local councils the seeds name (Kanagawa: 横浜・川崎・相模原・平塚地域・茅ヶ崎; Tokyo: 渋谷・板橋・
  西東京; the six Nagano regions; the Oita committee being prepared in 2020) cover their real
  municipalities. The others are generated, each named after a real municipality of its
  prefecture, spread over the prefectures in proportion to their number of municipalities.
- Member organisations are the kinds the seeds list, under their usual names.
- All founding dates, the friendly organisations, officers' names and the accounts are invented
  demo values, not historical facts.
"""

import datetime
import os
import secrets
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction

from councils import services
from councils.models import Council, CouncilKind, Officer, Organisation, Role, User
from councils.selectors import council_census
from municipalities.models import Municipality, Prefecture

D = datetime.date
LOCAL, PREPARATORY, FRIENDLY = CouncilKind.LOCAL, CouncilKind.PREPARATORY, CouncilKind.FRIENDLY

# The seed's census: on this date the generated federation must count exactly these.
CENSUS_DATE = D(2020, 9, 1)
CENSUS_TARGETS = {LOCAL: 374, PREPARATORY: 27, FRIENDLY: 18}
PASSWORD_ENV = "SHAHO_DEMO_PASSWORD"
# Typed as it must be in a fresh shell in the project's folder (the virtualenv is not activated by make run).
RESET_COMMAND = ".venv/bin/python manage.py seed_demo --reset-passwords"

NATIONAL_NAME = "中央社会保障推進協議会"
NATIONAL_FOUNDED = D(1958, 8, 1)  # demo value
DEMO_NOTE = "デモデータ（日付は架空）"


class DemoDataError(Exception):
    """The demo cannot be built (usually: the registry of municipalities is not loaded)."""


@dataclass
class CouncilSpec:
    """A council to have: `kind` is its kind today; `stages` its earlier kinds, oldest first."""

    name: str
    short_name: str
    kind: str
    prefecture: Prefecture | None
    founded_on: datetime.date | None
    municipalities: list = field(default_factory=list)
    dissolved_on: datetime.date | None = None
    status: str = Council.Status.ACTIVE
    stages: list = field(default_factory=list)  # [(since, kind, note)], the first one at founded_on
    note: str = DEMO_NOTE

    def kind_on(self, date):
        """The kind this council will have on `date`, or None when it does not exist then."""
        if (self.founded_on and self.founded_on > date) or (self.dissolved_on and self.dissolved_on <= date):
            return None
        kind = self.stages[0][1] if self.stages else self.kind
        for since, stage_kind, _ in self.stages:
            if since <= date:
                kind = stage_kind
        return kind


# --- The registry as the demo needs it ----------------------------------------------------------


class Registry:
    """Prefectures and today's municipalities, loaded once; lookups by name happen in memory."""

    KIND_RANK = {
        Municipality.Kind.DESIGNATED_CITY: 0,
        Municipality.Kind.CITY: 1,
        Municipality.Kind.SPECIAL_WARD: 1,
        Municipality.Kind.TOWN: 2,
        Municipality.Kind.VILLAGE: 3,
    }

    def __init__(self):
        self.prefectures = list(Prefecture.objects.order_by("code"))
        if len(self.prefectures) != 47:
            raise DemoDataError(
                "都道府県と市区町村が登録されていません。"
                "先に `python manage.py load_municipalities` を実行してください。"
            )
        self.by_code = {p.code: p for p in self.prefectures}
        self.by_pk = {p.pk: p for p in self.prefectures}
        municipalities = list(
            Municipality.objects.filter(valid_until__isnull=True).select_related("parent").order_by("code")
        )
        self.by_prefecture = {p.pk: [] for p in self.prefectures}
        for m in municipalities:
            self.by_prefecture[m.prefecture_id].append(m)

    def prefecture(self, code):
        return self.by_code[code]

    def municipality(self, code, name):
        """The municipality or ward called `name` in prefecture `code` ('渋谷区', '横浜市', '横浜市鶴見区')."""
        pref = self.by_code[code]
        for m in self.by_prefecture[pref.pk]:
            if m.name == name or (m.parent_id and m.parent.name + m.name == name):
                return m
        raise DemoDataError(f"{pref.name}の「{name}」が市区町村の登録にありません。")

    def county(self, code, county):
        """Towns and villages of a county (郡) of prefecture `code`."""
        wanted = county.removesuffix("郡")
        return [
            m
            for m in self.by_prefecture[self.by_code[code].pk]
            if m.county and m.county.removesuffix("郡") == wanted and m.kind != Municipality.Kind.WARD
        ]

    def counted(self, pref):
        """Municipalities counted in the coverage of `pref` (wards are not)."""
        return [m for m in self.by_prefecture[pref.pk] if m.kind != Municipality.Kind.WARD]

    def rank(self, m):
        return (self.KIND_RANK.get(m.kind, 9), -(m.population or 0), m.code)


# --- What the federation looks like ---------------------------------------------------------------


def prefecture_stem(pref):
    """'東京都' → '東京', '大阪府' → '大阪', '神奈川県' → '神奈川', '北海道' stays."""
    return pref.name if pref.name == "北海道" else pref.name[:-1]


def prefectural_short_name(pref):
    # The seeds write 東京社保協, 北海道社保協, 神奈川県社保協, 愛知県社保協.
    return f"{pref.name}社保協" if pref.name.endswith("県") else f"{prefecture_stem(pref)}社保協"


def spread_date(index, start, end, step=7919):
    """A deterministic date in [start, end], scattered by index: no randomness, same result every run."""
    span = (end - start).days + 1
    return start + datetime.timedelta(days=(index * step + 1361) % span)


def local_spec(registry, code, stem, names, founded_on, *, counties=(), kind=LOCAL, **kwargs):
    pref = registry.prefecture(code)
    municipalities = [registry.municipality(code, n) for n in names]
    for county in counties:
        municipalities += registry.county(code, county)
    suffix = "準備会" if kind == PREPARATORY else ""
    return CouncilSpec(
        name=f"{stem}社会保障推進協議会{suffix}",
        short_name=f"{stem}社保協{suffix}",
        kind=kind,
        prefecture=pref,
        founded_on=founded_on,
        municipalities=municipalities,
        **kwargs,
    )


def named_local_councils(registry):
    """The local councils and committees the seeds name, with their real municipalities."""
    specs = [
        # Kanagawa (seeds 001, 003)
        local_spec(registry, "14", "横浜", ["横浜市"], D(1966, 5, 15)),
        local_spec(registry, "14", "川崎", ["川崎市"], D(1968, 9, 1)),
        local_spec(registry, "14", "相模原", ["相模原市"], D(1978, 6, 1)),
        local_spec(registry, "14", "平塚地域", ["平塚市"], D(1985, 4, 1)),
        local_spec(registry, "14", "茅ヶ崎", ["茅ヶ崎市"], D(1988, 11, 1)),
        # Tokyo (seed 002): 渋谷 held its 33rd general meeting in 2024.
        local_spec(registry, "13", "渋谷", ["渋谷区"], D(1991, 8, 1)),
        local_spec(registry, "13", "板橋", ["板橋区"], D(1980, 10, 1)),
        local_spec(registry, "13", "西東京", ["西東京市"], D(2001, 6, 1)),  # the city dates from 2001
        # Nagano (seed 000: six regional councils): a region is a group of cities, towns and villages.
        local_spec(registry, "20", "長野地域", ["長野市", "須坂市", "千曲市"], D(1993, 6, 1),
                   counties=["上高井郡", "上水内郡", "埴科郡"]),
        local_spec(registry, "20", "松本地域", ["松本市", "塩尻市", "安曇野市"], D(1994, 4, 1), counties=["東筑摩郡"]),
        local_spec(registry, "20", "諏訪地域", ["岡谷市", "諏訪市", "茅野市"], D(1996, 9, 1), counties=["諏訪郡"]),
        local_spec(registry, "20", "上伊那地域", ["伊那市", "駒ヶ根市"], D(1997, 5, 1), counties=["上伊那郡"]),
        local_spec(registry, "20", "飯伊地域", ["飯田市"], D(1999, 10, 1), counties=["下伊那郡"]),
        local_spec(registry, "20", "佐久地域", ["佐久市", "小諸市"], D(2002, 4, 1), counties=["北佐久郡", "南佐久郡"]),
        # Oita (seed 000): a local council being prepared in 2020; formed in 2022 (demo date).
        local_spec(
            registry, "44", "大分市", ["大分市"], D(2020, 6, 20),
            stages=[(D(2020, 6, 20), PREPARATORY, "準備会として発足"), (D(2022, 5, 15), LOCAL, "結成総会")],
        ),
    ]  # fmt: skip
    return specs


def proportional_order(registry, named):
    """Municipalities not covered by `named`, in the order generated councils take them.

    Each prefecture's candidates (cities before towns, larger first) get the key
    (already covered + i + 0.5) / municipalities, and sorting on it hands out councils in proportion
    to the number of municipalities (Webster's method), so that any prefix of the list is spread fairly.
    """
    covered = {(m.parent if m.parent_id else m).pk: m.prefecture_id for spec in named for m in spec.municipalities}
    taken = {}
    for pref_id in covered.values():
        taken[pref_id] = taken.get(pref_id, 0) + 1
    keyed = []
    for pref in registry.prefectures:
        counted = registry.counted(pref)
        candidates = sorted((m for m in counted if m.pk not in covered), key=registry.rank)
        for i, m in enumerate(candidates):
            keyed.append(((taken.get(pref.pk, 0) + i + 0.5) / len(counted), pref.code, i, m))
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed]


def generated_local_councils(registry, named):
    """Local councils and committees after real municipalities, as many as the 2020 census needs.

    Besides the plain ones it writes the changes the census must show. From 2019-09-01 to
    2020-09-01: a local council dissolved, a committee became a local council and two committees
    were founded (one of them Oita's, in `named`): locals stay at 374, committees go from 26 to 27.
    After 2020 more councils come and go, so that a census for today differs.
    """
    dissolved = Council.Status.DISSOLVED
    events = [
        CouncilSpec("", "", LOCAL, None, D(1998, 4, 1), dissolved_on=D(2020, 3, 31), status=dissolved),
        CouncilSpec(
            "", "", LOCAL, None, D(2016, 10, 1),
            stages=[(D(2016, 10, 1), PREPARATORY, "準備会として発足"), (D(2020, 4, 1), LOCAL, "結成総会")],
        ),
        CouncilSpec("", "", PREPARATORY, None, D(2020, 2, 15)),
        CouncilSpec("", "", LOCAL, None, D(2021, 4, 1)),
        CouncilSpec("", "", LOCAL, None, D(2022, 10, 1)),
        CouncilSpec("", "", LOCAL, None, D(2023, 6, 1)),
        CouncilSpec("", "", LOCAL, None, D(2024, 9, 1)),
        CouncilSpec("", "", LOCAL, None, D(2026, 4, 1)),
        CouncilSpec("", "", PREPARATORY, None, D(2023, 3, 1)),
        CouncilSpec("", "", PREPARATORY, None, D(2025, 2, 1)),
        CouncilSpec(
            "", "", LOCAL, None, D(2021, 7, 1),
            stages=[(D(2021, 7, 1), PREPARATORY, "準備会として発足"), (D(2024, 6, 1), LOCAL, "結成総会")],
        ),
        # Formed and gone long before the census.
        CouncilSpec("", "", LOCAL, None, D(1985, 4, 1), dissolved_on=D(2012, 3, 31), status=dissolved),
    ]  # fmt: skip

    def on_census_day(kind):
        return sum(1 for s in [*named, *events] if s.kind_on(CENSUS_DATE) == kind)

    plain_locals = CENSUS_TARGETS[LOCAL] - on_census_day(LOCAL)
    plain_committees = CENSUS_TARGETS[PREPARATORY] - on_census_day(PREPARATORY)
    local_start, local_end = D(1966, 1, 1), D(2019, 8, 31)
    committee_start = D(2008, 1, 1)
    plain = []
    for i in range(plain_locals):
        # Some councils' founding dates are unknown: they count from the beginning.
        founded = None if i % 23 == 11 else spread_date(i, local_start, local_end)
        spec = CouncilSpec("", "", LOCAL, None, founded)
        if i == 60:
            spec.dissolved_on, spec.status = D(2024, 3, 31), dissolved
        elif i % 50 == 7:
            spec.status = Council.Status.DORMANT  # 休止中 still counts in the census
        plain.append(spec)
    plain += [
        CouncilSpec("", "", PREPARATORY, None, spread_date(i, committee_start, local_end, step=397))
        for i in range(plain_committees)
    ]
    specs = plain + events
    order = proportional_order(registry, named)
    if len(order) < len(specs):
        raise DemoDataError(f"市区町村が足りません（{len(order)}、必要 {len(specs)}）。")
    for spec, m in zip(specs, order, strict=False):
        suffix = "準備会" if spec.kind == PREPARATORY else ""
        spec.name = f"{m.name}社会保障推進協議会{suffix}"
        spec.short_name = f"{m.name}社保協{suffix}"
        spec.prefecture = registry.by_pk[m.prefecture_id]
        spec.municipalities = [m]
    return specs


FRIENDLY_PATTERNS = ["{}医療福祉連絡会", "{}いのちとくらしを守る会", "{}社会保障を考える会"]


def friendly_organisations(registry):
    """18 friendly organisations on the census day and one founded later: invented, generic names."""
    specs = []
    codes = [registry.prefectures[(i * 47) // 19 + 1].code for i in range(19)]
    for i, code in enumerate(codes):
        pref = registry.prefecture(code)
        name = FRIENDLY_PATTERNS[i % len(FRIENDLY_PATTERNS)].format(prefecture_stem(pref))
        founded = D(2022, 7, 1) if i == 18 else spread_date(i, D(1975, 1, 1), D(2015, 12, 31))
        specs.append(CouncilSpec(name, name, FRIENDLY, pref, founded, note="デモデータ（架空の団体。日付も架空）"))
    return specs


# --- Member organisations, officers, accounts ----------------------------------------------------

C = Organisation.Category
# (name, short name, category, parent's name or None)
NATIONAL_ORGANISATIONS = [
    ("全国労働組合総連合", "全労連", C.UNION, None),
    ("全国保険医団体連合会", "保団連", C.MEDICAL, None),
    ("全日本民主医療機関連合会", "全日本民医連", C.MEDICAL, None),
    ("日本医療労働組合連合会", "日本医労連", C.UNION, None),
    ("全日本年金者組合", "年金者組合", C.PENSIONERS, None),
    ("全国建設労働組合総連合", "全建総連", C.UNION, None),
    ("新日本婦人の会", "新婦人", C.WOMEN, None),
    ("日本自治体労働組合総連合", "自治労連", C.UNION, None),
    ("全国福祉保育労働組合", "福祉保育労", C.WELFARE, None),
    ("日本国家公務員労働組合連合会", "国公労連", C.UNION, None),
    ("全国生活と健康を守る会連合会", "全生連", C.LIVELIHOOD, None),
    ("全国商工団体連合会", "全商連", C.BUSINESS, None),
]
# Prefectural branches, the names and short names the Kanagawa and Tokyo seeds use.
PREFECTURAL_ORGANISATIONS = {
    "14": [
        ("神奈川県保険医協会", "保険医協会", C.MEDICAL, "全国保険医団体連合会"),
        ("神奈川県民主医療機関連合会", "神奈川民医連", C.MEDICAL, "全日本民主医療機関連合会"),
        ("神奈川県医療労働組合連合会", "医労連", C.UNION, "日本医療労働組合連合会"),
        ("全日本年金者組合神奈川県本部", "年金者組合", C.PENSIONERS, "全日本年金者組合"),
        ("神奈川県建設労働組合連合会", "建設労連", C.UNION, "全国建設労働組合総連合"),
        ("神奈川土建一般労働組合", "神奈川土建", C.UNION, "神奈川県建設労働組合連合会"),
        ("新日本婦人の会神奈川県本部", "新婦人", C.WOMEN, "新日本婦人の会"),
        ("神奈川自治体労働組合総連合", "自治労連", C.UNION, "日本自治体労働組合総連合"),
        ("福祉保育労神奈川地方本部", "福保労", C.WELFARE, "全国福祉保育労働組合"),
        ("国公労連神奈川", "国公労連", C.UNION, "日本国家公務員労働組合連合会"),
        ("神奈川県労働組合総連合", "神奈川労連", C.UNION, "全国労働組合総連合"),
        ("神奈川県商工団体連合会", "神商連", C.BUSINESS, "全国商工団体連合会"),
        ("神奈川県生活と健康を守る会", "生健会", C.LIVELIHOOD, "全国生活と健康を守る会連合会"),
    ],
    "13": [
        ("東京保険医協会", "保険医協会", C.MEDICAL, "全国保険医団体連合会"),
        ("東京民主医療機関連合会", "東京民医連", C.MEDICAL, "全日本民主医療機関連合会"),
        ("東京医療労働組合連合会", "東京医労連", C.UNION, "日本医療労働組合連合会"),
        ("全日本年金者組合東京都本部", "年金者組合", C.PENSIONERS, "全日本年金者組合"),
        ("東京土建一般労働組合", "東京土建", C.UNION, "全国建設労働組合総連合"),
        ("新日本婦人の会東京都本部", "新婦人", C.WOMEN, "新日本婦人の会"),
        ("東京自治体労働組合総連合", "東京自治労連", C.UNION, "日本自治体労働組合総連合"),
        ("東京地方労働組合評議会", "東京地評", C.UNION, "全国労働組合総連合"),
    ],
}
# Local-level organisations: (prefecture code, name, short name, category, parent's name, local council stem)
LOCAL_ORGANISATIONS = [
    ("14", "湘南建設組合", "湘南建設", C.UNION, "神奈川県建設労働組合連合会", "茅ヶ崎"),
    ("14", "年金者組合平塚支部", "年金者組合", C.PENSIONERS, "全日本年金者組合神奈川県本部", "平塚地域"),
    ("13", "東京土建渋谷支部", "東京土建", C.UNION, "東京土建一般労働組合", "渋谷"),
    ("13", "東京土建板橋支部", "東京土建", C.UNION, "東京土建一般労働組合", "板橋"),
    ("13", "年金者組合西東京支部", "年金者組合", C.PENSIONERS, "全日本年金者組合東京都本部", "西東京"),
]
# Prefectural organisations that also joined a local council: (prefecture code, name, local council stem)
LOCAL_MEMBERSHIPS = [
    ("14", "神奈川県保険医協会", "川崎"),
    ("14", "神奈川県民主医療機関連合会", "横浜"),
    ("14", "神奈川県医療労働組合連合会", "相模原"),
    ("14", "神奈川土建一般労働組合", "平塚地域"),
    ("13", "東京民主医療機関連合会", "渋谷"),
]

R = Officer.Role
# Invented, neutral names: no real person from the seeds.
OFFICERS = {
    None: [
        (R.REPRESENTATIVE, "山田 太郎", "全国労働組合総連合"),
        (R.REPRESENTATIVE, "鈴木 花子", "全国保険医団体連合会"),
        (R.REPRESENTATIVE, "高橋 一郎", "全日本民主医療機関連合会"),
        (R.SECRETARY_GENERAL, "伊藤 誠", None),
        (R.DEPUTY_SECRETARY, "渡辺 恵子", None),
    ],
    "14": [
        (R.REPRESENTATIVE, "小林 健一", "神奈川県保険医協会"),
        (R.REPRESENTATIVE, "加藤 和子", "全日本年金者組合神奈川県本部"),
        (R.VICE_PRESIDENT, "吉田 進", "神奈川県建設労働組合連合会"),
        (R.SECRETARY_GENERAL, "松本 修", None),
        (R.DEPUTY_SECRETARY, "井上 洋子", None),
    ],
    "13": [
        (R.PRESIDENT, "木村 正", "東京土建一般労働組合"),
        (R.VICE_PRESIDENT, "林 幸子", "新日本婦人の会東京都本部"),
        (R.SECRETARY_GENERAL, "清水 浩", None),
        (R.DEPUTY_SECRETARY, "山口 美穂", None),
    ],
}
OFFICER_TERM_START = D(2025, 9, 1)  # current officers: their term has no end yet

# (username, role, council: None = national, code = that prefecture's council, "14:川崎" = a local council)
ACCOUNTS = [
    ("admin", None, None, "システム管理者"),
    ("chuo", Role.NATIONAL_STAFF, None, "中央事務局（デモ）"),
    ("kanagawa", Role.COUNCIL_STAFF, "14", "神奈川県社保協事務局（デモ）"),
    ("organizer", Role.ORGANIZER, "14:川崎", "川崎社保協 集約担当（デモ）"),
    ("member", Role.MEMBER, "14", "神奈川県社保協 会員（デモ）"),
]


def display_width(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text, width):
    return text + " " * (width - display_width(text))


# --- Writing --------------------------------------------------------------------------------------


class Seeder:
    def __init__(self, stdout):
        self.stdout = stdout
        self.created = {}
        # username → password made (or reset) in this run, so the last block of `make run` can show them again.
        self.passwords = {}

    def say(self, line=""):
        self.stdout.write(f"{line}\n")

    def count(self, what, created):
        new, old = self.created.get(what, (0, 0))
        self.created[what] = (new + 1, old) if created else (new, old + 1)

    # Councils

    def council(self, spec, parent, existing):
        key = (spec.name, spec.kind, spec.prefecture.pk if spec.prefecture else None)
        council = existing.get(key)
        if council is not None:
            self.count("社保協", False)
            return council
        first_kind = spec.stages[0][1] if spec.stages else spec.kind
        # Born as its first kind, at its founding date; later stages are recorded as they happened.
        council = services.council_create(
            name=spec.name,
            short_name=spec.short_name,
            kind=first_kind,
            parent=parent,
            prefecture=spec.prefecture,
            founded_on=spec.founded_on,
            dissolved_on=spec.dissolved_on,
            status=spec.status,
            note=spec.note,
            municipalities=spec.municipalities,
        )
        for since, kind, note in spec.stages[1:]:
            services.council_change_kind(council=council, kind=kind, since=since, note=note)
        existing[key] = council
        self.count("社保協", True)
        return council

    def councils(self, registry):
        existing = {(c.name, c.kind, c.prefecture_id): c for c in Council.objects.all()}
        national = self.council(
            CouncilSpec(NATIONAL_NAME, "中央社保協", CouncilKind.NATIONAL, None, NATIONAL_FOUNDED), None, existing
        )
        prefectural = {}
        for i, pref in enumerate(registry.prefectures):
            spec = CouncilSpec(
                f"{pref.name}社会保障推進協議会",
                prefectural_short_name(pref),
                CouncilKind.PREFECTURAL,
                pref,
                spread_date(i, D(1958, 10, 1), D(1965, 12, 31), step=331),  # before any local council
            )
            prefectural[pref.code] = self.council(spec, national, existing)
        named = named_local_councils(registry)
        locals_by_stem = {}
        for spec in named + generated_local_councils(registry, named):
            council = self.council(spec, prefectural[spec.prefecture.code], existing)
            locals_by_stem[(spec.prefecture.code, spec.short_name.removesuffix("社保協"))] = council
        for spec in friendly_organisations(registry):
            self.council(spec, national, existing)
        return national, prefectural, locals_by_stem

    # Organisations, memberships, officers

    def organisation(self, existing, name, short_name, level, category, parent, prefecture, home):
        key = (name, prefecture.pk if prefecture else None)
        organisation = existing.get(key)
        if organisation is None:
            organisation = services.organisation_create(
                name=name,
                short_name=short_name,
                level=level,
                category=category,
                parent=parent,
                prefecture=prefecture,
                home_council=home,
                note=DEMO_NOTE,
            )
            existing[key] = organisation
        return organisation

    def membership(self, organisation, council, since, until=None):
        _, created = services.membership_add(organisation=organisation, council=council, since=since, until=until)
        self.count("加盟", created)

    def organisations(self, registry, national, prefectural, locals_by_stem):
        existing = {(o.name, o.prefecture_id): o for o in Organisation.objects.all()}
        before = len(existing)
        by_name = {}
        Level = Organisation.Level
        for i, (name, short, category, _) in enumerate(NATIONAL_ORGANISATIONS):
            org = self.organisation(existing, name, short, Level.NATIONAL, category, None, None, national)
            by_name[name] = org
            self.membership(org, national, spread_date(i, D(1990, 4, 1), D(1999, 3, 31), step=53))
        for code, rows in PREFECTURAL_ORGANISATIONS.items():
            pref, council = registry.prefecture(code), prefectural[code]
            for i, (name, short, category, parent) in enumerate(rows):
                org = self.organisation(
                    existing, name, short, Level.PREFECTURAL, category, by_name[parent], pref, council
                )
                by_name[name] = org
                self.membership(org, council, spread_date(i, D(1990, 4, 1), D(2005, 3, 31), step=97))
        for code, name, short, category, parent, stem in LOCAL_ORGANISATIONS:
            council = locals_by_stem[(code, stem)]
            org = self.organisation(
                existing, name, short, Level.LOCAL, category, by_name[parent], registry.prefecture(code), council
            )
            by_name[name] = org
            if name == "年金者組合平塚支部":  # left for a while and came back: two periods
                self.membership(org, council, D(2005, 4, 1), until=D(2012, 3, 31))
                self.membership(org, council, D(2016, 4, 1))
            else:
                self.membership(org, council, max(council.founded_on or D(1990, 4, 1), D(1990, 4, 1)))
        for code, name, stem in LOCAL_MEMBERSHIPS:
            council = locals_by_stem[(code, stem)]
            self.membership(by_name[name], council, max(council.founded_on or D(1995, 4, 1), D(1995, 4, 1)))
        self.created["加盟団体"] = (len(existing) - before, before)
        return by_name

    def officers(self, national, prefectural, organisations):
        for code, rows in OFFICERS.items():
            council = national if code is None else prefectural[code]
            for role, person, organisation in rows:
                _, created = services.officer_add(
                    council=council,
                    role=role,
                    person_name=person,
                    organisation=organisations.get(organisation),
                    term_start=OFFICER_TERM_START,
                )
                self.count("役員", created)

    # Accounts

    def accounts(self, national, prefectural, locals_by_stem, *, reset_passwords=False):
        """Create the demo accounts that are missing; with `reset_passwords`, give every one a new password.

        New and reset passwords are printed in one table, the only place they are shown.
        """
        fixed = os.environ.get(PASSWORD_ENV) or None
        existing = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])}
        printed, kept = [], []
        for username, role, where, display_name in ACCOUNTS:
            if where is None:
                council = national
            elif ":" in where:
                council = locals_by_stem[tuple(where.split(":"))]
            else:
                council = prefectural[where]
            label = "システム管理者（スーパーユーザー）" if role is None else str(Role(role).label)
            user = existing.get(username)
            password = fixed or secrets.token_urlsafe(12)
            shown = f"（{PASSWORD_ENV}）" if fixed else password
            if user is not None:
                self.count("アカウント", False)
                if reset_passwords:
                    services.user_set_password(user=user, password=password)
                    if not fixed:
                        self.passwords[username] = password
                    printed.append((username, shown, label, user.council.name if user.council_id else ""))
                elif fixed and not user.check_password(fixed):
                    # Browser tests and the docs rely on the fixed password.
                    services.user_set_password(user=user, password=fixed)
                    kept.append((username, f"{PASSWORD_ENV} のパスワードに変更しました"))
                else:
                    kept.append((username, "既にあります（パスワードは変更していません）"))
                continue
            services.user_create(
                username=username,
                password=password,
                display_name=display_name,
                council=council,
                role=role or Role.NATIONAL_STAFF,
                is_superuser=role is None,
            )
            self.count("アカウント", True)
            if not fixed:
                self.passwords[username] = password
            printed.append((username, shown, label, council.name))
        if printed:
            self.say()
            self.say(
                "デモ用アカウント（パスワードはこの一度しか表示しません。忘れたときは "
                f"`{RESET_COMMAND}` で新しいパスワードを設定して表示します）"
            )
            rows = [("ユーザー名", "パスワード", "役割", "所属"), *printed]
            widths = [max(display_width(r[i]) for r in rows) for i in range(3)]
            for row in rows:
                self.say("  ".join([*(pad(cell, w) for cell, w in zip(row, widths, strict=False)), row[3]]))
        for username, what in kept:
            self.say(f"アカウント {username}: {what}")

    def summary(self):
        self.say()
        for what, (new, old) in self.created.items():
            self.say(f"{what}: 新規 {new} 件、既存 {old} 件")
        census = council_census(date=CENSUS_DATE)
        self.say(f"{CENSUS_DATE:%Y-%m-%d} の社保協の数: {census.line()}")


def seed(*, stdout, reset_passwords=False):
    """Build the demo federation (idempotent): councils, organisations, memberships, officers, accounts.

    Needs the registry (`load_municipalities`); raises DemoDataError otherwise. Runs in one
    transaction. Passwords of new accounts are printed once to `stdout`; `reset_passwords` gives
    every demo account a new one and prints them all; set SHAHO_DEMO_PASSWORD to give every demo
    account that password instead. Returns the passwords made in this run (username → password; empty
    when none was made or they come from SHAHO_DEMO_PASSWORD), for the closing block of `make run`.
    """
    seeder = Seeder(stdout)
    with transaction.atomic():
        registry = Registry()
        national, prefectural, locals_by_stem = seeder.councils(registry)
        organisations = seeder.organisations(registry, national, prefectural, locals_by_stem)
        seeder.officers(national, prefectural, organisations)
        seeder.accounts(national, prefectural, locals_by_stem, reset_passwords=reset_passwords)
    seeder.summary()
    return seeder.passwords

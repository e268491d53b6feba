"""Demo petitions with goals, rounds and a believable ledger, drawn from the seed documents.

Written through petitions.services: drives with their items and rounds (`drive_create`), goals
(`goal_set`, with its split rules), the ledger (`tally_record_many`: each line checked as a phone
entry is, its round from its date) and submissions (`submission_record`); a drive that is over is
closed (`drive_set_status`) after its ledger is written.

`seed(stdout=...)` runs after the demo federation (it needs the national council, the 47
prefectural councils, Kanagawa's local councils and the demo accounts). It is idempotent and
deterministic: a petition is looked up by its slug; its goals, rounds, ledger and submissions
are created only when the petition has none yet, from fixed numbers (no randomness).

From the seeds:
- 25条署名 with its two petition items (seed 000), いのち署名 (全労連・医団連・社保協, 1.6 yen a
  sheet, September to the end of the ordinary Diet session), 介護改善署名 (rounds: 第2次 end of
  February, 最終 end of May; 1,241 handed in by Kanagawa on 4 December of 65,000 in all, seed 001),
  保険証残してください署名 (Kanagawa's street actions: 42 at 桜木町 on 25 November, 26 at
  伊勢佐木町 on 14 December, 9 on the 西湘 caravan on 12 December; seeds 001 and 003), and the
  国保 web petition of 74,366 signatures handed to the ministry in February (seed 004).
- Everything else (goals, the other prefectures' counts, the 25条 and 保険証 periods) is invented.
  Per-prefecture goals and counts are split by the prefecture's number of municipalities (the
  national totals above stay exact); the Kanagawa local councils' street-action signatures of the
  保険証 drive scale with the population of their area, 0.6–1.6 per 1,000 inhabitants
  (`_local_street_total`, see `demo.population`), so 横浜 collects thousands and 茅ヶ崎 hundreds.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q

from councils.models import Council, CouncilKind, Organisation, User
from demo import population
from municipalities.models import Municipality, Prefecture
from petitions import services
from petitions.models import PetitionDrive, SignatureKind

D = datetime.date
KANAGAWA = "14"

HOKENSHO, KAIGO, ARTICLE25, INOCHI, KOKUHO_WEB = "hokensho", "kaigo-2023", "article25-2026", "inochi-2020", "kokuho-web"
ARTICLE25_2019 = "article25-2019"
ARTICLE25_ITEMS = [
    "保険料減免などの施策を充実させ、払える保険料とするための国庫負担を増額すること。不公平な税制をただし、"
    "防衛費や大型開発などの税金の使い方を見直し、社会保障予算を増額すること。",
    "地域に必要な医療・介護・福祉・年金・障害・子育て・生活保護・雇用等、いのち・くらしに直結する"
    "社会保障制度・体制を国の責任で拡充すること。",
]

PETITIONS = [
    {
        "slug": ARTICLE25,
        "title": "社会保障拡充・財源確保を求める署名（25条署名）",
        "short_name": "25条署名",
        "kind": PetitionDrive.Kind.NATIONAL_ASSEMBLY,
        "addressee": "衆議院議長・参議院議長",
        "campaign_name": "25条共同行動",
        "starts_on": D(2026, 9, 1),
        "ends_on": D(2027, 6, 30),
        "status": PetitionDrive.Status.OPEN,
        "items": ARTICLE25_ITEMS,
        "rounds": [("第1次集約", D(2026, 11, 30)), ("第2次集約", D(2027, 2, 28)), ("最終集約", D(2027, 5, 31))],
        "national_goal": 1_000_000,
    },
    {
        # The drive of the 2020 policy draft's year (第64回総会): its totals fill the draft's blanks.
        "slug": ARTICLE25_2019,
        "title": "社会保障拡充・財源確保を求める署名（25条署名）2019年度",
        "short_name": "25条署名（2019年度）",
        "kind": PetitionDrive.Kind.NATIONAL_ASSEMBLY,
        "addressee": "衆議院議長・参議院議長",
        "campaign_name": "25条共同行動",
        "starts_on": D(2019, 9, 1),
        "ends_on": D(2020, 6, 17),
        "status": PetitionDrive.Status.CLOSED,
        "items": ARTICLE25_ITEMS,
        "rounds": [("第1次集約", D(2019, 11, 30)), ("第2次集約", D(2020, 2, 29)), ("最終集約", D(2020, 5, 31))],
        "national_goal": 1_000_000,
    },
    {
        "slug": KAIGO,
        "title": "介護保険制度の改善と介護従事者の処遇改善を求める請願署名（介護改善署名）",
        "short_name": "介護改善署名",
        "kind": PetitionDrive.Kind.NATIONAL_ASSEMBLY,
        "addressee": "衆議院議長・参議院議長",
        "cosponsor_names": "全労連・民医連・中央社保協",
        "campaign_name": "介護改善",
        "starts_on": D(2023, 9, 1),
        "ends_on": D(2024, 5, 31),
        "status": PetitionDrive.Status.CLOSED,
        "rounds": [("第1次集約", D(2023, 12, 1)), ("第2次集約", D(2024, 2, 29)), ("最終集約", D(2024, 5, 31))],
        "national_goal": 300_000,
    },
    {
        "slug": INOCHI,
        "title": "国民のいのちと健康を守るための国会請願署名（いのち署名）",
        "short_name": "いのち署名",
        "kind": PetitionDrive.Kind.NATIONAL_ASSEMBLY,
        "addressee": "衆議院議長・参議院議長",
        "cosponsor_names": "全労連・医団連・中央社保協",
        "campaign_name": "いのちまもる総行動",
        "starts_on": D(2020, 9, 1),
        "ends_on": D(2021, 6, 16),
        "form_price": Decimal("1.6"),
        "status": PetitionDrive.Status.CLOSED,
        "rounds": [("第1次集約", D(2020, 12, 25)), ("最終集約", D(2021, 5, 31))],
        "national_goal": 500_000,
    },
    {
        "slug": HOKENSHO,
        "title": "保険証残してください署名",
        "short_name": "保険証残して",
        "kind": PetitionDrive.Kind.NATIONAL_ASSEMBLY,
        "addressee": "衆議院議長・参議院議長",
        "campaign_name": "なくすな保険証！",
        "starts_on": D(2023, 10, 1),
        "ends_on": D(2027, 6, 30),
        "status": PetitionDrive.Status.OPEN,
        "rounds": [
            ("2023年度集約", D(2024, 3, 31)),
            ("2024年度集約", D(2025, 3, 31)),
            ("2025年度集約", D(2026, 3, 31)),
            ("2026年度集約", D(2027, 3, 31)),
        ],
        "national_goal": 2_000_000,
    },
    {
        "slug": KOKUHO_WEB,
        "title": "国保の国庫負担増額を求めるWEB署名",
        "short_name": "国保WEB署名",
        "kind": PetitionDrive.Kind.WEB,
        "addressee": "厚生労働大臣",
        "campaign_name": "国保改善大運動",
        "starts_on": D(2024, 6, 1),
        "ends_on": D(2025, 2, 10),
        "status": PetitionDrive.Status.CLOSED,
        "rounds": [],
        "national_goal": 100_000,
    },
]

# Kanagawa's own lines in the ledger (seeds 001, 003): (petition, local council stem or None, date, count, source).
# The street actions' signatures (42 at 桜木町 on 25 November, 26 at 伊勢佐木町 on 14 December, 9 on the 西湘
# caravan on 12 December) are recorded with their actions by demo.campaigns: one entry each, linked to the action.
KANAGAWA_LINES = []
KAIGO_SUBMISSION_DAY = D(2023, 12, 4)
KAIGO_KANAGAWA_HANDED_IN = 1_241
KAIGO_NATIONAL_HANDED_IN = 65_000
KOKUHO_WEB_TOTAL = 74_366
KANAGAWA_LOCAL_GOAL_SHARE = {"横浜": 0.35, "川崎": 0.15, "相模原": 0.1, "平塚地域": 0.04, "茅ヶ崎": 0.04}


def _weights():
    """A prefecture's weight: its number of municipalities (a stand-in for its movement's size)."""
    rows = (
        Prefecture.objects.annotate(n=Count("municipalities", filter=~Q(municipalities__kind=Municipality.Kind.WARD)))
        .order_by("code")
        .values_list("code", "n")
    )
    return {code: max(n, 1) for code, n in rows}


def _split(total, weights):
    """`total` split by weights into integers that add up exactly (largest remainders, ties by key)."""
    whole = sum(weights.values())
    shares = {k: total * w / whole for k, w in weights.items()}
    result = {k: int(v) for k, v in shares.items()}
    rest = total - sum(result.values())
    for k in sorted(shares, key=lambda k: (-(shares[k] - result[k]), k))[:rest]:
        result[k] += 1
    return result


def _spread(total, parts):
    """`total` in `parts` uneven but fixed pieces that add up exactly."""
    pattern = [5, 3, 8, 2, 6, 4, 7, 1, 9, 3]
    return _split(total, {i: pattern[i % len(pattern)] for i in range(parts)})


def _local_street_total(council):
    """A local council's invented street-action signatures: 0.6–1.6 per 1,000 inhabitants of its area, at least 40.

    Scaled by `demo.population.council_population` (the registry's population, else a rounded 2020
    census figure, else an estimate from the municipality's kind), seeded by the council's name.
    """
    people = population.council_population(council)
    per_thousand = population.draw(council.name, "street").uniform(0.6, 1.6)
    return max(population.rounded(people * per_thousand / 1000), 40)


def _dates(start, end, n):
    span = max((end - start).days, 0)
    return [start + datetime.timedelta(days=(span * (i + 1)) // (n + 1)) for i in range(n)]


class _Ledger:
    """Collects the lines of one petition, per account that enters them, and records them through the service."""

    def __init__(self, petition, users):
        self.petition = petition
        self.users = users
        self.lines = defaultdict(list)  # user → [line]
        self.submissions = []

    def add(self, council, day, count, *, source="", kind=SignatureKind.INDIVIDUAL, user=None):
        if count <= 0:
            return
        line = {"petition": self.petition, "council": council, "kind": kind, "count": count, "collected_on": day}
        self.lines[user or self.users["chuo"]].append({**line, "source": source, "note": "デモデータ"})

    def spread(self, council, total, start, end, *, pieces, source="", user=None):
        for day, n in zip(_dates(start, end, pieces), _spread(total, pieces).values(), strict=True):
            self.add(council, day, n, source=source, user=user)

    def submit(self, council, day, count, *, submitted_to, event, user=None):
        if count > 0:
            self.submissions.append((user or self.users["chuo"], council, day, count, submitted_to, event))

    @property
    def total(self):
        return sum(line["count"] for lines in self.lines.values() for line in lines)

    def save(self):
        n = 0
        for user, lines in self.lines.items():
            n += len(services.tally_record_many(user=user, lines=lines))
        for user, council, day, count, submitted_to, event in self.submissions:
            services.submission_record(
                user=user,
                petition=self.petition,
                council=council,
                submitted_on=day,
                submitted_to=submitted_to,
                count=count,
                event=event,
            )
        return n


class Seeder:
    def __init__(self, stdout):
        self.stdout = stdout
        self.national = Council.objects.get(kind=CouncilKind.NATIONAL)
        self.prefectural = {
            c.prefecture.code: c
            for c in Council.objects.filter(kind=CouncilKind.PREFECTURAL).select_related("prefecture")
        }
        self.kanagawa_locals = {
            c.short_name.removesuffix("社保協"): c
            for c in Council.objects.filter(kind=CouncilKind.LOCAL, prefecture__code=KANAGAWA)
        }
        users = {u.username: u for u in User.objects.filter(username__in=["chuo", "kanagawa", "organizer"])}
        fallback = users.get("chuo") or User.objects.filter(is_superuser=True).order_by("pk").first()
        if fallback is None:
            raise RuntimeError(
                "デモの集約を入力するアカウント（chuo）がありません。先に社保協のデモデータを作ってください。"
            )
        self.users = {name: users.get(name, fallback) for name in ("chuo", "kanagawa", "organizer")}
        self.weights = {code: w for code, w in _weights().items() if code in self.prefectural}

    def say(self, line):
        self.stdout.write(line)

    def petition(self, spec):
        """The drive of `spec`, created open (its ledger is entered while it runs) when missing; (drive, created)."""
        existing = PetitionDrive.objects.filter(slug=spec["slug"]).first()
        if existing is not None:
            return existing, False
        fields = {k: v for k, v in spec.items() if k not in ("items", "rounds", "national_goal", "status")}
        names = [n.strip() for n in spec.get("cosponsor_names", "").split("・")]
        drive = services.drive_create(
            organiser=self.national,
            items=spec.get("items", []),
            rounds=spec["rounds"],
            cosponsors=Organisation.objects.filter(short_name__in=names, level=Organisation.Level.NATIONAL),
            status=PetitionDrive.Status.OPEN,
            **fields,
        )
        return drive, True

    def goals(self, petition, national_goal):
        chuo = self.users["chuo"]
        services.goal_set(user=chuo, petition=petition, council=self.national, goal=national_goal)
        per_pref = _split(national_goal, self.weights)
        for code, goal in per_pref.items():
            services.goal_set(user=chuo, petition=petition, council=self.prefectural[code], goal=goal)
        kanagawa_goal = per_pref.get(KANAGAWA, 0)
        for stem, share in KANAGAWA_LOCAL_GOAL_SHARE.items():
            if stem in self.kanagawa_locals:
                council = self.kanagawa_locals[stem]
                services.goal_set(user=chuo, petition=petition, council=council, goal=int(kanagawa_goal * share))
        return per_pref

    def ledger(self, petition, goals):
        builder = getattr(self, f"_ledger_{petition.slug.replace('-', '_')}")
        ledger = _Ledger(petition, self.users)
        builder(ledger, goals)
        return ledger.save()

    # --- one builder per petition ---------------------------------------------------------------

    def _kanagawa_lines(self, ledger):
        for slug, stem, day, count, source in KANAGAWA_LINES:
            if slug == ledger.petition.slug:
                council = self.kanagawa_locals.get(stem) if stem else self.prefectural[KANAGAWA]
                ledger.add(council, day, count, source=source, user=self.users["kanagawa"])

    def _ledger_hokensho(self, ledger, goals):
        # Progress: a fifth to two fifths of each goal, in monthly reports since October 2023.
        for index, (code, goal) in enumerate(sorted(goals.items())):
            council = self.prefectural[code]
            share = 20 + (index * 7) % 21
            user = self.users["kanagawa"] if code == KANAGAWA else None
            ledger.spread(council, goal * share // 100, D(2023, 10, 15), D(2026, 11, 10), pieces=8, user=user)
        self._kanagawa_lines(ledger)
        for stem, council in sorted(self.kanagawa_locals.items()):
            user = self.users["organizer"] if stem == "川崎" else self.users["kanagawa"]
            ledger.spread(council, _local_street_total(council), D(2024, 1, 20), D(2026, 10, 31), pieces=4,
                          user=user, source=f"{stem}駅頭宣伝")  # fmt: skip

    def _ledger_article25_2026(self, ledger, goals):
        for index, (code, goal) in enumerate(sorted(goals.items())):
            share = 3 + (index * 5) % 9
            user = self.users["kanagawa"] if code == KANAGAWA else None
            ledger.spread(self.prefectural[code], goal * share // 100, D(2026, 9, 10), D(2026, 11, 15), pieces=3,
                          user=user)  # fmt: skip

    def _ledger_article25_2019(self, ledger, goals):
        # A year cut short by the pandemic: a quarter to a half of each goal, handed in at the end of the session.
        for index, (code, goal) in enumerate(sorted(goals.items())):
            council = self.prefectural[code]
            total = goal * (25 + (index * 7) % 26) // 100
            ledger.spread(council, total, D(2019, 9, 20), D(2020, 5, 25), pieces=4)
            ledger.submit(council, D(2020, 6, 4), total * 9 // 10, submitted_to="衆議院議長・参議院議長",
                          event="25条署名提出行動")  # fmt: skip

    def _ledger_kaigo_2023(self, ledger, goals):
        # First round: what was handed in on 4 December, Kanagawa's 1,241 of 65,000.
        # Uneven on purpose: some prefectures far ahead of their weight, some behind.
        others = {
            code: w * (4 + (i * 5) % 7) for i, (code, w) in enumerate(sorted(self.weights.items())) if code != KANAGAWA
        }
        first = _split(KAIGO_NATIONAL_HANDED_IN - KAIGO_KANAGAWA_HANDED_IN, others)
        first[KANAGAWA] = KAIGO_KANAGAWA_HANDED_IN
        for index, (code, total) in enumerate(sorted(first.items())):
            council = self.prefectural[code]
            user = self.users["kanagawa"] if code == KANAGAWA else None
            ledger.spread(council, total, D(2023, 9, 20), D(2023, 12, 1), pieces=3, user=user)
            ledger.submit(council, KAIGO_SUBMISSION_DAY, total, submitted_to="衆議院議長・参議院議長",
                          event="介護署名提出行動・院内集会", user=user)  # fmt: skip
            # Second and final rounds: more again, handed in at the end of the drive.
            later = goals[code] * (10 + (index * 3) % 15) // 100
            ledger.spread(council, later, D(2023, 12, 20), D(2024, 5, 25), pieces=4, user=user)
            ledger.submit(council, D(2024, 6, 4), later, submitted_to="衆議院議長・参議院議長",
                          event="介護署名最終提出行動", user=user)  # fmt: skip

    def _ledger_inochi_2020(self, ledger, goals):
        for index, (code, goal) in enumerate(sorted(goals.items())):
            share = 45 + (index * 11) % 40
            ledger.spread(self.prefectural[code], goal * share // 100, D(2020, 9, 15), D(2021, 5, 31), pieces=5)
        ledger.submit(self.national, D(2021, 6, 3), ledger.total, submitted_to="衆議院議長・参議院議長",
                      event="いのち署名提出行動")  # fmt: skip

    def _ledger_kokuho_web(self, ledger, goals):
        # A web petition is counted centrally: monthly totals of the national site.
        for day, n in zip(_dates(D(2024, 6, 1), D(2025, 2, 10), 9), _spread(KOKUHO_WEB_TOTAL, 9).values(), strict=True):
            ledger.add(self.national, day, n, kind=SignatureKind.WEB, source="WEB署名サイト")
        ledger.submit(self.national, D(2025, 2, 12), KOKUHO_WEB_TOTAL, submitted_to="厚生労働大臣",
                      event="国保改善の要望書提出・厚労省要請")  # fmt: skip


def seed(*, stdout):
    """Create the demo petitions, goals, rounds, ledger and submissions (idempotent, deterministic)."""
    with transaction.atomic():
        seeder = Seeder(stdout)
        for spec in PETITIONS:
            petition, created = seeder.petition(spec)
            if not created or petition.tally_entries.exists():
                seeder.say(f"署名 {petition.short_name}: 既存（変更なし）")
                continue
            goals = seeder.goals(petition, spec["national_goal"])
            n = seeder.ledger(petition, goals)
            if spec["status"] != PetitionDrive.Status.OPEN:
                services.drive_set_status(drive=petition, status=spec["status"])
            seeder.say(f"署名 {petition.short_name}: 集約記録 {n} 件を作成")

"""Demo materials, their orders and what was handed out (普及), drawn from the seeds.

- Seed 001 §2(4): the national council's 新国保パンフ at 50 yen a copy (税込). Kanagawa ordered 1,000 in
  all; by organisation 保険医協会 200, 川崎社保協 200, 平塚社保協 20 (the demo's 平塚地域社保協),
  茅ヶ崎社保協 160, 建設労連 100 — the rest, 320, is the prefectural council's own. Over 700 were
  handed out by the 12.19 block meeting. The order's date (10 November 2023), its shipping (17th) and
  receipt (20th) and how the 720 handed out spread over the 全県国保改善交流集会 (18 November) and the
  organisations are invented.
- Seed 000 (②⑵): petition forms of the いのち署名 bought at 1.6 yen a sheet, postage to the shipper;
  the price is the drive's own (`form_price`). Kanagawa's order of 3,000 sheets is invented.
- Seed 000 (大阪のキャラバン): Osaka printed 2,600 copies of its caravan 資料集 and handed them out to
  regions and organisations and sent them to every municipality's department heads beforehand (price
  0 yen: not sold).

Written through campaigns.materials.services. Idempotent: a material is looked up by its slug; its orders
and distributions are made only when the material has none yet.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from campaigns.materials import services
from campaigns.materials.models import Material, Order, Tax, Unit
from campaigns.models import Campaign
from councils.models import Council, CouncilKind, Organisation, User
from petitions.models import PetitionDrive

D = datetime.date
KANAGAWA, OSAKA = "14", "27"
PAMPHLET, INOCHI_FORMS, OSAKA_COMPILATION = "kokuho-pamphlet", "inochi-forms", "osaka-caravan-2019"

# Seed 001: what each organisation and local council ordered of the pamphlet (the rest is the council's own).
KANAGAWA_LINES = [("保険医協会", 200), ("川崎", 200), ("平塚地域", 20), ("茅ヶ崎", 160), ("建設労連", 100)]
KANAGAWA_TOTAL = 1000
# Invented: how the 720 copies handed out by 12.19 spread (the seed says 「すでに700冊を超えて普及」).
KANAGAWA_HANDED_OUT = [
    (None, None, 300, D(2023, 11, 18), "全県国保改善交流集会で"),
    (None, "保険医協会", 150, D(2023, 12, 1), "会員の医療機関へ"),
    ("川崎", None, 120, D(2023, 12, 5), "川崎市内の学習会で"),
    ("茅ヶ崎", None, 100, D(2023, 12, 10), "茅ヶ崎市との懇談と宣伝で"),
    (None, "建設労連", 50, D(2023, 12, 12), "支部の学習会で"),
]


class Seeder:
    def __init__(self, stdout):
        self.stdout = stdout
        self.national = Council.objects.get(kind=CouncilKind.NATIONAL)
        self.prefectural = {
            c.prefecture.code: c
            for c in Council.objects.filter(kind=CouncilKind.PREFECTURAL).select_related("prefecture")
        }
        self.locals = {
            c.short_name.removesuffix("社保協"): c
            for c in Council.objects.filter(kind=CouncilKind.LOCAL, prefecture__code=KANAGAWA)
        }
        self.orgs = {
            o.short_name: o for o in Organisation.objects.filter(prefecture__code=KANAGAWA).exclude(short_name="")
        }
        users = {u.username: u for u in User.objects.filter(username__in=["chuo", "kanagawa"])}
        self.chuo = users.get("chuo") or User.objects.filter(is_superuser=True).order_by("pk").first()
        self.kanagawa_user = users.get("kanagawa") or self.chuo
        self.made = []

    def material(self, slug, **fields):
        existing = Material.objects.filter(slug=slug).first()
        if existing is not None:
            return existing
        row = services.row_save(user=self.chuo, row=Material(slug=slug, **fields))
        self.made.append(str(row))
        return row

    def recipient(self, name):
        if name in self.locals:
            return {"recipient_council": self.locals[name]}
        return {"recipient_organisation": self.orgs[name]}


def _pamphlet(s):
    kokuho = Campaign.objects.filter(slug="kokuho-kaizen").first()
    pamphlet = s.material(
        PAMPHLET, name="新国保パンフ", kind=Material.Kind.PAMPHLET, publisher=s.national, unit_price=Decimal(50),
        tax=Tax.INCLUDED, unit=Unit.BOOKLET, campaign=kokuho, published_on=D(2023, 9, 1),
        note="国保学習会・国保改善運動で使うパンフレット",
    )  # fmt: skip
    kanagawa = s.prefectural.get(KANAGAWA)
    if kanagawa is None or Order.objects.filter(material=pamphlet, council=kanagawa).exists():
        return
    lines = [{**s.recipient(name), "quantity": n} for name, n in KANAGAWA_LINES]
    own = KANAGAWA_TOTAL - sum(n for _name, n in KANAGAWA_LINES)
    lines.append({"recipient_council": kanagawa, "quantity": own, "note": "県社保協の分（学習会・交流集会用）"})
    order = services.order_place(
        user=s.kanagawa_user, material=pamphlet, council=kanagawa, ordered_on=D(2023, 11, 10), lines=lines,
        note="団体・地域社保協の分をまとめて注文",
    )  # fmt: skip
    for line in order.lines.all():
        services.order_line_advance(user=s.chuo, line=line, state=line.State.SHIPPED, on=D(2023, 11, 17))
        services.order_line_advance(user=s.kanagawa_user, line=line, state=line.State.RECEIVED, on=D(2023, 11, 20))
    for local, organisation, n, on, note in KANAGAWA_HANDED_OUT:
        services.distribution_record(
            user=s.kanagawa_user, material=pamphlet, council=s.locals[local] if local else kanagawa,
            organisation=s.orgs[organisation] if organisation else None, quantity=n, distributed_on=on, note=note,
        )  # fmt: skip


def _petition_forms(s):
    drive = PetitionDrive.objects.filter(short_name="いのち署名").first()
    if drive is None:
        return
    forms = s.material(
        INOCHI_FORMS, name="いのち署名 署名用紙", kind=Material.Kind.PETITION_FORM, publisher=s.national,
        unit_price=drive.form_price or Decimal("1.6"), tax=Tax.INCLUDED, unit=Unit.SHEET, petition_drive=drive,
        published_on=drive.starts_on, note="1枚1.6円の買い取り。送料は発送業者へ支払い",
    )  # fmt: skip
    kanagawa = s.prefectural.get(KANAGAWA)
    if kanagawa is None or Order.objects.filter(material=forms).exists():
        return
    services.order_place(
        user=s.kanagawa_user, material=forms, council=kanagawa, ordered_on=drive.starts_on,
        lines=[{"recipient_council": kanagawa, "quantity": 3000}],
    )  # fmt: skip


def _osaka_compilation(s):
    osaka = s.prefectural.get(OSAKA)
    if osaka is None:
        return
    compilation = s.material(
        OSAKA_COMPILATION, name="2019年度自治体キャラバン 資料集", kind=Material.Kind.COMPILATION, publisher=osaka,
        unit_price=Decimal(0), tax=Tax.INCLUDED, unit=Unit.BOOKLET, published_on=D(2019, 7, 10),
        note="事前アンケート（職員体制・国保・健診・介護保険・障害者65歳問題・生活保護・子ども施策）の集約。2,600冊作成",
    )  # fmt: skip
    if compilation.distributions.exists():
        return
    services.distribution_record(
        user=s.chuo, material=compilation, council=osaka, quantity=2600, distributed_on=D(2019, 7, 16),
        note="地域・団体への事前配布と、全市町村の担当課長宛の事前送付",
    )  # fmt: skip


def seed(*, stdout):
    """The demo materials with the seeds' orders and distributions (idempotent)."""
    if not Council.objects.filter(kind=CouncilKind.NATIONAL).exists():
        stdout.write("materials: 中央社保協がないため資料を作成しません（社保協のデモを先に）。")
        return
    with transaction.atomic():
        s = Seeder(stdout)
        _pamphlet(s)
        _petition_forms(s)
        _osaka_compilation(s)
    made = "、".join(s.made) or "なし（作成済み）"
    stdout.write(f"資料 {Material.objects.count()}件（今回作成: {made}）、注文 {Order.objects.count()}件")

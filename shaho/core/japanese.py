"""Parsing and formatting of Japanese input, in one place.

Forms, importers and commands call these; nothing else normalises 全角 digits,
万-numbers, Japanese dates or CSV encodings on its own.
"""

import datetime
import re
import unicodedata

from django.utils import timezone

ERA_START = {
    "令和": datetime.date(2019, 5, 1),
    "平成": datetime.date(1989, 1, 8),
    "昭和": datetime.date(1926, 12, 25),
}
ERA_ALIASES = {"R": "令和", "H": "平成", "S": "昭和"}


def normalize(text):
    """NFKC-normalise: 全角 digits and letters become 半角, 半角 kana become 全角."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip()


def to_katakana(text):
    """Full-width katakana from half-width katakana or hiragana."""
    text = normalize(text)
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS_SMALL = {"十": 10, "百": 100, "千": 1000}
_UNITS_LARGE = {"万": 10_000, "億": 100_000_000}


def parse_count(text):
    """An integer count from user text: '４２', '1,241', '6万5千', '65,000筆', '-3'.

    Raises ValueError with a Japanese message when the text is not a whole number.
    """
    s = normalize(text).replace(",", "").replace("，", "").replace(" ", "")
    s = re.sub(r"(筆|件|人|団体|票|枚)$", "", s)
    if not s:
        raise ValueError("数値が入力されていません。")
    sign = 1
    if s[0] in "-−‐ー":
        sign, s = -1, s[1:]
    if re.fullmatch(r"\d+", s):
        return sign * int(s)
    if not re.fullmatch(r"[\d〇一二三四五六七八九十百千万億]+", s):
        raise ValueError(f"「{text}」は整数として読めません。")
    total = section = 0
    number = None
    for ch in s:
        if ch.isdigit() or ch in _KANJI_DIGITS:
            digit = int(ch) if ch.isdigit() else _KANJI_DIGITS[ch]
            number = digit if number is None else number * 10 + digit
        elif ch in _UNITS_SMALL:
            section += (number if number is not None else 1) * _UNITS_SMALL[ch]
            number = None
        else:  # 万, 億
            section += number or 0
            total += (section or 1) * _UNITS_LARGE[ch]
            section, number = 0, None
    return sign * (total + section + (number or 0))


_DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
]
_ERA_PATTERN = re.compile(
    r"^(?P<era>令和|平成|昭和|R|H|S)(?P<y>\d{1,2}|元)[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$"
)


def parse_date(text):
    """A date from '2025-12-07', '2025/12/7', '2025年12月7日', '令和7年12月7日', 'R7.12.7'.

    Raises ValueError with a Japanese message otherwise.
    """
    if isinstance(text, datetime.datetime):
        return text.date()
    if isinstance(text, datetime.date):
        return text
    s = normalize(text).replace(" ", "")
    if not s:
        raise ValueError("日付が入力されていません。")
    try:
        for pattern in _DATE_PATTERNS:
            m = pattern.match(s)
            if m:
                return datetime.date(int(m["y"]), int(m["m"]), int(m["d"]))
        m = _ERA_PATTERN.match(s.upper() if s[:1].isascii() else s)
        if m:
            era = ERA_ALIASES.get(m["era"], m["era"])
            year = 1 if m["y"] == "元" else int(m["y"])
            result = datetime.date(ERA_START[era].year + year - 1, int(m["m"]), int(m["d"]))
            if result < ERA_START[era]:
                raise ValueError
            return result
    except ValueError:
        pass
    raise ValueError(f"「{text}」は日付として読めません（例: 2025年12月7日、2025-12-07、令和7年12月7日）。")


_TIME_PATTERNS = [
    re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{1,2})(?::\d{2})?$"),  # 13:30, 18:3, 13:30:00 (a time picker)
    re.compile(r"^(?P<h>\d{1,2})時(?:(?P<m>\d{1,2})分?|半)?$"),  # 13時, 18時3分, 13時半
    re.compile(r"^(?P<h>\d{1,2})(?P<m>\d{2})$"),  # 1330, 930
    re.compile(r"^(?P<h>\d{1,2})$"),  # 13
]


def parse_time(text):
    """A time of day from '13:30', '１３：３０', '18時3分', '13時半', '午後1時30分', '1330' or '13'.

    Raises ValueError with a Japanese message otherwise (and for 24:00 or 13:60).
    """
    if isinstance(text, datetime.datetime):
        return text.time().replace(second=0, microsecond=0)
    if isinstance(text, datetime.time):
        return text.replace(second=0, microsecond=0, tzinfo=None)
    s = re.sub(r"\s+", "", normalize(text))
    afternoon = s.startswith("午後")
    s = s.removeprefix("午後").removeprefix("午前")
    for pattern in _TIME_PATTERNS:
        m = pattern.match(s)
        if m:
            hour = int(m["h"]) + (12 if afternoon and int(m["h"]) < 12 else 0)
            minute = 30 if s.endswith("半") else int(m.groupdict().get("m") or 0)
            if hour <= 23 and minute <= 59:
                return datetime.time(hour, minute)
            break
    raise ValueError(f"「{text}」は時刻として読めません（例: 13:30、13時30分）。")


# The words a yes/no answer is given with, in forms and in every imported file (compared after normalize and
# lower-casing: ＹＥＳ and Yes read as yes).
YES_WORDS = frozenset(
    {"はい", "有", "有り", "あり", "した", "する", "実施", "実施している", "○", "〇", "◯", "yes", "y", "1", "true"}
)
NO_WORDS = frozenset(
    {
        "いいえ",
        "無",
        "無し",
        "なし",
        "しない",
        "しなかった",
        "未実施",
        "実施していない",
        "×",
        "✕",
        "no",
        "n",
        "0",
        "false",
    }
)


def parse_yes_no(text, *, blank=None):
    """True for はい/有/あり/○/1…, False for いいえ/無/なし/×/0…; `blank` for an empty answer.

    Raises ValueError with a Japanese message for any other word.
    """
    if isinstance(text, bool):
        return text
    word = normalize(text).lower()
    if not word:
        return blank
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError(f"「{text}」は「はい」か「いいえ」で答えてください（有・無、あり・なし、○・×、1・0 も可）。")


def _local(value):
    """An aware datetime in the site's time zone (Asia/Tokyo); dates and naive values unchanged."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(value):
    """2025年12月7日 (a datetime is first put into Asia/Tokyo, so late UTC evenings show the next day)."""
    if not value:
        return ""
    value = _local(value)
    return f"{value.year}年{value.month}月{value.day}日"


def format_time(value):
    """14:00, in Asia/Tokyo."""
    if not value:
        return ""
    value = _local(value)
    return f"{value.hour}:{value.minute:02d}"


def format_datetime(value):
    """2025年12月7日 14:00, in Asia/Tokyo."""
    if not value:
        return ""
    return f"{format_date(value)} {format_time(value)}"


def fiscal_year(value):
    """The 年度 (April–March) a date falls in: 2026-03-31 → 2025."""
    return value.year if value.month >= 4 else value.year - 1


def with_fiscal_year(year, title):
    """「2023年度 市町村懇談」: the 年度 before a title, once. A title typed with its year already keeps it as typed."""
    title = (title or "").strip()
    if year is None or f"{year}年度" in title:
        return title
    return f"{year}年度 {title}".rstrip()


def without_fiscal_year(year, title):
    """The title without the 年度 it starts with, for a heading that already names the year."""
    title = (title or "").strip()
    mark = f"{year}年度"
    return title[len(mark) :].lstrip(" 　") if year is not None and title.startswith(mark) else title


# --- 全国地方公共団体コード -------------------------------------------------


def code_check_digit(five_digits):
    """Check digit of a local government code (総務省: weights 6..2, modulus 11)."""
    total = sum(int(d) * w for d, w in zip(five_digits, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def normalize_municipality_code(text):
    """A 6-digit code from user input: '１４１００' → '141003', '141003' checked.

    Raises ValueError with a Japanese message on a wrong length or check digit.
    """
    s = normalize(text).replace("-", "")
    if not s.isdigit() or len(s) not in (5, 6):
        raise ValueError(f"「{text}」は地方公共団体コード（5桁または検査数字付き6桁の数字）ではありません。")
    expected = code_check_digit(s[:5])
    if len(s) == 5:
        return s + str(expected)
    if int(s[5]) != expected:
        raise ValueError(f"地方公共団体コード「{text}」の検査数字が正しくありません（正しくは {s[:5]}{expected}）。")
    return s


# --- CSV encodings -----------------------------------------------------------


def decode_csv(data, encoding=None):
    """(text, codec) of a CSV file from Excel or elsewhere: UTF-8 (with or without BOM) or CP932.

    `encoding` forces a choice ('utf-8', 'cp932', 'shift_jis'); otherwise UTF-8 is tried
    first, since CP932 bytes almost never decode as valid UTF-8, then CP932. The codec
    says what was used: 'utf-8-sig' (with BOM), 'utf-8' or 'cp932'. Raises
    UnicodeDecodeError for a forced encoding that does not fit, ValueError (Japanese) otherwise.
    """
    if encoding:
        enc = {"shift_jis": "cp932", "sjis": "cp932", "utf8": "utf-8"}.get(encoding.lower(), encoding.lower())
        if enc.replace("_", "-") in ("utf-8", "utf-8-sig"):
            enc = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        return data.decode(enc), enc
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise ValueError("ファイルの文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）。") from exc


def decode_csv_bytes(data, encoding=None):
    """Text of a CSV file: `decode_csv` without the codec."""
    return decode_csv(data, encoding)[0]


# --- punctuation of printed Japanese ----------------------------------------------------------------

# Kana, kanji, the CJK punctuation (、。「」『』【】) and the full-width forms (（）：).
_CJK = "\u3001-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60"
_PUNCTUATION_RULES = (
    # 「医療: 公立…」 → 「医療：公立…」: a colon after Japanese is the full-width one, with no space.
    (re.compile(rf"(?<=[{_CJK}])[ \t]*[:：][ \t]*(?=\S)"), "："),
    # No Western space after a closing bracket or before an opening one: 「…集会」 会場 → 「…集会」会場.
    (re.compile(r"(?<=[」』）】])[ \t]+"), ""),
    (re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[「『（【])"), ""),
    # A list that ends a sentence does not leave its separator behind: 「署名9筆、。」 → 「署名9筆。」.
    (re.compile(r"、+(?=[。．])"), ""),
)
_TRAILING_COMMA = re.compile(r"、\s*$")
# 「**医療**: 公立…」 renders as <strong>医療</strong>: 公立…: the colon follows an inline element's end.
_COLON_AFTER_INLINE = re.compile(rf"(?<=[{_CJK}])(</(?:strong|em|b|i|span|a)>)[ \t]*:[ \t]*(?=[^\s<])")
_TEXT_NODE = re.compile(r"(<(style|script)\b.*?</\2>)|>([^<]+)(?=<(/?)(\w*))", re.S)
# The elements whose end also ends a sentence: a 「、」 left before one dangles.
_SENTENCE_ENDS = {"p", "li", "br"}  # the 「、」 becomes the 「。」 that ends the sentence
_BLOCK_ENDS = {"td", "th", "div", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "section"}  # it goes


def japanese_punctuation(text):
    """`text` with the punctuation a Japanese reader expects (see _PUNCTUATION_RULES); times like 9:45 stay."""
    for pattern, replacement in _PUNCTUATION_RULES:
        text = pattern.sub(replacement, text)
    return text


def japanese_punctuation_html(html):
    """Every text of `html` through `japanese_punctuation`; a 「、」 that ends a paragraph or an item becomes
    its 「。」, one that ends a cell goes. Style and script elements are left as they are. Run over a whole
    document before layout, so chapters typed by staff and every template read the same."""

    def fix(match):
        if match.group(1):
            return match.group(1)
        text = japanese_punctuation(match.group(3))
        closing, tag = match.group(4), match.group(5).lower()
        if tag == "br" or (closing and tag in _SENTENCE_ENDS):
            text = _TRAILING_COMMA.sub("。", text)
        elif closing and tag in _BLOCK_ENDS:
            text = _TRAILING_COMMA.sub("", text)
        return ">" + text

    return _TEXT_NODE.sub(fix, _COLON_AFTER_INLINE.sub(r"\1：", html))

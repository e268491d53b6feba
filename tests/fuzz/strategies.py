"""What people type into shaho's forms and spreadsheets, as hypothesis strategies.

Every strategy here draws from the input that real files and phones bring: 全角 digits, 〜 and ～,
half-width katakana, a BOM, Excel date serials, 和暦 dates (令和7年12月7日, R7.12.7), cells starting with
`=` `+` `-` `@`, very long strings, empty and whitespace-only cells. `cell()` mixes a column's good values
with all of these; `spreadsheet()` writes rows as CSV (UTF-8, UTF-8 with BOM, CP932) or xlsx.
"""

import csv
import datetime
import io

from hypothesis import strategies as st

FULL_WIDTH = str.maketrans("0123456789,-:/", "０１２３４５６７８９，－：／")
HALF_WIDTH_KANA = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｰﾞﾟ"
EXCEL_EPOCH = datetime.date(1899, 12, 30)
REIWA = 2018  # 令和N年 is 2018 + N

# The cells every column meets sooner or later.
SPECIALS = [
    "",
    " ",
    "　",
    "\t",
    " \u3000 ",
    "\ufeff",
    "\ufeff42",
    "４２",
    "１，２４１",
    "6万5千",
    "〜",
    "～",
    "1〜3",
    "10～20",
    "ｶﾅｶﾞﾜｼｬﾎｷｮｳ",
    "ﾖｺﾊﾏ",
    "45998",
    "45998.5",
    "令和7年12月7日",
    "令和元年5月1日",
    "R7.12.7",
    "r7/12/7",
    "平成31年4月31日",
    "令和7年13月1日",
    "2025-02-30",
    "=1+1",
    '=HYPERLINK("http://example.com","x")',
    "+81-3-1234-5678",
    "-5",
    "-",
    "@SUM(A1:A2)",
    "'=1+1",
    "0",
    "-0",
    "9" * 30,
    "9" * 400,
    "あ" * 1000,
    "x" * 5000,
    "a\x00b",
    "改行\nあり",
    "はい",
    "×",
    "○",
    "13:30",
    "１３：３０",
    "25:00",
    "18時3分",
]

_alphabet = st.sampled_from(
    list("0123456789０１２３４５６７８９,，.-－+=@'/:：年月日時分万千〜～ 　\tあア亜漢字")
    + list(HALF_WIDTH_KANA)
    + ["\ufeff"]
)


_LEADERS = ["=", "+", "-", "@", "\ufeff", " ", "　"]


def nasty_text():
    """A cell as it arrives at its worst: a special, a short mix of the above, or any text."""
    return st.one_of(
        st.sampled_from(SPECIALS),
        st.text(_alphabet, max_size=20),
        st.builds(
            lambda a, b: a + b,
            st.sampled_from(["=", "+", "-", "@", "\ufeff", " ", "　"]),
            st.text(_alphabet, max_size=8),
        ),
        st.text(max_size=12),
    )


def dates(lo=datetime.date(2019, 5, 1), hi=datetime.date(2029, 12, 31)):
    return st.dates(min_value=lo, max_value=hi)


def written_date(day):
    """The ways a date is written, as strategies of strings (and an Excel serial as a number)."""
    year = day.year - REIWA
    era = "元" if year == 1 else str(year)
    serial = (day - EXCEL_EPOCH).days
    return st.sampled_from(
        [
            day.isoformat(),
            f"{day:%Y/%m/%d}",
            f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日",
            f"{day.year}年{day.month}月{day.day}日".translate(FULL_WIDTH),
            f"令和{era}年{day.month}月{day.day}日",
            f"R{year}.{day.month}.{day.day}",
            str(serial),
            serial,
            day,
        ]
    )


def date_cell(**bounds):
    return dates(**bounds).flatmap(written_date)


def written_count(n):
    variants = [str(n), f"{n:,}", f"{n:,}".translate(FULL_WIDTH), str(n).translate(FULL_WIDTH), n, f"{n}筆"]
    if n >= 10_000 and n % 10_000 == 0:
        variants.append(f"{n // 10_000}万")
    return st.sampled_from(variants)


def count_cell(lo=0, hi=100_000):
    return st.integers(lo, hi).flatmap(written_count)


def cell(good):
    """A column's cell: mostly one of its good values, often something nasty."""
    return st.one_of(good, good, nasty_text())


# --- files -----------------------------------------------------------------------------------

FORMATS = ["csv-utf-8", "csv-utf-8-sig", "csv-cp932", "xlsx"]


def _as_text(value):
    """A cell as Excel writes it into a CSV (a date cell as its date)."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def write_file(header, rows, file_format):
    """(bytes, file name) of `rows` under `header` in one of FORMATS.

    In CSV every value is text. In the xlsx numbers and dates stay typed cells, and text stays text
    (a cell reading `=1+1` is a string, as Excel keeps a cell typed as text or prefixed with `'`).
    """
    if file_format == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(list(header))
        for values in rows:
            sheet.append([None] * len(values))
            for col, value in enumerate(values, start=1):
                target = sheet.cell(row=sheet.max_row, column=col)
                if isinstance(value, str):
                    value = "".join(ch for ch in value if ch >= " " or ch in "\t\n\r")  # xlsx cannot hold controls
                    target.value = value
                    target.data_type = "s"
                else:
                    target.value = value
        out = io.BytesIO()
        book.save(out)
        return out.getvalue(), "fuzz.xlsx"
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    for values in rows:
        writer.writerow([_as_text(v) for v in values])
    text = out.getvalue()
    codec = file_format.removeprefix("csv-")
    try:
        return text.encode(codec), "fuzz.csv"
    except UnicodeEncodeError:
        return text.encode("utf-8-sig"), "fuzz.csv"  # what CP932 cannot hold comes as Excel's UTF-8 CSV


def file_formats():
    return st.sampled_from(FORMATS)

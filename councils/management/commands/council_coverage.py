"""Print how many municipalities have a local council, per prefecture and nationally, on a date."""

import json

from django.core.management.base import BaseCommand, CommandError

from councils.management.commands.council_census import parse_date_option
from councils.selectors import municipality_coverage
from municipalities.registry.selectors import prefecture_from_input
from shaho.core.japanese import format_date


def parse_prefecture_code(value):
    """'14', '１４', '8', '神奈川' or '神奈川県' → its two-digit code; CommandError in Japanese otherwise."""
    if value is None:
        return None
    prefecture = prefecture_from_input(value)
    if prefecture is None:
        raise CommandError(f"「{value}」は都道府県コード（01〜47）でも都道府県名でもありません。")
    return prefecture.code


class Command(BaseCommand):
    help = "地域社保協のある市区町村の数と割合を、都道府県ごとと全国で表示します（政令市は行政区も含めて1市）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="基準日（2020-09-01、2020年9月1日、令和2年9月1日）。省略すると今日。")
        parser.add_argument("--prefecture", metavar="CODE", help="都道府県コード（01〜47）。省略すると全都道府県。")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="出力形式（text / json）")

    def handle(self, *args, date=None, prefecture=None, format="text", **options):
        on = parse_date_option(date)
        code = parse_prefecture_code(prefecture)
        rows, national = municipality_coverage(date=on, prefecture=code)
        if code and not rows:
            raise CommandError(
                f"都道府県コード{code}の市区町村が登録されていません（load_municipalities を実行してください）。"
            )
        if format == "json":
            data = {
                "date": on.isoformat(),
                "prefectures": [self.as_dict(r) for r in rows],
                "national": None if code else self.as_dict(national),
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{format_date(on)}現在、地域社保協のある市区町村（ある数 / 市区町村数）")
        width = max((len(r.prefecture_name) for r in rows), default=4)
        for r in rows:
            self.stdout.write(f"{r.prefecture_code} {r.prefecture_name.ljust(width, '　')} {self.figure(r)}")
        if not code:
            self.stdout.write(f"全国 {self.figure(national)}")
        self.stdout.write("※政令指定都市は、市または行政区のどれかに地域社保協があれば1市として数えます。")

    @staticmethod
    def figure(row):
        return f"{row.covered} / {row.total}（{row.percent:.1f}%）"

    @staticmethod
    def as_dict(row):
        return {
            "code": row.prefecture_code,
            "name": row.prefecture_name,
            "covered": row.covered,
            "total": row.total,
            "percent": row.percent,
        }

"""Print the federation's census on a date: councils per kind and in all, against one year earlier."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from councils.models import CouncilKind
from councils.selectors import CENSUS_KINDS, council_census, signed
from shaho.core.japanese import format_date, parse_date


def parse_date_option(value):
    """The --date option of the federation's commands: today when absent, CommandError in Japanese when unreadable."""
    if not value:
        return timezone.localdate()
    try:
        return parse_date(value)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = "社保協の数（都道府県・地域・準備会・友好組織と計、前年比）を指定した日付で表示します。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="基準日（2020-09-01、2020年9月1日、令和2年9月1日）。省略すると今日。")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="出力形式（text / json）")

    def handle(self, *args, date=None, format="text", **options):
        census = council_census(date=parse_date_option(date))
        if format == "json":
            self.stdout.write(json.dumps(self.as_dict(census), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{format_date(census.date)}現在の社保協の数（前年は{format_date(census.previous_date)}）")
        for kind in CENSUS_KINDS:
            self.stdout.write(
                f"{CouncilKind(kind).label} {census.counts[kind]}"
                f"（前年 {census.previous_counts[kind]}、{signed(census.change_of(kind))}）"
            )
        self.stdout.write(f"計 {census.total}（前年 {census.previous_total}、{signed(census.change)}）")
        self.stdout.write("※中央社保協は数に含みません。")

    @staticmethod
    def as_dict(census):
        return {
            "date": census.date.isoformat(),
            "counts": {str(k): census.counts[k] for k in CENSUS_KINDS},
            "total": census.total,
            "previous_date": census.previous_date.isoformat(),
            "previous_counts": {str(k): census.previous_counts[k] for k in CENSUS_KINDS},
            "previous_total": census.previous_total,
            "change": census.change,
        }

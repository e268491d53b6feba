"""Write the 集約一覧表 of a petition as CSV or xlsx, with the same headers as the page."""

import sys

from django.core.management.base import BaseCommand, CommandError

from municipalities.registry.selectors import prefecture_from_input
from shaho.core.japanese import parse_date

from ...exports import tally_csv, tally_xlsx
from ...selectors import drive_for, tally_table


class Command(BaseCommand):
    help = "署名の集約一覧表を CSV または xlsx で書き出します（CSV はファイル指定がなければ標準出力へ）。"

    def add_arguments(self, parser):
        parser.add_argument("--petition", required=True, help="署名の識別名（slug）")
        parser.add_argument("--date", help="基準日 YYYY-MM-DD（省略時は今日）")
        parser.add_argument("--prefecture", help="都道府県コード（01〜47）: その都道府県の社保協ごとの表")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--encoding", choices=["utf-8", "cp932"], default="utf-8", help="CSV の文字コード")
        parser.add_argument("--out", help="書き出すファイル（xlsx では必須）")

    def handle(self, *args, **options):
        petition = drive_for(identifier=options["petition"], user=None)
        if petition is None:
            raise CommandError(f"署名「{options['petition']}」はありません。")
        as_of = None
        if options["date"]:
            try:
                as_of = parse_date(options["date"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        prefecture = None
        if options["prefecture"]:
            prefecture = prefecture_from_input(options["prefecture"])
            if prefecture is None:
                raise CommandError(f"都道府県「{options['prefecture']}」はありません（01〜47 のコードか都道府県名）。")
        table = tally_table(petition=petition, as_of=as_of, prefecture=prefecture)
        if options["format"] == "xlsx":
            if not options["out"]:
                raise CommandError("xlsx には --out でファイルを指定してください。")
            data = tally_xlsx(table)
        else:
            data = tally_csv(table, encoding=options["encoding"])
        if options["out"]:
            with open(options["out"], "wb") as f:
                f.write(data)
            self.stderr.write(f"{options['out']} に書き出しました（{len(table.rows)}行）。")
        else:
            self.stdout.flush()
            out = getattr(self.stdout, "_out", sys.stdout)
            buffer = getattr(out, "buffer", None)
            if buffer is not None:
                buffer.write(data)
                buffer.flush()
            else:  # a StringIO in tests: the text without the byte order mark
                out.write(data.decode("utf-8-sig" if options["encoding"] == "utf-8" else "cp932"))

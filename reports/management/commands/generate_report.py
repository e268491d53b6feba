"""generate_report KIND [--param k=v ...] --out FILE | --list: the same code as the jobs, run synchronously."""

import shutil
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.services import run_now
from shaho.core.report_kinds import all_kinds


def _parse_params(pairs):
    params = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--param は 名前=値 の形で指定してください: {pair!r}")
        params[key.strip()] = value.strip()
    return params


class Command(BaseCommand):
    help = "報告書を同期的に作成してファイルに書き出します（cron・スクリプト用）。--list で種類とパラメータを表示。"

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", help="報告書の種類（--list で一覧）")
        parser.add_argument("--param", action="append", metavar="NAME=VALUE", help="パラメータ（繰り返し可）")
        parser.add_argument("--out", help="書き出すファイル（- で標準出力）")
        parser.add_argument("--list", action="store_true", help="種類とパラメータの一覧を表示する")

    def handle(self, *args, kind=None, param=None, out=None, list=False, **options):
        if list:
            for report_kind in all_kinds():
                self.stdout.write(f"{report_kind.name}\t{report_kind.label}（{'・'.join(report_kind.formats)}）")
                for p in report_kind.params:
                    self.stdout.write(f"    --param {p.describe()}")
            return
        if not kind or not out:
            raise CommandError("KIND と --out FILE を指定してください（種類は --list で表示）。")
        try:
            job = run_now(kind=kind, params=_parse_params(param), user=None)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        if job.status != "done":
            raise CommandError(f"作成に失敗しました: {job.error}")
        with job.file.open("rb") as source:
            if out == "-":
                shutil.copyfileobj(source, sys.stdout.buffer)
            else:
                with open(out, "wb") as target:
                    shutil.copyfileobj(source, target)
        if out != "-":
            pages = f"、{job.page_count}ページ" if job.page_count else ""
            self.stdout.write(f"{out}: {job.title}（{job.file_size:,} バイト{pages}、SHA-256 {job.sha256[:12]}…）")

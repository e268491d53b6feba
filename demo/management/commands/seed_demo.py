"""Build the demo data of every app, the federation first; `--reset-passwords` gives the demo accounts new ones."""

import importlib
import time

from django.core.management.base import BaseCommand, CommandError

from demo import STEPS
from demo.accounts import closing_lines
from demo.federation import RESET_COMMAND, DemoDataError


class Command(BaseCommand):
    help = (
        "デモデータを作成します（中央・47都道府県・地域社保協、加盟団体、役員、役割ごとのアカウント、"
        "署名と集約、総会方針案）。何度実行しても重複しません。新しいアカウントのパスワードは一度だけ表示します。"
        "--reset-passwords でデモ用アカウントのパスワードを設定し直して表示します。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="デモ用アカウントのパスワードを新しく設定し、表示します（SHAHO_DEMO_PASSWORD があればその値）。",
        )
        parser.add_argument(
            "--url",
            default="",
            help="最後にアドレスとデモ用アカウント（この実行で作ったパスワードも）をもう一度表示します（make run）。",
        )

    def handle(self, *args, reset_passwords=False, url="", **options):
        started = time.monotonic()
        passwords = {}
        for name in STEPS:
            module = importlib.import_module(name)
            self.stdout.write(self.style.MIGRATE_HEADING(f"== {name}"))
            try:
                if name == "demo.federation":
                    passwords = module.seed(stdout=self.stdout, reset_passwords=reset_passwords) or {}
                else:
                    module.seed(stdout=self.stdout)
            except DemoDataError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"デモデータの作成が終わりました（{time.monotonic() - started:.1f}秒）。"))
        if url:
            # The last block before the server's lines: the table printed with the federation has scrolled away.
            for line in closing_lines(url=url, passwords=passwords):
                self.stdout.write(line)
        elif not reset_passwords:
            self.stdout.write(f"デモ用アカウントのパスワードを忘れたときは `{RESET_COMMAND}` を実行してください。")

"""Print the demo accounts and how to log in with them (the closing block of `make run`, on its own)."""

from django.core.management.base import BaseCommand

from demo.accounts import closing_lines


class Command(BaseCommand):
    help = (
        "デモ用アカウントとログインの方法を表示します（パスワードは作成・再設定したときにだけ表示します。"
        "忘れたら seed_demo --reset-passwords）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="表示するアドレス（例: http://127.0.0.1:8000/）")

    def handle(self, *args, url="", **options):
        for line in closing_lines(url=url):
            self.stdout.write(line)

"""Print the demo accounts and how to log in with them (make run prints this last, beside the address)."""

import os

from django.core.management.base import BaseCommand

from councils.models import User
from demo.federation import ACCOUNTS, PASSWORD_ENV, RESET_COMMAND


class Command(BaseCommand):
    help = "デモ用アカウントとログインの方法を表示します（パスワードは表示しません。忘れたら --reset-passwords）。"

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="表示するアドレス（例: http://127.0.0.1:8000/）")

    def handle(self, *args, url="", **options):
        usernames = [a[0] for a in ACCOUNTS]
        users = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("council")}
        self.stdout.write("")
        if url:
            self.stdout.write(f"アドレス: {url}（管理画面は {url.rstrip('/')}/admin/）")
        if not users:
            self.stdout.write("デモ用アカウントはまだありません: python manage.py seed_demo で作成します。")
            return
        self.stdout.write("デモ用アカウント: " + "、".join(
            f"{name}（{users[name].council or 'システム管理者'}）" for name in usernames if name in users
        ))  # fmt: skip
        if os.environ.get(PASSWORD_ENV):
            self.stdout.write(f"パスワード: 環境変数 {PASSWORD_ENV} の値")
        else:
            self.stdout.write(
                f"パスワード: 作成したときに表示したもの。忘れたときは `{RESET_COMMAND}` で設定し直して表示します。"
            )

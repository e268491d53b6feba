"""Delete the uploads whose time between preview and commit has run out."""

from django.core.management.base import BaseCommand

from shaho.core.uploads import pending_uploads_purge


class Command(BaseCommand):
    help = "確認待ちのアップロードのうち、有効期限を過ぎたものを削除します。"

    def handle(self, *args, verbosity=1, **options):
        deleted = pending_uploads_purge()
        if verbosity >= 1:
            self.stdout.write(f"期限切れのアップロードを{deleted:,}件削除しました。")

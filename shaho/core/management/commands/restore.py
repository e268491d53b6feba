"""manage.py restore ARCHIVE [--verify]: an archive back into an empty database and files storage."""

from django.core.management.base import BaseCommand, CommandError
from django.db.migrations.loader import MigrationLoader

from shaho.core.backups import services
from shaho.core.backups.crypto import ArchiveError


class Command(BaseCommand):
    help = (
        "manage.py backup のアーカイブを、空のデータベースと空のファイル置き場に復元します。"
        "--verify で行数・集約の記録のチェックサム・ファイルのハッシュをマニフェストと照合します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="アーカイブのファイル")
        parser.add_argument("--verify", action="store_true", help="復元後にマニフェストと照合して結果を表示する")

    def handle(self, *args, archive, verify=False, **options):
        try:
            result = services.backup_restore(path=archive, verify=verify)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        self.stdout.write(
            f"復元しました: {archive}（作成 {manifest['created_at']}、版 {manifest['app_version']}）\n"
            f"  {len(manifest['tables'])} 表 {result.rows:,} 行、ファイル {len(manifest['files'])} 件、"
            f"所要時間 {result.seconds:.1f} 秒"
        )
        known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        if len({tuple(m) for m in manifest["migrations"]}) < len(known):
            self.stdout.write("  このコードの方が新しい版です。続けて python manage.py migrate を実行してください。")
        if verify:
            self.stdout.write("照合: " + services.differences_text(result.differences))
            if result.differences:
                raise CommandError("復元したデータがマニフェストと一致しません。")

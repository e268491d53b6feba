"""manage.py backup: one encrypted archive of the database and the files (shaho.core.backups.services)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shaho.core.backups import services
from shaho.core.backups.crypto import ArchiveError, key_generate


def size_text(size):
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return ""


class Command(BaseCommand):
    help = (
        "データベース（PostgreSQL は pg_dump -Fc、SQLite はオンラインバックアップ）とファイル置き場のファイルを、"
        "マニフェストとともに一つのアーカイブにして SHAHO_BACKUP_KEY で暗号化します。"
        "保存先は --output か、設定の SHAHO_BACKUP_DIR（保存期間のルールを適用し、記録を残します）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="アーカイブを書き出すファイル（省略時は SHAHO_BACKUP_DIR に日時の名前で）")
        parser.add_argument("--no-encrypt", action="store_true", help="暗号化しない（DEBUG がオンのときだけ。開発用）")
        parser.add_argument("--verify", metavar="ARCHIVE", help="アーカイブを復元せずに検査する（復号と SHA-256）")
        parser.add_argument("--generate-key", action="store_true", help="SHAHO_BACKUP_KEY に使う新しい鍵を表示する")

    def handle(self, *args, output=None, no_encrypt=False, verify=None, generate_key=False, **options):
        if generate_key:
            self.stdout.write(key_generate())
            return
        try:
            if verify:
                return self._check(verify)
            if no_encrypt:
                if not settings.DEBUG:
                    raise ArchiveError(
                        "DEBUG がオフのときは --no-encrypt は使えません。暗号化しないアーカイブは作りません。"
                    )
                self.stderr.write("注意: 暗号化しないアーカイブを作ります（DEBUG がオンのため許可しています）。")
            if output:
                result = services.backup_write(path=output, encrypt=not no_encrypt)
                name, size, seconds, rows = result.path, result.size, result.seconds, result.rows
            else:
                record = services.backup_scheduled(encrypt=not no_encrypt)
                if record.verdict == record.Verdict.FAILED:
                    raise ArchiveError(record.message)
                name = services.Destination.configured().directory or ""
                name = f"{name}/{record.archive}" if name else record.archive
                size, seconds, rows = record.size, record.duration, record.rows
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"バックアップを作成しました: {name}\n"
            f"  サイズ {size_text(size)}（{size:,} バイト）、所要時間 {seconds:.1f} 秒、{rows:,} 行"
            + ("、暗号化あり" if not no_encrypt else "、暗号化なし")
        )

    def _check(self, path):
        manifest = services.archive_check(path)
        files = len(manifest["files"])
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"アーカイブは完全です（復号とすべてのメンバーの SHA-256 を確認）: {path}\n"
            f"  作成 {manifest['created_at']}、版 {manifest['app_version']}、"
            f"{services.ENGINE_LABELS[manifest['engine']]} {manifest['engine_major']}、"
            f"{len(manifest['tables'])} 表 {rows:,} 行、ファイル {files} 件"
        )

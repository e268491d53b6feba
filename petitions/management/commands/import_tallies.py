"""Import a tally file (xlsx or CSV) into a petition's ledger, as the admin's import page does.

python manage.py import_tallies 集約.xlsx --petition hoken-2025 --user tanaka --dry-run
python manage.py import_tallies 集約.csv --petition hoken-2025 --user tanaka --encoding cp932
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ...importing import (
    TallyImportRefused,
    describe_batch,
    duplicate_message,
    tally_import_commit,
    tally_import_preview,
)
from ...selectors import drive_for

MAX_LISTED_ERRORS = 200


class Command(BaseCommand):
    help = (
        "Excel（xlsx）・CSV の集約表を署名の集約記録に取り込みます。1行でもエラーがあれば何も取り込まず、"
        "エラーを行番号と列名で表示して終了コード 1 で終わります。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="取り込むファイル（.xlsx または .csv）")
        parser.add_argument("--petition", required=True, help="署名の識別名（slug）")
        parser.add_argument("--dry-run", action="store_true", help="確認だけして何も保存しない")
        parser.add_argument(
            "--encoding", choices=["utf-8", "cp932", "shift_jis"], help="CSV の文字コード（省略時は自動判別）"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="同じファイルの前回の取込を置き換える（前回の記録は訂正記録で打ち消す）",
        )
        parser.add_argument(
            "--user", help="入力者のユーザー名（権限の範囲もこのユーザーで判断）。省略時は最初のスーパーユーザー"
        )

    def handle(self, *args, file, petition, dry_run=False, encoding=None, replace=False, user=None, **options):
        drive = drive_for(identifier=petition, user=None)
        if drive is None:
            raise CommandError(f"署名「{petition}」はありません（--petition には識別名を指定してください）。")
        account = self._user(user)
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"ファイル「{file}」を読めません: {exc.strerror or exc}") from exc
        name = Path(file).name

        preview = tally_import_preview(petition=drive, data=data, filename=name, user=account, encoding=encoding)
        self.stdout.write(f"署名: {drive}　ファイル: {name}　入力者: {account.username}")
        self.stdout.write(f"確認: {preview.summary()}")
        if not preview.ok:
            raise CommandError(self._errors(preview.error_lines(limit=MAX_LISTED_ERRORS)))
        if preview.earlier_batch is not None and not replace:
            message = duplicate_message(preview.earlier_batch, visible=preview.earlier_visible)
            raise CommandError(message + "（--replace で置き換えます）")
        if dry_run:
            note = "（--replace で前回の取込を置き換えます）" if preview.earlier_batch else ""
            self.stdout.write(
                self.style.SUCCESS(f"問題はありません。確認のみ（--dry-run）のため何も保存していません。{note}")
            )
            return
        try:
            batch = tally_import_commit(
                petition=drive, data=data, filename=name, user=account, replace=replace, encoding=encoding
            )
        except TallyImportRefused as exc:
            raise CommandError(self._errors(exc.messages[:MAX_LISTED_ERRORS])) from exc
        if batch is None:
            self.stdout.write(self.style.SUCCESS("変更はありませんでした（すべての行が記録と同じです）。"))
            return
        self.stdout.write(self.style.SUCCESS(f"{describe_batch(batch)}として取り込みました。{batch.note}"))

    def _user(self, username):
        User = get_user_model()
        if username:
            account = User.objects.filter(username=username, is_active=True).first()
            if account is None:
                raise CommandError(f"ユーザー「{username}」はいません（または無効です）。")
            return account
        account = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if account is None:
            raise CommandError("--user で入力者を指定してください（スーパーユーザーもいません）。")
        self.stderr.write(
            f"注意: --user の指定がないため、スーパーユーザー「{account.username}」を入力者として記録します。"
        )
        return account

    def _errors(self, lines):
        return "取り込めません（何も保存していません）:\n" + "\n".join(f"  {line}" for line in lines)

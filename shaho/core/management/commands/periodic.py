"""manage.py periodic <name> | --list: one entry of CELERY_BEAT_SCHEDULE, run here and now (a cluster's CronJob)."""

from django.core.management.base import BaseCommand, CommandError

from shaho.core import periodic


class Command(BaseCommand):
    help = (
        "CELERY_BEAT_SCHEDULE の一項目のタスクを、名前で指定してこのプロセスで実行します"
        "（beat の代わりにクラスタの CronJob が使います）。--list で一覧を表示します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="CELERY_BEAT_SCHEDULE の項目名（例: core-backup-daily）")
        parser.add_argument(
            "--list", action="store_true", dest="list_entries", help="項目名、タスク、beat の予定、cron の書式を一覧"
        )

    def handle(self, *args, name=None, list_entries=False, **options):
        if list_entries:
            for entry_name, entry in periodic.entries().items():
                self.stdout.write(
                    f"{entry_name}\t{entry['task']}\t{periodic.describe(entry['schedule'])}\t"
                    f"cron {periodic.cron_for(entry['schedule'])}"
                )
            return
        if not name:
            raise CommandError(
                "実行する定期処理の名前を指定してください（--list で一覧）: " + "、".join(periodic.entries())
            )
        try:
            outcome = periodic.run(name)
        except periodic.UnknownEntry as error:
            raise CommandError(str(error)) from None
        if not outcome.ok:
            raise CommandError(outcome.line())
        self.stdout.write(outcome.line())

"""manage.py restore_drill: the weekly drill by hand (the newest archive into a scratch database, verified)."""

from django.core.management.base import BaseCommand, CommandError

from shaho.core.backups import services


class Command(BaseCommand):
    help = "最新のアーカイブを一時的なデータベースに復元して照合し、結果を記録します（週一回の復元訓練）。"

    def handle(self, *args, **options):
        record = services.drill_run()
        line = (
            f"復元訓練: {record.get_verdict_display()} {record.archive}（{record.duration:.1f} 秒）\n{record.message}"
        )
        if record.verdict == record.Verdict.FAILED:
            raise CommandError(line)
        self.stdout.write(line)

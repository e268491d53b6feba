from django.core.management.base import BaseCommand

from consultations import services


class Command(BaseCommand):
    help = "保存期間を過ぎた相談記録の自由記述（相談内容・助言・紹介先）を消去する（元に戻せません）"

    def handle(self, *args, **options):
        run = services.free_text_purge()
        self.stdout.write(f"{run.cutoff:%Y-%m-%d %H:%M}より前の相談 {run.calls_purged}件の自由記述を消去しました。")

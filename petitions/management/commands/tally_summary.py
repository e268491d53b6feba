"""Compare the tally summary (the dashboard's per-day and per-council sums) with the ledger, or recompute it."""

from django.core.management.base import BaseCommand, CommandError

from ...summary import tally_summary_differences, tally_summary_rebuild


class Command(BaseCommand):
    help = (
        "集約記録の要約（日別・社保協別の集計）を集約記録と照合します（--check、違いがあれば終了コード1）。"
        "--rebuild で集約記録から作り直します。"
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--check", action="store_true", help="集約記録と照合し、違いを表示する")
        group.add_argument("--rebuild", action="store_true", help="集約記録から作り直す")

    def handle(self, *args, **options):
        if options["rebuild"]:
            for table, n in tally_summary_rebuild().items():
                self.stdout.write(f"{table}: {n:,}行を作り直しました。")
            return
        differences = tally_summary_differences()
        for d in differences[:200]:
            where = "集約記録にあり要約にない" if d.side == "ledger" else "要約にあり集約記録にない"
            self.stdout.write(f"{d.table}: {where}: {d.row}")
        if differences:
            more = "（先頭200件を表示）" if len(differences) > 200 else ""
            raise CommandError(
                f"要約と集約記録に{len(differences):,}件の違いがあります{more}。--rebuild で作り直せます。"
            )
        self.stdout.write("要約は集約記録と一致しています。")

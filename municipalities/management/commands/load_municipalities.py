"""Load the registry of Japan, or apply 総務省's code list (xlsx) after a merger.

python manage.py load_municipalities
python manage.py load_municipalities --xlsx 000925835.xlsx --effective-on 2025-04-01
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from municipalities.registry.selectors import municipality_counts, prefecture_count
from municipalities.registry.services import registry_import_government_xlsx, registry_load
from shaho.core.japanese import parse_date


class Command(BaseCommand):
    help = (
        "都道府県・市区町村・行政区の参照データを読み込みます（何度実行しても同じ結果）。"
        "--xlsx で総務省「全国地方公共団体コード」のファイルを取り込みます。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--xlsx", metavar="FILE", help="総務省「全国地方公共団体コード」のExcelファイル")
        parser.add_argument("--effective-on", metavar="YYYY-MM-DD", help="--xlsx の内容が効力を持つ日（施行日）")
        parser.add_argument("--source-dir", metavar="DIR", help="同梱データの代わりに読み込むフォルダ")

    def handle(self, *args, xlsx=None, effective_on=None, source_dir=None, verbosity=1, **options):
        if xlsx:
            if not effective_on:
                raise CommandError("--xlsx には --effective-on（施行日）も指定してください。")
            try:
                date = parse_date(effective_on)
                result = registry_import_government_xlsx(path=xlsx, effective_on=date)
            except (OSError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            summary = (
                f"{date:%Y-%m-%d} 付：新設 {len(result.created):,}・廃止 {len(result.abolished):,}・"
                f"変更 {len(result.updated):,}・変更なし {result.unchanged:,}"
            )
        else:
            if effective_on:
                raise CommandError("--effective-on は --xlsx と一緒に指定してください。")
            try:
                result = registry_load(source_dir=source_dir)
            except (OSError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            date = timezone.localdate()
            summary = f"追加 {result.created:,}・更新 {result.updated:,}・変更なし {result.unchanged:,}"
            if result.kept:
                summary += f"・後から変更されたため据え置き {result.kept:,}"
        if verbosity >= 1:
            counts = municipality_counts(date=date)
            self.stdout.write(
                f"都道府県 {prefecture_count():,}、市区町村 {counts['municipalities']:,}"
                f"（うち特別区 {counts['special_ward']:,}）、行政区 {counts['ward']:,}"
                f"（{date:%Y-%m-%d} 現在）、{summary}"
            )

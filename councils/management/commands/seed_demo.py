"""Build the demo data of every app, councils first: a believable federation to try the system on."""

import importlib
import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from councils.demo import DemoDataError

# Apps whose demo data builds on the federation, in the order they depend on each other.
# Each may have a `demo` module with `seed(*, stdout)`; the ones not installed or without one are skipped.
DEMO_APPS = ["councils", "petitions", "campaigns", "municipalities", "consultations", "reports"]


def demo_modules(labels=DEMO_APPS):
    """(app label, demo module) for the installed apps among `labels` that have a demo module, in order."""
    found = []
    for label in labels:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        name = f"{config.name}.demo"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the demo module exists but imports something missing: say so
                raise
            continue
        if callable(getattr(module, "seed", None)):
            found.append((label, module))
    return found


class Command(BaseCommand):
    help = (
        "デモデータを作成します（中央・47都道府県・地域社保協、加盟団体、役員、役割ごとのアカウント、"
        "各アプリのデモデータ）。何度実行しても重複しません。新しいアカウントのパスワードは一度だけ表示します。"
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        for label, module in demo_modules():
            self.stdout.write(self.style.MIGRATE_HEADING(f"== {label}"))
            try:
                module.seed(stdout=self.stdout)
            except DemoDataError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"デモデータの作成が終わりました（{time.monotonic() - started:.1f}秒）。"))

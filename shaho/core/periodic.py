"""The periodic work of CELERY_BEAT_SCHEDULE, run one entry at a time outside beat (`manage.py periodic`).

One source for the schedule: settings.CELERY_BEAT_SCHEDULE. Compose runs Celery beat over it; a cluster
runs one CronJob per entry (deploy/k8s/base/cronjobs.yaml) with `manage.py periodic <name>` on the cron
string `cron_for` gives for the entry's schedule (tests/deploy/test_k8s_manifests.py holds them equal).
"""

import datetime
import time
from dataclasses import dataclass

from celery.schedules import crontab
from celery.schedules import schedule as interval_schedule
from django.conf import settings

# A CronJob runs at most once a minute: an entry more frequent than that runs every minute in a cluster.
CRON_FLOOR_SECONDS = 60


class UnknownEntry(LookupError):
    """No entry of CELERY_BEAT_SCHEDULE has that name; the message (Japanese) lists the names there are."""


class NoCronEquivalent(ValueError):
    """An interval schedule no five-field cron string repeats at the same period."""


def _seconds(schedule):
    if isinstance(schedule, interval_schedule):
        return schedule.run_every.total_seconds()
    if isinstance(schedule, datetime.timedelta):
        return schedule.total_seconds()
    return float(schedule)


def _field(value):
    if isinstance(value, (set, frozenset, list, tuple)):
        return ",".join(str(v) for v in sorted(value))
    return str(value)


def cron_for(schedule):
    """The five-field cron string (minute hour day-of-month month day-of-week) that repeats `schedule`.

    A crontab gives its own fields (in CELERY_TIMEZONE, as the CronJobs' timeZone). An interval of N
    seconds gives a string of the same period, starting on the hour (beat's phase is its start time, a
    cluster's the clock): every minute below CRON_FLOOR_SECONDS, every m minutes when m divides 60, every
    h hours when h divides 24, daily at 00:00, weekly on Sunday at 00:00. Raises NoCronEquivalent otherwise.
    """
    if isinstance(schedule, crontab):
        return " ".join(
            _field(value)
            for value in (
                schedule._orig_minute,
                schedule._orig_hour,
                schedule._orig_day_of_month,
                schedule._orig_month_of_year,
                schedule._orig_day_of_week,
            )
        )
    seconds = _seconds(schedule)
    if seconds <= CRON_FLOOR_SECONDS:
        return "* * * * *"
    minutes, rest = divmod(seconds, 60)
    if not rest and minutes < 60 and 60 % minutes == 0:
        return f"*/{int(minutes)} * * * *"
    hours, rest = divmod(seconds, 3600)
    if not rest and hours == 1:
        return "0 * * * *"
    if not rest and hours < 24 and 24 % hours == 0:
        return f"0 */{int(hours)} * * *"
    if seconds == 86400:
        return "0 0 * * *"
    if seconds == 7 * 86400:
        return "0 0 * * 0"
    raise NoCronEquivalent(f"{seconds:g} 秒ごとの予定を cron の書式で表せません。crontab(...) で指定してください。")


def describe(schedule):
    """The entry's schedule as beat reads it, for a person: 「15 秒ごと」, 「crontab 30 4 * * 0」."""
    if isinstance(schedule, crontab):
        return f"crontab {cron_for(schedule)}"
    return f"{_seconds(schedule):g} 秒ごと"


def entries():
    """settings.CELERY_BEAT_SCHEDULE, in its own order: {name: entry}."""
    return dict(settings.CELERY_BEAT_SCHEDULE)


def entry_named(name):
    """The CELERY_BEAT_SCHEDULE entry `name`; raises UnknownEntry with the names there are."""
    schedule = entries()
    if name not in schedule:
        raise UnknownEntry(
            f"定期処理「{name}」は CELERY_BEAT_SCHEDULE にありません。次のいずれかを指定してください: "
            + "、".join(schedule)
        )
    return schedule[name]


@dataclass
class Outcome:
    name: str
    task: str
    seconds: float
    result: object = None
    error: BaseException | None = None

    @property
    def ok(self):
        return self.error is None

    def line(self):
        """One log line: the entry, its task, the verdict, the time, and the result or the error (no newlines)."""
        if self.ok:
            tail = f"完了（{self.seconds:.1f} 秒）結果 {self.result!r}"
        else:
            tail = f"失敗（{self.seconds:.1f} 秒）{type(self.error).__name__}: {self.error}"
        return " ".join(f"定期処理 {self.name}（{self.task}）: {tail}".split())


def run(name):
    """Run entry `name`'s task in this process, synchronously, with the entry's args and kwargs.

    Returns an Outcome; an exception the task raises is caught into it (the caller decides the exit code).
    Raises UnknownEntry for a name not in the schedule, KeyError when its task is not registered.
    """
    from shaho.celery import app

    entry = entry_named(name)
    app.loader.import_default_modules()  # autodiscover every app's tasks, as a worker does at start
    task = app.tasks[entry["task"]]
    started = time.monotonic()
    try:
        result = task(*entry.get("args", ()), **entry.get("kwargs", {}))
    except Exception as error:
        return Outcome(name=name, task=entry["task"], seconds=time.monotonic() - started, error=error)
    return Outcome(name=name, task=entry["task"], seconds=time.monotonic() - started, result=result)

"""Backups that restore and prove it: write an archive, check it, restore it, verify it, keep a few, drill.

An archive is one file: a tar stream (the database dump, every file of the default storage under
`files/`, and `manifest.json` last) encrypted as it is written (`crypto.py`), so nothing is ever held
in memory whole. It is written under a temporary name and renamed once complete. Reading decrypts the
whole archive into a temporary directory first and checks every member against the manifest: a
damaged archive or a wrong key fails before anything is restored.

Errors meant for the person running the command are `ArchiveError`s with a Japanese message.
"""

import datetime
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from . import databases
from .crypto import ArchiveError, DecryptingReader, EncryptingWriter, is_encrypted, key_from_text
from .databases import ENGINE_LABELS, Target
from .models import BackupRecord

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
SUFFIX = ".shaho-backup"
_NAME_TIME = "%Y%m%d-%H%M%S"


# --- what goes into the manifest -----------------------------------------------------------------------


def app_version():
    """The running code's version: SHAHO_VERSION when set (images), else the git commit, else "unknown"."""
    if getattr(settings, "SHAHO_VERSION", ""):
        return settings.SHAHO_VERSION
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return completed.stdout.strip() if completed.returncode == 0 and completed.stdout.strip() else "unknown"


def default_target():
    return Target(dict(connections["default"].settings_dict))


def storage_names(storage, directory=""):
    """Every file of a storage, through the storage API (so object storage works as well as a directory)."""
    try:
        subdirs, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [f"{directory}/{name}" if directory else name for name in files]
    for sub in subdirs:
        names += storage_names(storage, f"{directory}/{sub}" if directory else sub)
    return sorted(names)


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """Hands a storage file to tarfile and hashes it on the way."""

    def __init__(self, stream):
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def read(self, size=-1):
        data = self.stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


# --- writing an archive ------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    size: int
    seconds: float
    manifest: dict
    encrypted: bool

    @property
    def rows(self):
        return sum(self.manifest["tables"].values())


def backup_key():
    """The key from SHAHO_BACKUP_KEY (settings), as bytes; ArchiveError when it is missing or malformed."""
    text = getattr(settings, "SHAHO_BACKUP_KEY", "")
    if not text:
        raise ArchiveError("SHAHO_BACKUP_KEY が設定されていません。暗号化の鍵を環境変数で指定してください。")
    return key_from_text(text)


def archive_name(now=None):
    now = now or timezone.now()
    return f"shaho-{now.astimezone(datetime.UTC).strftime(_NAME_TIME)}{SUFFIX}"


def backup_write(*, path, encrypt=True, key=None, target=None, storage=None, on_dump_started=None):
    """Writes one archive of the database and the default storage to `path` (a temporary name, then renamed).

    Refuses to write it unencrypted unless DEBUG is on. Returns a BackupResult (size in bytes, seconds).
    """
    if not encrypt and not settings.DEBUG:
        raise ArchiveError("DEBUG がオフのときは暗号化しないバックアップは作れません（--no-encrypt は開発用です）。")
    if encrypt and key is None:
        key = backup_key()
    target = target or default_target()
    storage = storage or default_storage
    path = Path(path)
    started = time.monotonic()
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    with tempfile.TemporaryDirectory(prefix="shaho-backup-") as staging:
        member = "database.pgdump" if target.engine == "postgresql" else "database.sqlite3"
        dump_path = Path(staging) / member
        figures = databases.dump(target, dump_path, on_dump_started=on_dump_started)
        members = {member: {"sha256": _sha256_file(dump_path), "size": dump_path.stat().st_size}}
        files = []
        try:
            with open(partial, "wb") as raw:
                sink = EncryptingWriter(raw, key) if encrypt else raw
                with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    tar.add(dump_path, arcname=member, recursive=False)
                    for name in storage_names(storage):
                        info = tarfile.TarInfo(f"files/{name}")
                        info.size = storage.size(name)
                        info.mtime = int(time.time())
                        with storage.open(name, "rb") as stream:
                            reader = _HashingReader(stream)
                            tar.addfile(info, reader)
                        if reader.size != info.size:
                            raise ArchiveError(
                                f"ファイル {name} がバックアップ中に変わりました。もう一度実行してください。"
                            )
                        members[info.name] = {"sha256": reader.digest.hexdigest(), "size": reader.size}
                        files.append(name)
                    manifest = {
                        "format": FORMAT,
                        "app_version": app_version(),
                        "created_at": timezone.now().isoformat(),
                        "engine": figures["engine"],
                        "engine_major": figures["engine_major"],
                        "migrations": figures["migrations"],
                        "tables": figures["tables"],
                        "ledger": figures["ledger"],
                        "database": member,
                        "files": files,
                        "members": members,
                    }
                    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime = len(data), int(time.time())
                    tar.addfile(info, io.BytesIO(data))
                if encrypt:
                    sink.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, path)
        finally:
            if partial.exists():
                partial.unlink()
    return BackupResult(path, path.stat().st_size, time.monotonic() - started, manifest, encrypt)


# --- reading an archive ---------------------------------------------------------------------------------------


@contextmanager
def archive_opened(path, *, key=None):
    """Decrypts and unpacks an archive into a temporary directory; yields (directory, manifest).

    Every chunk is authenticated and every member's SHA-256 checked against the manifest before the
    caller sees anything; ArchiveError (Japanese) otherwise.
    """
    path = Path(path)
    if not path.exists():
        raise ArchiveError(f"アーカイブ {path} が見つかりません。")
    with tempfile.TemporaryDirectory(prefix="shaho-restore-") as directory, open(path, "rb") as raw:
        if is_encrypted(path):
            source = DecryptingReader(raw, key if key is not None else backup_key())
        else:
            source = raw
        try:
            with tarfile.open(fileobj=source, mode="r|") as tar:
                tar.extractall(directory, filter="data")
        except (tarfile.TarError, EOFError, OSError) as error:
            if isinstance(error, ArchiveError):
                raise
            raise ArchiveError(f"アーカイブを展開できません（壊れています）: {error}") from None
        if isinstance(source, DecryptingReader):
            source.drain()
        manifest_path = Path(directory) / MANIFEST
        if not manifest_path.exists():
            raise ArchiveError("アーカイブに manifest.json がありません（途中で切れているか、別の形式です）。")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for member, expected in manifest["members"].items():
            member_path = Path(directory) / member
            if not member_path.exists() or _sha256_file(member_path) != expected["sha256"]:
                raise ArchiveError(
                    f"アーカイブの {member} がマニフェストの SHA-256 と一致しません。何も復元していません。"
                )
        yield Path(directory), manifest


def archive_check(path, *, key=None):
    """Integrity only: decrypts and checks every member, restores nothing. Returns the manifest."""
    with archive_opened(path, key=key) as (_, manifest):
        return manifest


# --- restoring ------------------------------------------------------------------------------------------------


def compatibility_problems(manifest, target):
    """Japanese sentences for everything that stops this archive going into `target` with this code."""
    problems = []
    engine = target.engine
    if manifest["engine"] != engine:
        problems.append(
            f"データベースの種類が違います：アーカイブは {ENGINE_LABELS[manifest['engine']]} "
            f"{manifest['engine_major']}、復元先は {ENGINE_LABELS[engine]} です。"
        )
    else:
        major = databases.target_engine_major(target)
        if manifest["engine_major"] != major:
            problems.append(
                f"データベースのメジャーバージョンが違います：アーカイブは {ENGINE_LABELS[engine]} "
                f"{manifest['engine_major']}、復元先は {major} です。"
            )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known]
    if unknown:
        shown = "、".join(unknown[:10]) + (f" ほか{len(unknown) - 10}件" if len(unknown) > 10 else "")
        problems.append(
            f"アーカイブはこのシステムより新しい版（{manifest['app_version']}）で作られています："
            f"このコードが知らないマイグレーション {shown} が適用されています。新しい版のコードで復元してください。"
        )
    return problems


@dataclass
class Difference:
    what: str
    expected: object
    found: object


@dataclass
class RestoreResult:
    manifest: dict
    seconds: float = 0.0
    differences: list = field(default_factory=list)
    verified: bool = False

    @property
    def rows(self):
        return sum(self.manifest["tables"].values())


def _storage_empty_problem(storage):
    names = storage_names(storage)
    if names:
        return (
            f"復元先のファイル置き場が空ではありません（{len(names)}件、例：{names[0]}）。"
            "空の置き場を指定してください。"
        )
    return None


def backup_restore(*, path, key=None, target=None, storage=None, verify=False):
    """Restores an archive into an EMPTY database and files storage; compares with the manifest when `verify`.

    Refuses (ArchiveError, Japanese, nothing written) a damaged archive, a wrong key, an archive from a
    newer version or another engine, and a target database or storage that holds anything.
    """
    target = target or default_target()
    storage = storage or default_storage
    started = time.monotonic()
    with archive_opened(path, key=key) as (directory, manifest):
        problems = compatibility_problems(manifest, target)
        if problems:  # the target is not even looked at (it may be another engine's)
            raise ArchiveError("復元できません。\n" + "\n".join(f"・{problem}" for problem in problems))
        full = databases.tables_with_rows(target)
        if full:
            listed = "、".join(f"{table}（{rows:,}行）" for table, rows in full[:5])
            problems.append(
                f"復元先のデータベース「{target.name}」にはすでにデータがあります：{listed}"
                f"{' ほか' if len(full) > 5 else ''}。空のデータベースを指定してください。"
            )
        storage_problem = _storage_empty_problem(storage)
        if storage_problem:
            problems.append(storage_problem)
        if problems:
            raise ArchiveError("復元できません。\n" + "\n".join(f"・{problem}" for problem in problems))
        databases.restore(target, directory / manifest["database"])
        for name in manifest["files"]:
            with open(directory / "files" / name, "rb") as stream:
                saved = storage.save(name, File(stream, name=name))
            if saved != name:
                raise ArchiveError(f"ファイル {name} を元の名前で戻せませんでした（{saved}）。")
    result = RestoreResult(manifest=manifest, seconds=time.monotonic() - started)
    if verify:
        result.differences = restore_differences(manifest, target=target, storage=storage)
        result.verified = True
    return result


def restore_differences(manifest, *, target, storage):
    """Every difference between a restored database and storage and the manifest: [] when all match."""
    found = databases.target_figures(target)
    differences = []
    for table in sorted(set(manifest["tables"]) | set(found["tables"])):
        expected, actual = manifest["tables"].get(table), found["tables"].get(table)
        if expected != actual:
            differences.append(Difference(f"表 {table} の行数", expected, actual))
    for drive in sorted(set(manifest["ledger"]) | set(found["ledger"]), key=lambda d: (len(d), d)):
        expected, actual = manifest["ledger"].get(drive), found["ledger"].get(drive)
        if expected != actual:
            differences.append(Difference(f"集約の記録（署名 id {drive}）の件数・合計・最大 id", expected, actual))
    for name in manifest["files"]:
        expected = manifest["members"][f"files/{name}"]["sha256"]
        actual = None
        if storage.exists(name):
            with storage.open(name, "rb") as stream:
                digest = hashlib.sha256()
                for block in iter(lambda: stream.read(1024 * 1024), b""):
                    digest.update(block)
                actual = digest.hexdigest()
        if expected != actual:
            differences.append(Difference(f"ファイル {name} の SHA-256", expected, actual))
    return differences


def differences_text(differences):
    """The verification's verdict for a person: 「一致」, or a table of what differs."""
    if not differences:
        return "一致（行数・集約の記録のチェックサム・ファイルのハッシュがすべてマニフェストと同じです）"
    lines = [f"不一致 {len(differences)}件", "項目\tマニフェスト\t復元後"]
    lines += [f"{d.what}\t{d.expected}\t{d.found}" for d in differences]
    return "\n".join(lines)


# --- where the scheduled archives go, and how many are kept ----------------------------------------------


class Destination:
    """The scheduled backups' place: a directory (SHAHO_BACKUP_DIR) or a Django storage (SHAHO_BACKUP_STORAGE)."""

    def __init__(self, *, directory=None, storage=None):
        self.directory = Path(directory) if directory else None
        self.storage = storage

    @classmethod
    def configured(cls):
        if getattr(settings, "SHAHO_BACKUP_STORAGE", ""):
            return cls(storage=storages[settings.SHAHO_BACKUP_STORAGE])
        return cls(directory=settings.SHAHO_BACKUP_DIR)

    def __str__(self):
        return str(self.directory) if self.directory else f"storage {settings.SHAHO_BACKUP_STORAGE}"

    def names(self):
        if self.directory:
            if not self.directory.exists():
                return []
            names = [p.name for p in self.directory.iterdir() if p.is_file()]
        else:
            names = self.storage.listdir("")[1]
        return sorted(n for n in names if n.startswith("shaho-") and n.endswith(SUFFIX))

    def write(self, **kwargs):
        """A new archive here (named by the time, UTC); returns the BackupResult."""
        name = archive_name()
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)
            return backup_write(path=self.directory / name, **kwargs)
        with tempfile.TemporaryDirectory(prefix="shaho-backup-out-") as out:
            result = backup_write(path=Path(out) / name, **kwargs)
            with open(result.path, "rb") as stream:
                self.storage.save(name, File(stream, name=name))
            result.path = Path(name)
            return result

    @contextmanager
    def local_copy(self, name):
        if self.directory:
            yield self.directory / name
            return
        with tempfile.TemporaryDirectory(prefix="shaho-backup-in-") as out, self.storage.open(name, "rb") as stream:
            local = Path(out) / name
            with open(local, "wb") as copy:
                shutil.copyfileobj(stream, copy)
            yield local

    def size(self, name):
        return (self.directory / name).stat().st_size if self.directory else self.storage.size(name)

    def delete(self, name):
        if self.directory:
            (self.directory / name).unlink()
        else:
            self.storage.delete(name)


def archive_time(name):
    stamp = name[len("shaho-") : -len(SUFFIX)]
    return datetime.datetime.strptime(stamp, _NAME_TIME).replace(tzinfo=datetime.UTC)


def retention_keep(names, *, daily, weekly, monthly, tz=None):
    """The archives a grandfather-father-son rule keeps: the newest of each of the last `daily` days,
    `weekly` ISO weeks and `monthly` months that have an archive (days in the site's time zone)."""
    tz = tz or timezone.get_current_timezone()
    newest_first = sorted(names, key=archive_time, reverse=True)
    keep = set()
    for count, period in (
        (daily, lambda t: t.date()),
        (weekly, lambda t: t.isocalendar()[:2]),
        (monthly, lambda t: (t.year, t.month)),
    ):
        seen = []
        for name in newest_first:
            key = period(archive_time(name).astimezone(tz))
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(name)
    return keep


def retention_apply(destination):
    """Deletes the archives the retention rule (settings SHAHO_BACKUP_KEEP_*) no longer keeps; returns them."""
    names = destination.names()
    keep = retention_keep(
        names,
        daily=settings.SHAHO_BACKUP_KEEP_DAILY,
        weekly=settings.SHAHO_BACKUP_KEEP_WEEKLY,
        monthly=settings.SHAHO_BACKUP_KEEP_MONTHLY,
    )
    removed = [name for name in names if name not in keep]
    for name in removed:
        destination.delete(name)
    return removed


# --- the scheduled runs, each recorded ---------------------------------------------------------------------


def backup_scheduled(*, destination=None, **options):
    """The daily backup: an archive in the destination, the retention rule, and a BackupRecord either way.

    `options` go to `backup_write` (encrypt=False for a development run)."""
    destination = destination or Destination.configured()
    started_at, started = timezone.now(), time.monotonic()
    try:
        result = destination.write(**options)
        removed = retention_apply(destination)
    except Exception as error:
        message = str(error) if isinstance(error, ArchiveError) else f"{type(error).__name__}: {error}"
        logger.error("Backup failed: %s", message, exc_info=not isinstance(error, ArchiveError))
        return BackupRecord.objects.create(
            kind=BackupRecord.Kind.BACKUP, started_at=started_at, verdict=BackupRecord.Verdict.FAILED,
            duration=time.monotonic() - started, message=message,
        )  # fmt: skip
    note = f"保存先 {destination}。" + (f"保存期間を過ぎた {len(removed)}件を削除しました。" if removed else "")
    return BackupRecord.objects.create(
        kind=BackupRecord.Kind.BACKUP, started_at=started_at, archive=result.path.name, size=result.size,
        rows=result.rows, verdict=BackupRecord.Verdict.OK, duration=result.seconds, message=note,
    )  # fmt: skip


@contextmanager
def scratch_target(source=None):
    """A new, empty database beside the live one, removed afterwards: PostgreSQL a database named after the
    live one plus `_drill_` and a random suffix (created and dropped), SQLite a temporary file."""
    source = source or default_target()
    if source.engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="shaho-drill-") as directory:
            yield source.renamed(str(Path(directory) / "drill.sqlite3"))
        return
    name = f"{source.name[:40]}_drill_{uuid.uuid4().hex[:8]}"
    scratch = databases.scratch_create(source, name)
    try:
        yield scratch
    finally:
        databases.scratch_drop(source, name)


def drill_run(*, destination=None):
    """The weekly restore drill: the newest archive restored into a scratch database and storage, verified
    against its manifest, and recorded (verdict 成功 only when everything matches); failures are logged."""
    destination = destination or Destination.configured()
    started_at, started = timezone.now(), time.monotonic()
    record = BackupRecord(kind=BackupRecord.Kind.DRILL, started_at=started_at, verdict=BackupRecord.Verdict.FAILED)
    try:
        names = destination.names()
        if not names:
            raise ArchiveError(f"復元するアーカイブがありません（{destination}）。")
        record.archive = names[-1]
        record.size = destination.size(names[-1])
        with (
            destination.local_copy(names[-1]) as local,
            scratch_target() as target,
            tempfile.TemporaryDirectory(prefix="shaho-drill-files-") as files,
        ):
            result = backup_restore(path=local, target=target, storage=FileSystemStorage(location=files), verify=True)
        record.rows = result.rows
        record.message = differences_text(result.differences)
        if not result.differences:
            record.verdict = BackupRecord.Verdict.OK
        else:
            logger.error("Restore drill of %s: %s", record.archive, record.message)
    except Exception as error:
        record.message = str(error) if isinstance(error, ArchiveError) else f"{type(error).__name__}: {error}"
        logger.error("Restore drill failed: %s", record.message, exc_info=not isinstance(error, ArchiveError))
    record.duration = time.monotonic() - started
    record.save()
    return record

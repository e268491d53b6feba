"""SHAHO_STORAGE: the local MEDIA_ROOT by default (`make run` needs nothing), an S3-compatible bucket with
SHAHO_STORAGE=s3, configured from the environment as shaho/settings.py reads it (each case in a fresh process)."""

import json
import os
import subprocess
import sys

from django.conf import settings as django_settings

SHOW = (
    "import json; from django.conf import settings as s; from django.core.files.storage import storages; "
    "d = storages['default']; b = storages['backups'] if 'backups' in s.STORAGES else None; print(json.dumps({"
    "'class': type(d).__name__, "
    "'bucket': getattr(d, 'bucket_name', None), 'endpoint': getattr(d, 'endpoint_url', None), "
    "'region': getattr(d, 'region_name', None), 'acl': getattr(d, 'default_acl', 'n/a'), "
    "'signed': getattr(d, 'querystring_auth', None), 'expire': getattr(d, 'querystring_expire', None), "
    "'overwrite': getattr(d, 'file_overwrite', None), 'location': str(getattr(d, 'location', '')), "
    "'redirect': s.SHAHO_DOWNLOAD_REDIRECT, 'seconds': s.SHAHO_S3_SIGNED_URL_SECONDS, "
    "'backups': getattr(b, 'bucket_name', None), "
    "'timeouts': [getattr(d, 'client_config', None) and getattr(d.client_config, n) for n in "
    "('connect_timeout', 'read_timeout', 'signature_version')]}))"
)
NAMES = (
    "SHAHO_STORAGE", "SHAHO_S3_BUCKET", "SHAHO_S3_ENDPOINT_URL", "SHAHO_S3_REGION", "SHAHO_S3_SIGNED_URL_SECONDS",
    "SHAHO_DOWNLOAD_REDIRECT", "SHAHO_BACKUP_S3_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MEDIA_ROOT",
    "DATABASE_URL",
)  # fmt: skip


def _settings_with(**env):
    clean = {k: v for k, v in os.environ.items() if k not in NAMES} | env
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW],
        cwd=django_settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result


def _shown(**env):
    result = _settings_with(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_default_is_the_local_media_root(tmp_path):
    shown = _shown(MEDIA_ROOT=str(tmp_path))
    assert shown["class"] == "FileSystemStorage" and shown["location"] == str(tmp_path)
    assert shown["redirect"] is False and shown["seconds"] == 60 and shown["backups"] is None


def test_s3_is_a_private_bucket_with_signed_short_lived_urls():
    shown = _shown(
        SHAHO_STORAGE="s3",
        SHAHO_S3_BUCKET="shaho-files",
        SHAHO_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        SHAHO_S3_SIGNED_URL_SECONDS="45",
        SHAHO_DOWNLOAD_REDIRECT="1",
        SHAHO_BACKUP_S3_BUCKET="shaho-backups",
        AWS_ACCESS_KEY_ID="id",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert shown["class"] == "S3Storage" and shown["bucket"] == "shaho-files"
    assert shown["endpoint"] == "http://127.0.0.1:9000" and shown["region"] == "us-east-1"
    assert shown["acl"] is None and shown["signed"] is True and shown["expire"] == 45
    assert shown["overwrite"] is False and shown["timeouts"] == [5, 30, "s3v4"]
    assert shown["redirect"] is True and shown["seconds"] == 45 and shown["backups"] == "shaho-backups"


def test_s3_without_a_bucket_or_with_the_backups_in_the_files_bucket_is_refused():
    result = _settings_with(SHAHO_STORAGE="s3")
    assert result.returncode != 0 and "SHAHO_STORAGE=s3 needs SHAHO_S3_BUCKET" in result.stderr
    result = _settings_with(SHAHO_STORAGE="s3", SHAHO_S3_BUCKET="one", SHAHO_BACKUP_S3_BUCKET="one")
    assert result.returncode != 0 and "must be another bucket than SHAHO_S3_BUCKET" in result.stderr
    result = _settings_with(SHAHO_STORAGE="S3-compatible")
    assert result.returncode != 0 and "SHAHO_STORAGE must be 'local' or 's3'" in result.stderr

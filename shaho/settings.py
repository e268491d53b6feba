"""Settings for shaho, read from the environment in this one module.

Defaults make `make run` work on a fresh machine: SQLite in the project,
Celery tasks run in-process, mail printed to the console.
"""

import datetime
import os
import tempfile
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from shaho.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "import_export",
    # The read API (issue 21): Django REST Framework, its OpenAPI schema, Swagger UI/Redoc served from our static files.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "shaho.core",
    # Access (issue 7): login lock-out, two-factor authentication.
    "shaho.core.apps.AxesConfig",  # django-axes, with a Japanese heading
    "django_otp",
    "shaho.core.apps.TOTPConfig",  # django_otp.plugins.otp_totp with a Japanese heading
    "municipalities",
    "councils",
    "petitions",
    "campaigns",
    "consultations",
    "reports",
    "demo",  # demo data over every app (seed_demo); nothing imports it
]

MIDDLEWARE = [
    # Issue 22 (queues part): the probes /health/live/ and /health/ready/ are answered first, from any Host and
    # over plain HTTP (shaho.core.health); then every other request gets its id and, with LOG_FORMAT=json,
    # its log line (shaho.core.logs).
    "shaho.core.health.HealthMiddleware",
    "shaho.core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Pages carry their charts and maps as SVG (the national home page's two municipality maps are ~250 KB
    # each); compressed they travel at a fraction. Django's GZip adds random padding against BREACH, and the
    # CSRF token is masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle/absolute session limits, then the TOTP gate (both need the user and messages).
    "shaho.core.access.SessionLimitsMiddleware",
    "shaho.core.access.OTPRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a lock-out flagged during authentication into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Static files served by the app itself under gunicorn (collectstatic fills STATIC_ROOT).
    # Right after SecurityMiddleware, as WhiteNoise asks (the probes and the request log stay in front).
    _AFTER_SECURITY = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
    MIDDLEWARE.insert(_AFTER_SECURITY, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "shaho.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Forms' widgets: Django's renderer with its commonest widget templates written in Python (the same bytes;
# shaho/core/form_renderer.py), for the phone entry's speed on a submission day.
FORM_RENDERER = "shaho.core.form_renderer.FormRenderer"

WSGI_APPLICATION = "shaho.wsgi.application"

# A connection is kept for CONN_MAX_AGE seconds and checked before a request reuses it (CONN_HEALTH_CHECKS):
# after PostgreSQL restarts, the first request of each worker would otherwise fail on the dead connection
# (drill 3, tests/drills/test_drill3_postgresql_restart.py).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", default=True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves requests while a report job writes in its own thread (no broker):
    # WAL lets readers go on during a write, IMMEDIATE takes the write lock up front (no deadlock on
    # upgrade), and a writer waits up to 20 s for the other instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests likewise use a file, not the in-memory database: its shared cache locks whole tables and
    # fails at once ("database table is locked") when the job's thread and a page read together.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"shaho-test-{os.getpid()}.sqlite3"),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "councils.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
LOCALE_PATHS = [BASE_DIR / "locale"]  # Japanese for django-axes' and django-otp's labels
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["shaho.formats"]  # 「2026年12月6日 18:01」: a space between date and time

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Static files served by the app itself under gunicorn (no separate web server in the compose setup).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# === Object storage (issue 22, storage slice) ==========================================
# Every file the system writes or keeps (reports, newsletter photos, assembly attachments, backups) goes
# through Django's storage API. The default is the local MEDIA_ROOT (so `make run` needs nothing);
# SHAHO_STORAGE=s3 puts them in an S3-compatible bucket (django-storages) that several web and worker
# machines share. No object is public: no ACL is set (the bucket's own policy, private), every URL is
# signed and expires after SHAHO_S3_SIGNED_URL_SECONDS; downloads go through the scope check in the web
# process, which streams the file or, with SHAHO_DOWNLOAD_REDIRECT=1, redirects to such a signed URL.
SHAHO_STORAGE = os.environ.get("SHAHO_STORAGE", "local").strip().lower() or "local"
if SHAHO_STORAGE not in {"local", "s3"}:
    raise ImproperlyConfigured(f"SHAHO_STORAGE must be 'local' or 's3', not {SHAHO_STORAGE!r}.")
SHAHO_S3_SIGNED_URL_SECONDS = int(os.environ.get("SHAHO_S3_SIGNED_URL_SECONDS", "60"))
SHAHO_DOWNLOAD_REDIRECT = env_bool("SHAHO_DOWNLOAD_REDIRECT", default=False)


def s3_storage_options(*, bucket, location=""):
    """The options of one S3Storage: the bucket, private objects, signed short-lived URLs."""
    from botocore.config import Config  # only with object storage configured

    return {
        "bucket_name": bucket,
        "location": location,
        "endpoint_url": os.environ.get("SHAHO_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("SHAHO_S3_REGION", "us-east-1"),
        # boto3 reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY itself; read here so settings name them.
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "default_acl": None,  # no per-object ACL: objects are as private as the bucket
        "querystring_auth": True,  # every URL signed …
        "querystring_expire": SHAHO_S3_SIGNED_URL_SECONDS,  # … and short-lived
        "file_overwrite": False,  # a name taken gets a suffix, as on the local disk
        # SigV4, path-style addressing (works with any S3-compatible server: MinIO, SeaweedFS, moto), and short
        # network timeouts: a bucket that does not answer costs a request seconds, not a gunicorn worker.
        "client_config": Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
        ),
        # An object read by the web process (a download, a photo for a PDF) is held in memory up to 4 MB,
        # then in a temporary file: a 45-page draft never sits whole in a gunicorn worker's memory.
        "max_memory_size": 4 * 1024 * 1024,
    }


if SHAHO_STORAGE == "s3":
    SHAHO_S3_BUCKET = os.environ.get("SHAHO_S3_BUCKET", "")
    if not SHAHO_S3_BUCKET:
        raise ImproperlyConfigured("SHAHO_STORAGE=s3 needs SHAHO_S3_BUCKET (the bucket's name).")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_storage_options(bucket=SHAHO_S3_BUCKET),
    }
# Backups to a bucket: SHAHO_BACKUP_S3_BUCKET names it (never the files' bucket: a backup of the files must
# not hold the backups) and SHAHO_BACKUP_STORAGE=backups sends the scheduled archives there.
SHAHO_BACKUP_S3_BUCKET = os.environ.get("SHAHO_BACKUP_S3_BUCKET", "")
if SHAHO_BACKUP_S3_BUCKET and SHAHO_BACKUP_S3_BUCKET == os.environ.get("SHAHO_S3_BUCKET", ""):
    raise ImproperlyConfigured("SHAHO_BACKUP_S3_BUCKET must be another bucket than SHAHO_S3_BUCKET (the files').")
if SHAHO_BACKUP_S3_BUCKET:
    STORAGES["backups"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_storage_options(bucket=SHAHO_BACKUP_S3_BUCKET),
    }
# === end of the object storage block ===================================================

# The PDF font; `make run` / `make test` fetch it into fonts/ (see Makefile).
REPORTS_FONT_PATH = os.environ.get("REPORTS_FONT_PATH") or (
    str(BASE_DIR / "fonts" / "ipaexg.ttf") if (BASE_DIR / "fonts" / "ipaexg.ttf").exists() else ""
)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shaho@localhost")
# Outgoing mail (password resets) through a relay, with EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
# (issue 22: compose and the cluster manifests set these; the default console backend only prints the mail).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10  # seconds: a relay that does not answer fails the send instead of holding the request

# Celery: with no broker configured, tasks run in-process (eagerly).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker, tasks run in-process: in a thread after the commit (shaho.core.tasks), so requesting
# a report returns at once and the job page shows its progress. Tests switch it off (tests/conftest.py).
TASKS_EAGER_IN_THREAD = os.environ.get("TASKS_EAGER_IN_THREAD", "1" if not CELERY_BROKER_URL else "0") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# A request that sends a task must never wait for the broker (issue 20: with Redis unreachable a report
# request hung 19 s in the result backend's reconnect loop, then answered 500). The job rows are the truth
# (an outbox: reports.services), so nothing reads task results: sending skips the result backend entirely.
# A task whose caller reads its result says so (the CI ping: shaho.celery.ping, ignore_result=False).
CELERY_TASK_IGNORE_RESULT = True
# Publishing gives up quickly: one connect of at most BROKER_CONNECT_TIMEOUT seconds, one quick retry. An
# unsent job stays 待機中 with its message unsent, and the sweep below sends it once the broker answers.
# A broker that accepts the connection and then says nothing (hung, half-open) costs at most
# BROKER_SOCKET_TIMEOUT per try: two tries stay well under the 2 s a request may take (tests/reports/test_outbox.py).
BROKER_CONNECT_TIMEOUT = float(os.environ.get("BROKER_CONNECT_TIMEOUT", "0.5"))
BROKER_SOCKET_TIMEOUT = float(os.environ.get("BROKER_SOCKET_TIMEOUT", "0.6"))
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_CONNECT_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
    # Blocking commands only (a publish, an ack); the worker's BRPOP waits in its event loop, not on this.
    "socket_timeout": BROKER_SOCKET_TIMEOUT,
    # The connect that a producer's first channel makes (kombu Connection.default_channel): one retry.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# The worker itself keeps trying to reach a broker that is down (it has nobody waiting on it).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Should a caller ask for a result while the result store is down, it fails in seconds, not 20 retries.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = 5.0
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}

# Report jobs (reports.services): how a dead worker is noticed and its job retried. A job 作成中 writes
# heartbeat_at every REPORTS_HEARTBEAT_SECONDS (a thread beside the render, so a long PDF layout with no
# progress step still beats); the sweep (Celery beat, every REPORTS_SWEEP_SECONDS) takes a job whose
# heartbeat is older than REPORTS_STALE_AFTER_SECONDS for dead and sends attempt n+1, up to
# REPORTS_MAX_ATTEMPTS attempts, then marks it 失敗 with the reason. A worker restarting with the same node
# name requeues its dead predecessor's jobs at once (reports.tasks, worker_ready). With the defaults a job
# whose worker was SIGKILLed is running again within STALE_AFTER + SWEEP (about 75 s); drills shorten them,
# e.g. REPORTS_HEARTBEAT_SECONDS=2 REPORTS_STALE_AFTER_SECONDS=10 REPORTS_SWEEP_SECONDS=3.
# Keep STALE_AFTER at several heartbeats: a busy database may delay one.
REPORTS_HEARTBEAT_SECONDS = float(os.environ.get("REPORTS_HEARTBEAT_SECONDS", "10"))
REPORTS_STALE_AFTER_SECONDS = float(os.environ.get("REPORTS_STALE_AFTER_SECONDS", "60"))
REPORTS_SWEEP_SECONDS = float(os.environ.get("REPORTS_SWEEP_SECONDS", "15"))
REPORTS_MAX_ATTEMPTS = int(os.environ.get("REPORTS_MAX_ATTEMPTS", "3"))
# A job handed to the broker but still 待機中 this long after is sent again (a broker restarted without its
# data loses messages); a duplicate is harmless: the job row's attempt number lets one message run it.
REPORTS_RESEND_AFTER_SECONDS = float(os.environ.get("REPORTS_RESEND_AFTER_SECONDS", "1800"))
if REPORTS_STALE_AFTER_SECONDS < 3 * REPORTS_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("REPORTS_STALE_AFTER_SECONDS must be at least 3 × REPORTS_HEARTBEAT_SECONDS")

# === Queues by kind of work (issue 22, queues part) ===================================
# `reports`: WeasyPrint renders, memory-heavy and long (a 45-page policy draft takes minutes); `imports`: the
# spreadsheet intake's commits (`core.run_import`: the rows of a checked upload, one transaction, with progress);
# `default`: mail and upkeep, all short. A worker takes one or several: `-Q reports` (concurrency 1–2) and
# `-Q imports,default` in production (docker-compose.yml), all three under `make worker` and CI (.ci/run).
# Every task is routed here by name, so a long render never sits in front of a short job
# (tests/core/test_queues.py checks that each registered task has a route).
CELERY_TASK_DEFAULT_QUEUE = "default"
SHAHO_QUEUES = ("reports", "imports", "default")
# Declared, so that `celery purge` empties all three and a worker started without -Q takes all three (one
# machine); each exactly as Celery would make it from a route (a direct exchange of the queue's name).
CELERY_TASK_QUEUES = [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in SHAHO_QUEUES]
CELERY_TASK_ROUTES = {
    "reports.render_report": {"queue": "reports"},
    "reports.sweep_stale_jobs": {"queue": "default"},
    "core.purge_pending_uploads": {"queue": "default"},
    "core.backup_daily": {"queue": "default"},
    "core.restore_drill": {"queue": "default"},
    "consultations.purge_free_text": {"queue": "default"},
    "core.flush_api_uses": {"queue": "default"},
    "core.run_import": {"queue": "imports"},
    "core.sweep_import_jobs": {"queue": "default"},
    "shaho.ping": {"queue": "default"},
}
# A worker process is replaced after this many tasks, or once its resident memory passes this many KiB
# (checked after each task): WeasyPrint's layout of a long document leaves a large heap behind. Measured: a
# process that built the full demo and rendered the 42-page policy draft ten times peaked at 349 MB
# (bench/bench_policy_draft.py under /usr/bin/time -v), so 512 MB leaves room for one render and recycles after.
CELERY_WORKER_MAX_TASKS_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_TASKS_PER_CHILD", "50"))
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_MEMORY_PER_CHILD", str(512 * 1024)))
# === end of the queues block ===========================================================

CELERY_BEAT_SCHEDULE = {
    # Sends every job committed but never handed to the broker, requeues or fails the ones whose worker died.
    "reports-sweep-stale-jobs": {"task": "reports.sweep_stale_jobs", "schedule": REPORTS_SWEEP_SECONDS},
    # The same for import jobs (shaho.core.import_jobs), with the same heartbeat and attempts settings.
    "core-sweep-import-jobs": {"task": "core.sweep_import_jobs", "schedule": REPORTS_SWEEP_SECONDS},
    # Uploads waiting between an import's preview and its commit, once they have expired.
    "core-purge-pending-uploads": {"task": "core.purge_pending_uploads", "schedule": 3600.0},
    # Free text of calls past the retention period the coordinators set (consultations.services).
    "consultations-purge-free-text": {"task": "consultations.purge_free_text", "schedule": 86400.0},
    # The daily backup (with its retention rule) and the weekly restore drill (shaho.core.backups).
    "core-backup-daily": {"task": "core.backup_daily", "schedule": crontab(hour=3, minute=0)},
    "core-restore-drill-weekly": {"task": "core.restore_drill", "schedule": crontab(hour=4, minute=30, day_of_week=0)},
}

# Backups (shaho.core.backups, `manage.py backup` / `restore` / `restore_drill`). The key (32 bytes,
# URL-safe base64: `manage.py backup --generate-key`) comes from the environment only; without it no
# archive is written (unencrypted ones only with DEBUG on). Archives go to a directory, or to a Django
# storage named in STORAGES when SHAHO_BACKUP_STORAGE is set. Kept: the newest of each of the last
# 7 days, 4 weeks and 12 months.
SHAHO_BACKUP_KEY = os.environ.get("SHAHO_BACKUP_KEY", "")
SHAHO_BACKUP_DIR = Path(os.environ.get("SHAHO_BACKUP_DIR", BASE_DIR / "backups"))
SHAHO_BACKUP_STORAGE = os.environ.get("SHAHO_BACKUP_STORAGE", "")
SHAHO_BACKUP_KEEP_DAILY = int(os.environ.get("SHAHO_BACKUP_KEEP_DAILY", 7))
SHAHO_BACKUP_KEEP_WEEKLY = int(os.environ.get("SHAHO_BACKUP_KEEP_WEEKLY", 4))
SHAHO_BACKUP_KEEP_MONTHLY = int(os.environ.get("SHAHO_BACKUP_KEEP_MONTHLY", 12))
# The code's version in the manifest; images set it (no .git inside), else `git rev-parse HEAD`.
SHAHO_VERSION = os.environ.get("SHAHO_VERSION", "")

IMPORT_EXPORT_USE_TRANSACTIONS = True

# Spreadsheet imports (shaho.core.intake): what one upload may be. The time budget stays
# below gunicorn's --timeout (GUNICORN_TIMEOUT, 60 s in docker/entrypoint.sh), so a slow
# file is refused with a message instead of the worker being killed; see bench/bench_import_limits.py.
SHAHO_IMPORT_MAX_FILE_BYTES = int(os.environ.get("SHAHO_IMPORT_MAX_FILE_BYTES", 50 * 1024 * 1024))
SHAHO_IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("SHAHO_IMPORT_MAX_UNPACKED_BYTES", 24 * 1024 * 1024))
SHAHO_IMPORT_MAX_RATIO = int(os.environ.get("SHAHO_IMPORT_MAX_RATIO", 200))
SHAHO_IMPORT_MAX_ROWS = int(os.environ.get("SHAHO_IMPORT_MAX_ROWS", 100_000))
SHAHO_IMPORT_MAX_COLUMNS = int(os.environ.get("SHAHO_IMPORT_MAX_COLUMNS", 100))
SHAHO_IMPORT_MAX_SECONDS = float(os.environ.get("SHAHO_IMPORT_MAX_SECONDS", 45))
# How long an upload waits between its preview and its commit (shaho.core.models.PendingUpload).
SHAHO_PENDING_UPLOAD_HOURS = float(os.environ.get("SHAHO_PENDING_UPLOAD_HOURS", 24))

# Managed images (shaho.core.images): what an uploaded photo may be, and the long side it is kept at.
SHAHO_IMAGE_MAX_BYTES = int(os.environ.get("SHAHO_IMAGE_MAX_BYTES", 15 * 1024 * 1024))
SHAHO_IMAGE_MAX_PIXELS = int(os.environ.get("SHAHO_IMAGE_MAX_PIXELS", 40_000_000))
SHAHO_IMAGE_PRINT_PX = int(os.environ.get("SHAHO_IMAGE_PRINT_PX", 2000))

# === Access and production security (issue 7, access slice) =====================
# Everything about logging in, sessions, two-factor authentication, the
# Content-Security-Policy and HTTPS lives in this block.

# Passwords: Django's validators, at least 10 characters (messages in Japanese from Django's own catalogue).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login lock-out (django-axes). Failures are counted per user name and, separately, per
# address: AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME lock that user name (whoever
# tries it) and that address (whatever name it tries) until the cool-off has passed since the
# last failure, or national staff delete the lock in the admin. A try during the lock, even
# with the right password, is refused and counted, so the lock lasts while the guessing goes on.
AUTHENTICATION_BACKENDS = [
    "shaho.core.access.LockoutBackend",
    # ModelBackend loading the user's council with the user (one query less on every scoped page); Django's
    # own stays after it for sessions signed in through it before (shaho.core.access.CouncilUserBackend).
    "shaho.core.access.CouncilUserBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success does not wipe the counts: it would wipe its address's count too, and anyone with an
# account could then go on guessing another account's password from that address.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "shaho.core.access.lockout_response"
AXES_CLIENT_IP_CALLABLE = "shaho.core.access.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure, with time and address, kept for the admin
AXES_ENABLE_ADMIN = False  # shaho/core/access_admin.py shows the records to national staff only
AXES_VERBOSE = False
# Masked in the stored form data and in the log lines (the password always is).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# The client address is REMOTE_ADDR unless the proxy in front sets a header Django can trust:
# TRUSTED_PROXY_IP_HEADER=HTTP_X_REAL_IP (a header the proxy overwrites, never one it appends to).
TRUSTED_PROXY_IP_HEADER = os.environ.get("TRUSTED_PROXY_IP_HEADER", "")

# Password reset requests, per address and per e-mail address, in the cache (shared by every
# worker when CACHE_URL points at Redis; per process otherwise).
PASSWORD_RESET_LIMIT = int(os.environ.get("PASSWORD_RESET_LIMIT", "5"))
PASSWORD_RESET_WINDOW = datetime.timedelta(hours=1)
CACHE_URL = os.environ.get("CACHE_URL", "")
# Shared between web processes (issue 22): sessions and the lock-out counters in the database, said out
# loud; the cache must be Redis (CACHE_URL) once DEBUG is off — shaho.core.checks warns otherwise (shaho.W001).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Sessions: staff are logged out after SESSION_IDLE_HOURS without a request, everyone after
# SESSION_MAX_DAYS from the login (shaho.core.access.SessionLimitsMiddleware).
SESSION_IDLE_TIMEOUT = datetime.timedelta(hours=float(os.environ.get("SESSION_IDLE_HOURS", "8")))
SESSION_ABSOLUTE_TIMEOUT = datetime.timedelta(days=float(os.environ.get("SESSION_MAX_DAYS", "14")))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Two-factor authentication (django-otp, TOTP). Open to every account from マイページ; required
# for national staff and superusers whenever DEBUG is off (with DEBUG on, for `make run`'s demo
# accounts, it is not). shaho.core.access.otp_required_for(user) is the one predicate.
OTP_REQUIRED = not DEBUG
OTP_REQUIRED_ROLES = ["national_staff"]
OTP_TOTP_ISSUER = "shaho 社保協"

# Content-Security-Policy (django-csp): no inline script or style anywhere, admin included.
# The one exception is a hash: Django's own admin change list prints a fixed <style> block
# when a list has no actions; its exact text is allowed, nothing else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# HTTPS behind a proxy: SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https" tells Django a
# request came over HTTPS (set it only when the proxy overwrites that header). Behind such a
# proxy, with DEBUG off, plain HTTP is redirected and HSTS is sent; each can be set on its own.
BEHIND_HTTPS_PROXY = bool(os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip())
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = tuple(part.strip() for part in os.environ["SECURE_PROXY_SSL_HEADER"].split(",", 1))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=BEHIND_HTTPS_PROXY)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600 if BEHIND_HTTPS_PROXY else 0)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
# === end of the access block ====================================================

# === The read API (issue 21; shaho/core/api/, docs/api.md) ======================
# Tokens are stored as HMAC-SHA256(pepper, secret): the pepper comes from the environment only and is required
# with DEBUG off (system check shaho.E021); with DEBUG on a fixed development pepper stands in.
SHAHO_API_TOKEN_PEPPER = os.environ.get("SHAHO_API_TOKEN_PEPPER", "") or (
    "shaho-development-pepper-not-for-production" if DEBUG else ""
)
# Requests per token, counted in the shared cache (Redis when CACHE_URL is set): each "N/period" a fixed window
# (periods: s, min, hour, day, or e.g. 10s); over any of them → 429 with Retry-After.
SHAHO_API_RATE = os.environ.get("SHAHO_API_RATE", "120/min,3000/hour")
# The usage log is buffered (shaho.core.api.usage): written every SHAHO_API_USE_BATCH uses or every
# SHAHO_API_USE_FLUSH_SECONDS (the beat task below; without a broker, by the first request after that long).
SHAHO_API_USE_BATCH = int(os.environ.get("SHAHO_API_USE_BATCH", "100"))
SHAHO_API_USE_FLUSH_SECONDS = float(os.environ.get("SHAHO_API_USE_FLUSH_SECONDS", "30"))
CELERY_BEAT_SCHEDULE["core-flush-api-uses"] = {"task": "core.flush_api_uses", "schedule": SHAHO_API_USE_FLUSH_SECONDS}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["shaho.core.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["shaho.core.api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": [
        "shaho.core.api.renderers.JSONRenderer",
        "shaho.core.api.renderers.CSVRenderer",
        "shaho.core.api.renderers.XLSXRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "shaho.core.api.pagination.ApiPagination",
    "DEFAULT_FILTER_BACKENDS": ["shaho.core.api.pagination.TotalOrderingFilter"],
    "ORDERING_PARAM": "ordering",
    "EXCEPTION_HANDLER": "shaho.core.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "shaho.core.api.schema.ShahoAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "shaho 読み取りAPI",
    "DESCRIPTION": (
        "社保協のデータを、ウェブサイトや Excel（Power Query）から読むためのAPIです。読み取り専用で、トークンの社保協と"
        "その下部組織の範囲だけを返します。認証は「Authorization: Token shaho_…」ヘッダー。一覧は1ページ最大100件"
        "（page, page_size）、並びは常に最後にIDの順。ETag / Last-Modified に対し If-None-Match / If-Modified-Since で"
        "304 を返します。?format=csv（UTF-8 BOM付き）・?format=xlsx で表として取れます。"
        f"上限：トークンごとに {SHAHO_API_RATE}（超えると 429 と Retry-After）。"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "RENDERER_WHITELIST": ["shaho.core.api.renderers.JSONRenderer"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    "DISABLE_ERRORS_AND_WARNINGS": False,
}
# === end of the API block =========================================================


# === Health and structured logs (issue 22, queues part) ================================
# LOG_FORMAT=json: every record one JSON line, plus one line per request (shaho.request) and per job
# (shaho.jobs); plain text (the default) as before. shaho.core.logs says what is never logged.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
LOGGING = logging_config(log_format=LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "WARNING"))
# With JSON lines the worker keeps Django's handlers (Celery would otherwise put its own, plain, in their place).
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
# Each readiness check (database, cache, broker, storage) gets this long; they run at once.
SHAHO_HEALTH_TIMEOUT_SECONDS = float(os.environ.get("SHAHO_HEALTH_TIMEOUT_SECONDS", "2"))
# === end of the health and logs block =================================================

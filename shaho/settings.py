"""Settings for shaho, read from the environment in this one module.

Defaults make `make run` work on a fresh machine: SQLite in the project,
Celery tasks run in-process, mail printed to the console.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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
    "shaho.core",
    "municipalities",
    "councils",
    "petitions",
    "reports",
    "demo",  # demo data over every app (seed_demo); nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

if not DEBUG:
    # Static files served by the app itself under gunicorn (collectstatic fills STATIC_ROOT).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

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

WSGI_APPLICATION = "shaho.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "councils.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

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

# The PDF font; `make run` / `make test` fetch it into fonts/ (see Makefile).
REPORTS_FONT_PATH = os.environ.get("REPORTS_FONT_PATH") or (
    str(BASE_DIR / "fonts" / "ipaexg.ttf") if (BASE_DIR / "fonts" / "ipaexg.ttf").exists() else ""
)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shaho@localhost")

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
CELERY_BEAT_SCHEDULE = {
    "reports-sweep-stale-jobs": {"task": "reports.sweep_stale_jobs", "schedule": 300.0},
    # Uploads waiting between an import's preview and its commit, once they have expired.
    "core-purge-pending-uploads": {"task": "core.purge_pending_uploads", "schedule": 3600.0},
}

IMPORT_EXPORT_USE_TRANSACTIONS = True

# Spreadsheet imports (shaho.core.intake): what one upload may be. The time budget stays
# below gunicorn's --timeout (GUNICORN_TIMEOUT, 60 s in docker/entrypoint.sh), so a slow
# file is refused with a message instead of the worker being killed; see bench/bench_import_limits.py.
SHAHO_IMPORT_MAX_FILE_BYTES = int(os.environ.get("SHAHO_IMPORT_MAX_FILE_BYTES", 50 * 1024 * 1024))
SHAHO_IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("SHAHO_IMPORT_MAX_UNPACKED_BYTES", 32 * 1024 * 1024))
SHAHO_IMPORT_MAX_RATIO = int(os.environ.get("SHAHO_IMPORT_MAX_RATIO", 200))
SHAHO_IMPORT_MAX_ROWS = int(os.environ.get("SHAHO_IMPORT_MAX_ROWS", 100_000))
SHAHO_IMPORT_MAX_COLUMNS = int(os.environ.get("SHAHO_IMPORT_MAX_COLUMNS", 100))
SHAHO_IMPORT_MAX_SECONDS = float(os.environ.get("SHAHO_IMPORT_MAX_SECONDS", 45))
# How long an upload waits between its preview and its commit (shaho.core.models.PendingUpload).
SHAHO_PENDING_UPLOAD_HOURS = float(os.environ.get("SHAHO_PENDING_UPLOAD_HOURS", 24))

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

"""Every environment variable shaho/settings.py reads is set by the deployments, or has a default that is safe in
production and says so below. A new variable with neither fails here, naming it.

The variables are found in the source with `ast`: os.environ.get("X", ...), os.environ["X"], os.getenv("X"),
"X" in os.environ, and calls to a helper of settings that reads os.environ with its first argument (env_bool).
A read whose name is not a plain string fails too: nobody could tell which variable it is.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from .manifests import EXAMPLE, compose_web_environment, environment_names, render

SETTINGS = Path(settings.BASE_DIR) / "shaho" / "settings.py"

# Variables that need not be set anywhere: the default is the one a production site wants (or follows from a
# variable that is set), each with why. Set them to tune; leave them out and nothing is weaker or lost.
SAFE_DEFAULTS = {
    # The database connection: kept 60 s and checked before reuse (survives a PostgreSQL restart).
    "CONN_MAX_AGE": "60 s, with CONN_HEALTH_CHECKS",
    "CONN_HEALTH_CHECKS": "on",
    # Paths the image sets itself (Dockerfile ENV); MEDIA_ROOT is unused when the files are in a bucket.
    "STATIC_ROOT": "Dockerfile: /app/staticfiles, collected at build",
    "MEDIA_ROOT": "Dockerfile: /app/media (compose's media volume); unused with SHAHO_STORAGE=s3",
    "REPORTS_FONT_PATH": "empty: WeasyPrint finds IPAex through fontconfig (the image's fonts-ipaexfont)",
    # Celery: results go to the broker's Redis (nothing reads them but the CI ping); in-thread only without a broker.
    "CELERY_RESULT_BACKEND": "the broker's URL",
    "TASKS_EAGER_IN_THREAD": "off whenever CELERY_BROKER_URL is set",
    "BROKER_CONNECT_TIMEOUT": "0.5 s: a request never waits on an unreachable broker (tests/reports/test_outbox.py)",
    "BROKER_SOCKET_TIMEOUT": "0.6 s, as above",
    # Report jobs: heartbeat, staleness, sweep and retries, tuned together (settings checks their relation).
    "REPORTS_HEARTBEAT_SECONDS": "10 s",
    "REPORTS_STALE_AFTER_SECONDS": "60 s (at least 3 heartbeats)",
    "REPORTS_SWEEP_SECONDS": "15 s under beat; a cluster's CronJob runs every minute (deploy/k8s/base/cronjobs.yaml)",
    "REPORTS_MAX_ATTEMPTS": "3",
    "REPORTS_RESEND_AFTER_SECONDS": "1800 s",
    # Backups: where (compose: SHAHO_BACKUP_DIR on its volume; a cluster sets the two below) and how many kept.
    "SHAHO_BACKUP_STORAGE": "empty: the directory SHAHO_BACKUP_DIR (compose's backups volume); the cluster sets it",
    "SHAHO_BACKUP_S3_BUCKET": "empty: no backups storage (compose writes to its volume); the cluster sets it",
    # Object storage (the backups bucket here; the files' too once issue 22's storage part is merged).
    "SHAHO_S3_ENDPOINT_URL": "empty: AWS S3's own endpoint; only read with SHAHO_STORAGE=s3 or SHAHO_BACKUP_S3_BUCKET",
    "SHAHO_S3_REGION": "us-east-1",
    "SHAHO_BACKUP_KEEP_DAILY": "7",
    "SHAHO_BACKUP_KEEP_WEEKLY": "4",
    "SHAHO_BACKUP_KEEP_MONTHLY": "12",
    # Limits of one upload, one import, one image (bench/bench_import_limits.py measured them).
    "SHAHO_IMPORT_MAX_FILE_BYTES": "50 MB",
    "SHAHO_IMPORT_MAX_UNPACKED_BYTES": "24 MB",
    "SHAHO_IMPORT_MAX_RATIO": "200",
    "SHAHO_IMPORT_MAX_ROWS": "100,000",
    "SHAHO_IMPORT_MAX_COLUMNS": "100",
    "SHAHO_IMPORT_MAX_SECONDS": "45 s, below gunicorn's 60 s timeout",
    "SHAHO_PENDING_UPLOAD_HOURS": "24 h",
    "SHAHO_IMAGE_MAX_BYTES": "15 MB",
    "SHAHO_IMAGE_MAX_PIXELS": "40 megapixels",
    "SHAHO_IMAGE_PRINT_PX": "2000 px",
    # Access policy (issue 7): lock-out, password resets, session lengths.
    "LOGIN_FAILURE_LIMIT": "10 failures",
    "LOGIN_LOCKOUT_MINUTES": "15 min",
    "PASSWORD_RESET_LIMIT": "5 an hour",
    "SESSION_IDLE_HOURS": "8 h",
    "SESSION_MAX_DAYS": "14 days",
    # HTTPS: each follows SECURE_PROXY_SSL_HEADER, which compose and the cluster set.
    "SECURE_SSL_REDIRECT": "on behind the HTTPS proxy",
    "SECURE_HSTS_SECONDS": "a year behind the HTTPS proxy",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "on",
    "SECURE_HSTS_PRELOAD": "on",
}

# Names of issue 22's other parts (storage, queues) with a safe default, which this branch's settings do not read
# yet: safe defaults all the same (the merge needs no change here; moving them up to SAFE_DEFAULTS is tidier).
OTHER_PARTS_SAFE_DEFAULTS = {
    "LOG_FORMAT": "plain text; the cluster sets json",
    "SHAHO_S3_SIGNED_URL_SECONDS": "60 s",
    "SHAHO_DOWNLOAD_REDIRECT": "off: the web process streams the file after the scope check",
    # Worker recycling for WeasyPrint (measured peak 349 MB for a 42-page draft): the compose worker services and
    # the cluster's worker Deployments pass their own values on the celery command line.
    "CELERY_WORKER_MAX_TASKS_PER_CHILD": "50 tasks",
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD": "512 MiB (524288 KiB)",
    "SHAHO_HEALTH_TIMEOUT_SECONDS": "2 s per check",
    # The read API (issue 21): limits per token and the usage log's buffer (docs/api.md says them).
    "SHAHO_API_RATE": "120/min,3000/hour per token",
    "SHAHO_API_USE_BATCH": "100 uses",
    "SHAHO_API_USE_FLUSH_SECONDS": "30 s",
}
# Names the manifests set for the other parts of issue 22 (not read by this branch's settings yet).
OTHER_PARTS = {"SHAHO_STORAGE", "SHAHO_S3_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
OTHER_PARTS |= set(OTHER_PARTS_SAFE_DEFAULTS)
# Read by something other than settings: fontconfig (WeasyPrint) in a container with a read-only root.
RUNTIME = {"XDG_CACHE_HOME"}
# Read by the image's entrypoint (docker/entrypoint.sh), which compose runs and the cluster does not (its migration
# Job migrates; its pods run gunicorn and celery directly).
ENTRYPOINT_ONLY = {"MIGRATE_ON_START"}


def _is_os_environ(node):
    return isinstance(node, ast.Attribute) and node.attr == "environ" and getattr(node.value, "id", None) == "os"


def _name_of(node, where):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    raise AssertionError(f"settings.py line {where.lineno}: an environment variable whose name is not a string")


def _helpers(tree):
    """Top-level functions of settings that read os.environ with their first parameter (env_bool)."""
    found = set()
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef) or not function.args.args:
            continue
        first = function.args.args[0].arg
        for node in ast.walk(function):
            reads = (isinstance(node, ast.Call) and _environ_call(node)) or (
                isinstance(node, ast.Subscript) and _is_os_environ(node.value)
            )
            argument = (
                (node.args[0] if node.args else None) if isinstance(node, ast.Call) else getattr(node, "slice", None)
            )
            if reads and isinstance(argument, ast.Name) and argument.id == first:
                found.add(function.name)
    return found


def _environ_call(node):
    function = node.func
    if (
        isinstance(function, ast.Attribute)
        and function.attr in ("get", "setdefault", "pop")
        and _is_os_environ(function.value)
    ):
        return True
    return (
        isinstance(function, ast.Attribute)
        and function.attr == "getenv"
        and getattr(function.value, "id", None) == "os"
    )


def variables_read(source):
    """The environment variables a settings module's source reads: {name: first line}."""
    tree = ast.parse(source)
    helpers, names = _helpers(tree), {}
    helper_bodies = {
        id(n) for f in tree.body if isinstance(f, ast.FunctionDef) and f.name in helpers for n in ast.walk(f)
    }
    for node in ast.walk(tree):
        if id(node) in helper_bodies:
            continue
        name = None
        if isinstance(node, ast.Call) and (_environ_call(node) or getattr(node.func, "id", None) in helpers):
            name = _name_of(node.args[0], node)
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            name = _name_of(node.slice, node)
        elif isinstance(node, ast.Compare) and any(_is_os_environ(c) for c in node.comparators):
            name = _name_of(node.left, node)
        if name is not None:
            names.setdefault(name, node.lineno)
    return names


def uncovered(read, *, cluster, compose, safe=SAFE_DEFAULTS | OTHER_PARTS_SAFE_DEFAULTS):
    """The variables read that deploy/k8s, or compose's web environment, leave unset with no safe default."""
    return {
        "not set in deploy/k8s (ConfigMap/Secret)": sorted(set(read) - set(cluster) - set(safe)),
        "not set in docker-compose.yml (web environment)": sorted(set(read) - set(compose) - set(safe)),
    }


@pytest.fixture(scope="module")
def read():
    return variables_read(SETTINGS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cluster():
    return environment_names(render(EXAMPLE))


def test_the_reader_finds_each_way_settings_reads_the_environment(read):
    assert {"SECRET_KEY", "DATABASE_URL", "SECURE_PROXY_SSL_HEADER"} <= set(read)  # .get, .get in `or`, os.environ[...]
    assert {"DEBUG", "CONN_HEALTH_CHECKS", "SECURE_COOKIES"} <= set(read)  # env_bool, the helper
    assert "name" not in read  # the helper's own parameter is not a variable
    assert len(read) > 50


def test_every_variable_settings_reads_is_set_by_the_deployments_or_has_a_safe_default(read, cluster):
    assert uncovered(read, cluster=cluster, compose=compose_web_environment()) == {
        "not set in deploy/k8s (ConfigMap/Secret)": [],
        "not set in docker-compose.yml (web environment)": [],
    }


def test_a_new_variable_with_no_setting_and_no_safe_default_fails(cluster):
    source = SETTINGS.read_text(encoding="utf-8")
    source += '\nSHAHO_NEW_LIMIT = int(os.environ.get("SHAHO_NEW_LIMIT", "3"))\nNEW_FLAG = env_bool("SHAHO_NEW_FLAG")\n'
    result = uncovered(variables_read(source), cluster=cluster, compose=compose_web_environment())
    assert result == {
        "not set in deploy/k8s (ConfigMap/Secret)": ["SHAHO_NEW_FLAG", "SHAHO_NEW_LIMIT"],
        "not set in docker-compose.yml (web environment)": ["SHAHO_NEW_FLAG", "SHAHO_NEW_LIMIT"],
    }


def test_a_variable_read_by_a_computed_name_fails():
    with pytest.raises(AssertionError, match="line 2: an environment variable whose name is not a string"):
        variables_read('import os\nX = os.environ.get(f"SHAHO_{1}")\n')


def test_the_safe_defaults_name_only_variables_settings_reads(read):
    assert sorted(set(SAFE_DEFAULTS) - set(read)) == []


def test_the_manifests_carry_compose_names_and_set_nothing_unread(read, cluster):
    compose = set(compose_web_environment())
    assert sorted(compose - cluster - ENTRYPOINT_ONLY) == []
    assert sorted(cluster - set(read) - OTHER_PARTS - RUNTIME) == []

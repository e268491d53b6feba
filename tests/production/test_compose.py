"""docker-compose.yml as shipped: it validates, only Caddy publishes ports, web scales, migrations run once before
web and the workers, and `manage.py check --deploy --fail-level WARNING` is clean with web's own environment."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.required_services import service_missing

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
CADDYFILE = ROOT / "docker" / "Caddyfile"
# What an operator puts in .env (docker-compose.yml's header); everything else keeps the file's own default.
EXAMPLE = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "POSTGRES_PASSWORD": "Examplepassword1",
    "SHAHO_BACKUP_KEY": "ZXhhbXBsZS1rZXktZXhhbXBsZS1rZXktZXhhbXBsZS0=",
    "SHAHO_DOMAIN": "shaho.example.jp",
    "SHAHO_S3_SECRET_KEY": "Examples3secret1",
    "SHAHO_API_TOKEN_PEPPER": secrets.token_urlsafe(48),
}
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def compose():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def substitute(value, given):
    """docker-compose's interpolation of one value: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}."""

    def one(match):
        name, operator, rest = match.groups()
        if name in given and (given[name] or not (operator or "").startswith(":")):
            return given[name]
        if operator and operator.endswith("-"):
            return rest
        if operator and operator.endswith("?"):
            raise AssertionError(f"{name} is required: {rest}")
        return ""

    return VARIABLE.sub(one, str(value)).replace("$$", "$")


def web_environment():
    return {k: substitute(v, EXAMPLE) for k, v in compose()["services"]["web"]["environment"].items()}


def test_check_deploy_is_clean_with_the_compose_files_own_web_environment():
    shipped = web_environment()
    assert shipped["SECURE_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO,https"
    assert shipped["TRUSTED_PROXY_IP_HEADER"] == "HTTP_X_REAL_IP"
    assert shipped["DEBUG"] == "0" and shipped["ALLOWED_HOSTS"] == "shaho.example.jp"
    # Nothing of this machine's environment (test database, broker, cache) may stand in for the file's.
    inherited = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**inherited, **shipped, "DJANGO_SETTINGS_MODULE": "shaho.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_the_production_settings_of_the_compose_file_turn_https_and_the_proxy_address_on():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_PROXY_SSL_HEADER, s.TRUSTED_PROXY_IP_HEADER)"
    )
    inherited = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**inherited, **web_environment(), "DJANGO_SETTINGS_MODULE": "shaho.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == ("True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https') HTTP_X_REAL_IP"), (
        result.stdout + result.stderr
    )


def test_only_caddy_publishes_ports_and_web_scales():
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"caddy"}, published
    assert {p.split(":")[0] for p in services["caddy"]["ports"]} == {"80", "443"}
    assert not any("container_name" in service for service in services.values()), "a fixed name stops --scale"
    assert services["caddy"]["image"] == "caddy:2"
    assert "./docker/Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]


def test_every_image_but_our_own_is_pinned_to_a_release():
    """`latest` moves under a running deployment: the third-party images name a release (a major version for
    PostgreSQL, Redis and Caddy, whose tags only take compatible updates; MinIO's dated release)."""
    for name, service in compose()["services"].items():
        image = service.get("image", "")
        repository, _, tag = image.rpartition(":")
        if repository == "shaho":
            continue  # built here (`build:`), tagged by the deployment
        assert tag and tag != "latest", f"{name}: {image}"
        if repository.startswith("minio/"):
            assert tag.startswith("RELEASE."), f"{name}: {image}"


def test_migrations_run_once_before_web_and_the_workers():
    services = compose()["services"]
    assert services["migrate"]["command"] == ["manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name, service in services.items():
        if service.get("image") == "shaho:latest" and name != "migrate":
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    assert services["web"]["environment"]["MIGRATE_ON_START"] == "0"
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    assert 'if [ "${MIGRATE_ON_START:-1}" = "1" ]; then' in entrypoint


def test_files_go_to_the_object_store_and_no_container_keeps_media():
    services = compose()["services"]
    web = web_environment()
    assert web["SHAHO_STORAGE"] == "s3"
    assert web["SHAHO_S3_ENDPOINT_URL"] == "http://storage:9000" and web["SHAHO_S3_BUCKET"] == "shaho"
    assert web["AWS_SECRET_ACCESS_KEY"] == EXAMPLE["SHAHO_S3_SECRET_KEY"]
    assert "storage" in services and not services["storage"].get("ports"), "the object store is not published"
    for service in services.values():
        assert not any(str(v).endswith(":/app/media") for v in service.get("volumes", [])), service


def test_caddy_sets_the_two_headers_django_trusts():
    """Set (overwriting what a client sent), never appended: the settings trust them as the proxy's own."""
    snippet = (ROOT / "docker" / "shaho-proxy.caddy").read_text()
    assert "header_up X-Forwarded-Proto {scheme}" in snippet
    assert "header_up X-Real-IP {remote_host}" in snippet
    assert "lb_try_duration" in snippet
    caddyfile = CADDYFILE.read_text()
    assert "import shaho_upstream" in caddyfile and "import shaho_tls_{$SHAHO_TLS:acme}" in caddyfile


def test_docker_compose_config_validates(tmp_path):
    binary = shutil.which("docker-compose")
    if binary is None:
        service_missing("docker-compose is not installed (apt-get install docker-compose)")
    env = {**{k: v for k, v in os.environ.items() if k in {"PATH", "HOME"}}, **EXAMPLE}
    result = subprocess.run(
        [binary, "-f", str(COMPOSE), "config", "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    bare = subprocess.run(  # and without .env at all: it still validates (nothing runs open, see its header)
        [binary, "-f", str(COMPOSE), "config", "--quiet"], cwd=ROOT, env={"PATH": env["PATH"]}, capture_output=True
    )
    assert bare.returncode == 0, bare.stderr


@pytest.mark.parametrize("tls", ["internal", "acme"])
def test_the_caddyfile_validates(tmp_path, tls):
    binary = shutil.which("caddy")
    if binary is None:
        service_missing("caddy is not installed (apt-get install caddy)")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "SHAHO_DOMAIN": "shaho.example.jp",
        "SHAHO_TLS": tls,
    }
    result = subprocess.run(
        [binary, "adapt", "--config", str(CADDYFILE)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    adapted = result.stdout
    assert '"X-Real-Ip":["{http.request.remote.host}"]' in adapted.replace(" ", "")
    assert ('"module":"internal"' in adapted.replace(" ", "")) == (tls == "internal")

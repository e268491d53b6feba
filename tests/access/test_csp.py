"""Production settings: the Content-Security-Policy, HTTPS behind a proxy, and a clean `check --deploy`."""

import base64
import hashlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.conf import settings as django_settings

BASE = Path(django_settings.BASE_DIR)
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "shaho.example.jp",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    # The cache every web process shares (shaho.W001 otherwise); check does not connect to it.
    "CACHE_URL": "redis://redis:6379/1",
    "SHAHO_API_TOKEN_PEPPER": secrets.token_urlsafe(48),
}


def _run(*args):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}} | PRODUCTION_ENV
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_with_production_settings_gives_no_warning():
    result = _run("check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_check_deploy_warns_when_the_cache_is_per_process():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CACHE_URL"}} | PRODUCTION_ENV
    del env["CACHE_URL"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "(shaho.W001) The cache is per process (LocMemCache)" in output, output


def test_production_settings_enforce_https_and_two_factor():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.OTP_REQUIRED)"
    )
    result = _run("shell", "--no-imports", "-c", code)
    assert result.stdout.split("\n")[0] == "True True True True ('HTTP_X_FORWARDED_PROTO', 'https') True", result.stderr


@pytest.mark.django_db
def test_behind_the_proxy_plain_http_is_redirected_and_https_gets_hsts(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    response = client.get("/login/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_unsafe_inline(client):
    for url in ("/login/", "/admin/login/", "/password/password_reset/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_the_one_allowed_style_hash_is_djangos_change_list_block():
    template = Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    block = re.search(r"<style>(.*?)</style>", template.read_text(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
    assert django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] == ["'self'", f"'sha256-{digest}'"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I), "on…= event handler attribute"),
    (re.compile(r"href\s*=\s*[\"']javascript:", re.I), "javascript: link"),
]


def _project_templates():
    roots = [BASE / "templates", *BASE.glob("*/templates")]
    return sorted(p for root in roots for p in root.rglob("*.html"))


def test_no_template_has_inline_script_or_style():
    found = [
        f"{path.relative_to(BASE)}:{text[: m.start()].count(chr(10)) + 1}: {label}"
        for path in _project_templates()
        for text in [path.read_text()]
        for pattern, label in INLINE
        for m in pattern.finditer(text)
    ]
    assert not found, "move these to static/css or static/js (the CSP refuses them):\n" + "\n".join(found)


def test_the_simple_history_override_follows_the_installed_template():
    import simple_history

    original = (Path(simple_history.__file__).parent / "templates/simple_history/object_history_list.html").read_text()
    ours = (BASE / "templates/simple_history/object_history_list.html").read_text()
    ours_as_original = (
        "\n".join(ours.split("\n")[1:])
        .replace(
            '{% load i18n static %}\n<link rel="stylesheet" href="{% static \'css/admin_history.css\' %}">\n',
            "{% load i18n %}\n",
        )
        .replace('<p class="paginator history-paginator">', '<p class="paginator" style="border-top: 0">')
    )
    assert ours_as_original == original, "django-simple-history changed its template: copy it again"

"""The real processes a drill starts on 127.0.0.1: a PostgreSQL cluster, redis-server, gunicorn, Celery workers;
for the production shape also Caddy (TLS in front, Debian's caddy) and an S3 server (moto's server mode).

Each runs in its own process group (start_new_session), logs to a file under the drills' log directory
($SHAHO_CI_LOG_DIR/drills, else <tmp>/shaho-drills), and is killed with its whole group at the end of the
session whatever happened (`kill_all`). Nothing here touches the machine's own PostgreSQL or Redis.
"""

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the project's .venv/bin
PG_BIN = Path(os.environ.get("SHAHO_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = Path(os.environ.get("SHAHO_REDIS_SERVER", "/usr/bin/redis-server"))
CADDY = Path(os.environ.get("SHAHO_CADDY", "/usr/bin/caddy"))
LOG_DIR = Path(os.environ.get("SHAHO_CI_LOG_DIR") or Path(tempfile.gettempdir()) / "shaho-ci") / "drills"
if os.environ.get("PYTEST_XDIST_WORKER"):  # `make test` on a developer's machine: a cluster and logs per worker
    LOG_DIR = LOG_DIR / os.environ["PYTEST_XDIST_WORKER"]

_started = []  # every Process, so the session's end can kill what is left


def missing_binaries(*extra):
    """What a drill needs and the machine lacks (the rule of tests/required_services.py applies)."""
    wanted = [PG_BIN / "initdb", PG_BIN / "pg_ctl", REDIS_SERVER, BIN / "gunicorn", BIN / "celery", *extra]
    return [str(p) for p in wanted if not os.access(p, os.X_OK)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, *, timeout, interval=0.05, logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout} s\n" + "".join(log_tail(p) for p in logs))


def log_tail(path, lines=60):
    path = Path(path)
    if not path.exists():
        return f"---- {path}: no log ----\n"
    text = path.read_text(errors="replace").splitlines()[-lines:]
    return f"---- last {len(text)} lines of {path} ----\n" + "\n".join(text) + "\n"


class Process:
    """A child in its own process group, with its log file."""

    def __init__(self, name, command, *, env=None, log, cwd=ROOT):
        self.name, self.log = name, Path(log)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._out = open(self.log, "ab")
        self.popen = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )
        _started.append(self)

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def signal_group(self, sig):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def kill(self):
        """SIGKILL to the whole group (the process and every child it forked), and wait until every member is gone,
        as a supervisor restarts a service only once its processes are dead (a pool process still exiting under a
        loaded machine would otherwise look alive to the worker that replaces it)."""
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.popen.pid, 0)
            except (ProcessLookupError, PermissionError):
                return
            time.sleep(0.05)

    def stop(self, timeout=10):
        """SIGTERM to the group, then SIGKILL whatever is left after `timeout`."""
        if self.alive():
            self.signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        self.kill()
        self._out.close()


def kill_all():
    for process in reversed(_started):
        process.kill()
    _started.clear()


def _as_postgres(command):
    """initdb refuses to run as root: as root, PostgreSQL's commands run as the postgres account."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *map(str, command)]
    return [str(c) for c in command]


class Cluster:
    """A PostgreSQL cluster of its own: initdb into a temporary directory, served on a free port."""

    def __init__(self, workdir):
        self.dir = Path(workdir)
        self.data = self.dir / "data"
        self.port = free_port()
        self.log = LOG_DIR / "postgresql.log"

    def init(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        command = [PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]
        subprocess.run(_as_postgres([*command, "--no-sync"]), check=True, capture_output=True)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.log, "postgres", "postgres")
        self.start()

    def pg_ctl(self, *args):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        command = [PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", *args]
        return subprocess.run(_as_postgres(command), check=True, capture_output=True, text=True)

    def start(self):
        self.pg_ctl("start")

    def restart(self, mode):
        self.pg_ctl("restart", "-m", mode)

    def stop(self, mode="immediate"):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", mode)

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def connect(self, name):
        import psycopg2

        connection = psycopg2.connect(self.url(name), connect_timeout=5)
        connection.autocommit = True
        return connection

    def query(self, name, sql, params=()):
        connection = self.connect(name)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()


class RedisServer:
    """Debian's redis-server on a free port, nothing saved to disk; stop() and start() again on the same port."""

    def __init__(self, workdir):
        self.dir = Path(workdir)
        self.port = free_port()
        self.process = None
        self.log = LOG_DIR / "redis.log"

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = Process("redis", [*map(str, command), "--dir", str(self.dir)], log=self.log)
        wait_for("redis-server answers", self.ping, timeout=20, logs=[self.log])

    def ping(self):
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process = None


def django_env(*, database_url, media_root, broker_url="", **extra):
    """The environment of a Django process of a drill: its database, its broker (none: tasks in-process), files."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CELERY_", "DATABASE_URL", "PYTEST_", "SHAHO_REQUIRE")) and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shaho.settings",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        DEBUG="1",
        PYTHONUNBUFFERED="1",
    )
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env, *args, timeout=300):
    """Run `manage.py args` with `env`; its output, or AssertionError with it."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def rows(env, recipe, **params):
    """Run one recipe of tests/harness/rows.py in its own process; what it prints (JSON)."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.harness.rows", recipe, json.dumps(params)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"rows {recipe} failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def gunicorn(env, *, name="gunicorn", workers=2, threads=1, timeout=60, ready=(200,)):
    """gunicorn on a free port, answered once /login/ gives a status in `ready` (behind an HTTPS proxy, DEBUG off,
    a plain request is redirected: ready=(301,))."""
    port = free_port()
    log = LOG_DIR / f"{name}.log"
    command = [str(BIN / "gunicorn"), "shaho.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--threads", str(threads), "--timeout", str(timeout), "--graceful-timeout", "5",
               "--access-logfile", "-", "--error-logfile", "-", "--no-control-socket",
               "--access-logformat", "%(h)s %(t)s \"%(r)s\" %(s)s %(b)s %(M)sms"]  # fmt: skip
    process = Process(name, command, env=env, log=log)
    process.port = port

    def answers():
        if not process.alive():
            raise AssertionError(f"gunicorn exited\n{log_tail(log)}")
        with contextlib.suppress(OSError):
            return Client(port).get("/login/").status in ready
        return False

    wait_for("gunicorn answers", answers, timeout=60, interval=0.2, logs=[log])
    return process


def celery_worker(env, *, name="worker", concurrency=1, extra=()):
    log = LOG_DIR / f"{name}.log"
    # Every queue (settings.CELERY_TASK_ROUTES), as one worker on one machine takes them.
    command = [str(BIN / "celery"), "-A", "shaho", "worker", f"--concurrency={concurrency}", "--loglevel=INFO",
               "-Q", "reports,imports,default", "--without-gossip", "--without-mingle", "-n", f"{name}@%h",
               *extra]  # fmt: skip
    process = Process(name, command, env=env, log=log)
    start = log.stat().st_size if log.exists() else 0

    def ready():
        if not process.alive():
            raise AssertionError(f"the Celery worker exited\n{log_tail(log)}")
        with open(log, "rb") as f:
            f.seek(start)
            return b" ready." in f.read()

    wait_for("the Celery worker is ready", ready, timeout=60, interval=0.1, logs=[log])
    return process


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self):
        return self.headers.get("location", "")


class Client:
    """A browser's session over one keep-alive connection: cookies kept, CSRF token sent, redirects not followed.

    Over HTTPS (`ca`: the file of the certificate authority to trust, e.g. Caddy's local CA) it sends the port in
    Host and Referer as a browser does (Django's CSRF check compares them). `source` is the address the
    connection comes from: any 127.x.y.z on Linux, so a test can tell the client's address from the proxy's.
    """

    def __init__(self, port, *, timeout=10, ca=None, source=None):
        self.port, self.timeout = port, timeout
        self.ca, self.source = ca, source
        self.cookies = {}
        self.connection = None
        self.used_at = 0.0
        self.extra_headers = {}

    @property
    def scheme(self):
        return "https" if self.ca else "http"

    def _connect(self):
        # gunicorn closes a keep-alive connection idle for 2 s (--keep-alive); as a browser does, a connection
        # idle for a while is not reused but opened again, so a request is never sent into a closed socket.
        if self.connection is not None and time.monotonic() - self.used_at > 1:
            self.close()
        if self.connection is None:
            source = (self.source, 0) if self.source else None
            if self.ca:
                context = ssl.create_default_context(cafile=str(self.ca))
                self.connection = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, timeout=self.timeout, context=context, source_address=source
                )
            else:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout, source_address=source
                )
        self.used_at = time.monotonic()
        return self.connection

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method, path, data=None):
        headers = {"Host": f"127.0.0.1:{self.port}" if self.ca else "127.0.0.1", **self.extra_headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"{self.scheme}://127.0.0.1:{self.port}{path}"
        try:
            connection = self._connect()
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            payload = raw.read()
            self.used_at = time.monotonic()
        except Exception:
            self.close()  # never reuse a connection in an unknown state
            raise
        for header, value in raw.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if raw.getheader("Connection", "").lower() == "close":
            self.close()
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, payload)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data)

    def use_session(self, key):
        """Take over a logged-in session (tests/harness/rows.py `sessions`); the form pages set the CSRF cookie."""
        self.cookies["sessionid"] = key
        return self

    def login(self, username, password):
        self.get("/login/")
        response = self.post("/login/", {"username": username, "password": password})
        assert response.status == 302, f"login of {username} failed: {response.status} {response.text[:500]}"
        return self

    def same_session(self, port):
        """Another Client on `port` (another site of the same proxy) carrying this one's cookies, as a browser
        that was sent to another server of the same site."""
        other = Client(port, timeout=self.timeout, ca=self.ca, source=self.source)
        other.cookies = dict(self.cookies)
        return other


def form_values(html, name):
    """The value of input `name` in a page (hidden fields such as submission_token)."""
    match = re.search(
        rf'name="{re.escape(name)}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    return (match.group(1) or match.group(2)) if match else None


class MotoS3:
    """A real S3 endpoint on 127.0.0.1: moto's server mode (`moto_server`, pinned in requirements-dev.txt)."""

    def __init__(self, *, name="s3", region="us-east-1"):
        self.port = free_port()
        self.region = region
        self.log = LOG_DIR / f"{name}.log"
        self.process = Process(name, [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)], log=self.log)
        wait_for("the S3 server answers", self._answers, timeout=60, interval=0.2, logs=[self.log])

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def _answers(self):
        if not self.process.alive():
            raise AssertionError(f"moto_server exited\n{log_tail(self.log)}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            connection.request("GET", "/")
            return connection.getresponse().status < 500
        return False

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def env(self, bucket):
        """The storage part's names (SHAHO_STORAGE=s3 …) for a Django process that keeps its files in `bucket`."""
        return {
            "SHAHO_STORAGE": "s3",
            "SHAHO_S3_BUCKET": bucket,
            "SHAHO_S3_ENDPOINT_URL": self.url,
            "SHAHO_S3_REGION": self.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }


class Caddy:
    """Debian's caddy in front, configured with docker/shaho-proxy.caddy (the snippets compose ships) and
    `tls internal`: its own certificate authority, whose root `ca` a Client trusts. Never installed into the
    system's trust store (skip_install_trust), no admin endpoint, every listener on 127.0.0.1.

    `sites` maps a name to the gunicorn ports behind it; "front" gets the HTTPS port (with Caddy's HTTP→HTTPS
    redirect on the HTTP port), every other site an HTTPS port of its own (a way to reach one web process).
    """

    SNIPPETS = ROOT / "docker" / "shaho-proxy.caddy"

    def __init__(self, workdir, sites, *, name="caddy"):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.http_port, self.https_port = free_port(), free_port()
        self.ports = {site: (self.https_port if site == "front" else free_port()) for site in sites}
        self.log = LOG_DIR / f"{name}.log"
        blocks = []
        for site, upstreams in sites.items():
            address = "127.0.0.1" if site == "front" else f"https://127.0.0.1:{self.ports[site]}"
            targets = " ".join(f"127.0.0.1:{port}" for port in upstreams)
            blocks.append(
                f"{address} {{\n\timport shaho_tls_internal\n\treverse_proxy {targets} {{\n"
                f"\t\timport shaho_upstream\n\t}}\n}}\n"
            )
        config = (
            "{\n\tadmin off\n\tskip_install_trust\n\tdefault_bind 127.0.0.1\n"
            f"\thttp_port {self.http_port}\n\thttps_port {self.https_port}\n}}\n\n"
            f"import {self.SNIPPETS}\n\n" + "\n".join(blocks)
        )
        self.caddyfile = self.dir / "Caddyfile"
        self.caddyfile.write_text(config)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.dir),
            "XDG_DATA_HOME": str(self.dir / "data"),
            "XDG_CONFIG_HOME": str(self.dir / "config"),
        }
        command = [str(CADDY), "run", "--config", str(self.caddyfile), "--adapter", "caddyfile"]
        self.process = Process(name, command, env=env, log=self.log, cwd=self.dir)
        self.ca = self.dir / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        wait_for("Caddy serves HTTPS", self._answers, timeout=60, interval=0.2, logs=[self.log])

    def _answers(self):
        if not self.process.alive():
            raise AssertionError(f"caddy exited\n{log_tail(self.log)}")
        if not self.ca.exists():
            return False
        with contextlib.suppress(OSError, ssl.SSLError, http.client.HTTPException):
            for port in self.ports.values():
                Client(port, ca=self.ca, timeout=5).get("/login/")
            return True
        return False

    def client(self, site="front", **kwargs):
        return Client(self.ports[site], ca=self.ca, **kwargs)

"""50 organizers submitting 10,000 entries at once over HTTP, re-taps included (issue 3, target 2).

Target: 50 concurrent organizers submitting 10,000 entries in total over HTTP:
every entry recorded exactly once, the totals exact.

Starts the application under gunicorn (DEBUG off, 127.0.0.1 and a free port
only) on its own database, then 50 client threads, one per organizer account,
each with its own cookie jar and keep-alive connection: log in (GET the login
page for the CSRF token, POST), then 200 times GET the entry form (a fresh
idempotency token and CSRF token) and POST an entry. Every 10th entry is sent
twice with the same token, as a re-tap: alternately after the first answer
came back, and at the same moment on a second connection (a double tap racing
itself). Then it checks in the database that exactly 10,000 entries exist, one
per token sent, that each re-send was answered with the entry the first send
made, and that every council's total (through the selector and by plain SQL)
equals the sum of the counts sent, once per token. The server is stopped
whatever happens.

The baseline, measured by the same 50 signed-in clients just before the
entries, is the cheapest signed-in request (the login page redirecting a
signed-in user: session, user, middleware, no form): the ratios say what an
entry costs over the framework's floor on this machine. Correctness is the
target; the speed figures say what this machine managed under its load.

    .venv/bin/python bench/bench_concurrent_entry.py [--organizers 50] [--entries 200] [--time-limit 900]
"""

import argparse
import atexit
import datetime
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from _common import (
    ROOT,
    build_federation,
    choose_database,
    load,
    machine,
    median,
    percentile,
    setup_django,
    summary,
    verdict,
)

PASSWORD = "bench-organizer-pass-2025"
FLOOR_REQUESTS = 20  # per organizer
PHASE_TIMEOUT = 600  # seconds for everyone to log in, or to finish the baseline
USERNAME = "bench-organizer-{:02d}"
LOCAL_COUNCILS = 25
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="submission_token" value="([0-9a-f-]{36})"')
ERROR_RE = re.compile(r'<ul class="errorlist"[^>]*>(.*?)</ul>', re.S)
DONE_RE = re.compile(r"^/petitions/entry/(\d+)/$")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizers", type=int, default=50, help="concurrent organizer accounts (client threads)")
    parser.add_argument("--entries", type=int, default=200, help="entries each organizer submits")
    parser.add_argument("--resend-every", type=int, default=10, help="every Nth entry is sent twice (0: never)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--time-limit", type=float, default=900, help="seconds before the clients give up")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one entry's requests")
    return parser.parse_args()


# --- data -------------------------------------------------------------------


def prepare(args):
    """Organizer accounts and a fresh petition for this run (earlier runs' petitions are closed)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from councils.models import Role, User
    from petitions.models import CollectionRound, PetitionDrive

    national, prefectural, local = build_federation(local_councils=LOCAL_COUNCILS)
    today = timezone.localdate()
    hashed = make_password(PASSWORD)  # once: 50 hashes at Django's iteration count would take a minute
    organizers = []
    with transaction.atomic():
        for i in range(args.organizers):
            council = local[i % len(local)]
            # Every 10th organizer works for the prefectural council and records for it and a local council below.
            home = prefectural[council.prefecture_id] if i % 10 == 0 else council
            user, _ = User.objects.update_or_create(
                username=USERNAME.format(i + 1),
                defaults={"council": home, "role": Role.ORGANIZER, "password": hashed, "is_active": True},
            )
            targets = [home.pk, council.pk] if home.pk != council.pk else [council.pk]
            organizers.append((user.username, targets))
        PetitionDrive.objects.filter(slug__startswith="bench-http-").update(status=PetitionDrive.Status.CLOSED)
        petition = PetitionDrive.objects.create(
            title="ベンチマーク同時入力署名",
            short_name="同時入力",
            slug=f"bench-http-{timezone.now():%Y%m%d%H%M%S}",
            organiser=national,
            starts_on=today - datetime.timedelta(days=60),
            ends_on=today + datetime.timedelta(days=60),
            status=PetitionDrive.Status.OPEN,
        )
        CollectionRound.objects.create(petition=petition, number=1, name="第1次集約", deadline=petition.ends_on)
    return petition, organizers, today


# --- the server ---------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in its own process group on 127.0.0.1; stop() ends that group and nothing else."""

    def __init__(self, db, args):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
        env = {
            **os.environ,
            "DATABASE_URL": db.url,
            "DEBUG": "0",
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "0",  # plain http on the loopback
            "DJANGO_SETTINGS_MODULE": "shaho.settings",
            "PYTHONPATH": str(ROOT),
        }
        # The production settings (docker/gunicorn.conf.py: gthread, keep-alive, SO_REUSEPORT), with this run's
        # workers and threads; the access log names each request's worker (see requests_per_worker).
        self.access_log = tempfile.NamedTemporaryFile(prefix="bench-access-", suffix=".log", delete=False)
        self.access_log.close()
        env.update(
            GUNICORN_WORKERS=str(args.workers),
            GUNICORN_THREADS=str(args.threads),
            GUNICORN_ACCESS_LOG=self.access_log.name,
            GUNICORN_ACCESS_LOG_FORMAT='%(p)s "%(r)s" %(s)s',
        )
        cmd = [
            sys.executable, "-m", "gunicorn", "--config", str(ROOT / "docker" / "gunicorn.conf.py"),
            "shaho.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        atexit.register(self.stop)  # also when the script ends some other way than through main's finally

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/login/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.tail()}")

    def requests_per_worker(self):
        """{phase: Counter(worker pid → requests)} from the access log: GET /login/ (the log-in pages and the
        baseline), and the entries (form and POST)."""
        phases = {"GET /login/": Counter(), "entries": Counter()}
        with open(self.access_log.name, encoding="utf-8", errors="replace") as f:
            for line in f:
                pid, _, request = line.partition(" ")
                if '"GET /login/ ' in request:
                    phases["GET /login/"][pid] += 1
                elif "/petitions/entry/" in request:
                    phases["entries"][pid] += 1
        return phases

    def tail(self, lines=30):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def stop(self):
        if self.proc.poll() is None:  # still ours to end: its pid, its process group, nothing else
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if not self.log.closed:
            self.log.close()


class ServerCpu:
    """On-CPU time of the server side (gunicorn's processes and the database's backends), per phase.

    Throughput on a 2-core machine shared with the clients (and with anything else running) moves with the load;
    the CPU the server spends per request does much less. A sampler reads /proc every SAMPLE_SECONDS and keeps
    each process's latest user + system time, so a backend that exits mid-phase (CONN_MAX_AGE) keeps what it
    spent; `mark()` notes the totals at a phase boundary."""

    SAMPLE_SECONDS = 0.5

    def __init__(self, server_pid, database):
        self.server_pid, self.database = server_pid, database
        self.ticks = {}  # pid → latest utime + stime, in clock ticks
        self.backends = set()  # the pids that are database backends
        self.tick = os.sysconf("SC_CLK_TCK")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _pids(self):
        backends = set()
        try:
            from django.db import connection

            with connection.cursor() as cur:
                cur.execute(
                    # the clients' backends: not autovacuum's, whose work after a run is no request's
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
                    " AND pid <> pg_backend_pid()",
                    [self.database],
                )
                backends = {str(pid) for (pid,) in cur.fetchall()}
        except Exception:  # a sample missed is a sample missed
            pass
        group = set()
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    if os.getpgid(int(pid)) == self.server_pid:
                        group.add(pid)
                except OSError:
                    continue
        self.backends |= backends
        return group | backends

    def sample(self):
        for pid in self._pids():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rpartition(")")[2].split()
            except OSError:
                continue
            self.ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime

    def _run(self):
        while not self._stop.wait(self.SAMPLE_SECONDS):
            self.sample()

    def start(self):
        self.sample()
        self._thread.start()

    def mark(self):
        """The ticks per process now (a phase boundary)."""
        self.sample()
        return dict(self.ticks)

    def seconds_between(self, before, after, *, database_only=False):
        pids = [pid for pid in after if pid in self.backends or not database_only]
        return sum(after[pid] - before.get(pid, 0) for pid in pids) / self.tick

    def stop(self):
        self._stop.set()


# --- the clients ----------------------------------------------------------------


class Client:
    """One browser: a cookie jar and a keep-alive connection (a second one for a racing double tap)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.cookies_lock = threading.Lock()  # a double tap's two requests share the jar
        self.conns = {}
        self.reconnects = 0

    def _conn(self, slot):
        if slot not in self.conns:
            self.conns[slot] = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return self.conns[slot]

    def request(self, method, path, fields=None, slot=0):
        """(status, headers, body text, seconds). A connection the server closed is reopened and the request sent
        again once: harmless for a POST too, which is what its idempotency token is for."""
        headers = {}
        with self.cookies_lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                conn = self._conn(slot)
                conn.request(method, path, body, headers)
                resp = conn.getresponse()
                text = resp.read().decode("utf-8", errors="replace")
                break
            except (http.client.HTTPException, OSError):
                self.conns.pop(slot).close()
                if attempt == 2:
                    raise
                self.reconnects += 1
        seconds = time.perf_counter() - start
        for raw in resp.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(raw)
            with self.cookies_lock:
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        return resp.status, resp.headers, text, seconds

    def close(self):
        for conn in self.conns.values():
            conn.close()


@dataclass
class Result:
    """What one organizer sent and what came back."""

    sent: dict = field(default_factory=dict)  # token → (council id, count, entry pk)
    resent_same: int = 0  # re-sends answered with the entry the first send made
    resent_other: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    post_s: list = field(default_factory=list)
    get_s: list = field(default_factory=list)
    floor_s: list = field(default_factory=list)
    requests: int = 0
    reconnects: int = 0
    finished: bool = False


def _entry_pk(status, headers):
    if status != 302:
        return None
    m = DONE_RE.match(headers.get("Location", ""))
    return int(m.group(1)) if m else None


def _form_error(text):
    errors = [" ".join(re.sub(r"<[^>]+>", " ", e).split()) for e in ERROR_RE.findall(text)]
    return " / ".join(errors)[:200] or "no form errors"


def _log_in(client, username, result):
    try:
        _, _, text, _ = client.request("GET", "/login/")
        csrf = CSRF_RE.search(text).group(1)
        fields = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf, "next": ""}
        status, _, _, _ = client.request("POST", "/login/", fields)
        if status != 302 or "sessionid" not in client.cookies:
            raise RuntimeError(f"{username}: login answered {status}")
    except Exception as exc:
        result.errors.append(f"login: {exc!r}")
        return False
    return True


def _floor(client, result, n=FLOOR_REQUESTS):
    """The baseline: the cheapest signed-in request (the login page sends a signed-in user on: a 302)."""
    for _ in range(n):
        status, _, _, seconds = client.request("GET", "/login/")
        if status != 302:
            result.errors.append(f"baseline request answered {status}")
        result.floor_s.append(seconds)


def _post_twice_racing(client, fields):
    """Two taps: the second leaves on another connection while the first is still on its way."""
    twin = {}

    def second():
        twin["answer"] = client.request("POST", "/petitions/entry/", fields, slot=1)

    t = threading.Thread(target=second)
    t.start()
    first = client.request("POST", "/petitions/entry/", fields)
    t.join()
    return [first, twin["answer"]]


def _submit(client, index, councils, petition, day, args, deadline, result):
    """`args.entries` entries: GET the form for its tokens, POST; every Nth POST sent twice."""
    import random

    rng = random.Random(index)
    form_path = f"/petitions/entry/?petition={petition.slug}"
    for i in range(args.entries):
        if time.monotonic() > deadline:
            result.errors.append(f"time limit reached after {i} entries")
            return
        council = councils[i % len(councils)]
        status, _, text, seconds = client.request("GET", f"{form_path}&council={council}")
        result.get_s.append(seconds)
        result.requests += 1
        token, csrf = TOKEN_RE.search(text), CSRF_RE.search(text)
        if status != 200 or token is None or csrf is None:
            result.errors.append(f"entry form answered {status}")
            continue
        count = rng.randint(1, 300)
        fields = {
            "csrfmiddlewaretoken": csrf.group(1),
            "submission_token": token.group(1),
            "petition": petition.pk,
            "council": council,
            # People type ４２ as often as 42.
            "count": str(count).translate(FULLWIDTH) if i % 7 == 3 else str(count),
            "collected_on": day.isoformat(),
            "kind": "web" if i % 5 == 4 else "individual",
            "organisation": "",
            "source": "駅前宣伝",
            "note": "",
        }
        resend = args.resend_every and i % args.resend_every == args.resend_every - 1
        if resend and (i // args.resend_every) % 2 == 1:
            answers = _post_twice_racing(client, fields)
        elif resend:  # a re-tap after the first answer came back
            answers = [client.request("POST", "/petitions/entry/", fields) for _ in range(2)]
        else:
            answers = [client.request("POST", "/petitions/entry/", fields)]
        result.post_s.extend(a[3] for a in answers)
        result.requests += len(answers)
        pks = [_entry_pk(a[0], a[1]) for a in answers]
        if pks[0] is None and len(pks) > 1 and pks[1] is not None:
            pks.reverse()  # in a race either tap may be the one that recorded
        if pks[0] is None:
            result.errors.append(f"entry answered {answers[0][0]}: {_form_error(answers[0][2])}")
            continue
        result.sent[token.group(1)] = (council, count, pks[0])
        for pk in pks[1:]:
            if pk == pks[0]:
                result.resent_same += 1
            else:
                result.resent_other.append((token.group(1), pks[0], pk))
    result.finished = True


def organizer(index, username, councils, port, petition, day, args, phase, deadline, result):
    """One phone: log in; [everyone] the baseline requests; [everyone] the entries."""
    client = Client(port)
    try:
        logged_in = _log_in(client, username, result)
        phase.wait(timeout=PHASE_TIMEOUT)
        if logged_in:
            _floor(client, result)
        phase.wait(timeout=PHASE_TIMEOUT)
        if logged_in:
            _submit(client, index, councils, petition, day, args, deadline, result)
    except Exception as exc:
        result.errors.append(f"{exc!r}")
    finally:
        result.reconnects = client.reconnects
        client.close()


def run_clients(server, petition, organizers, day, args, cpu):
    """Run the organizers' threads; returns (results, login s, baseline s, entries s, server CPU s of the baseline,
    server CPU s of the entries)."""
    results = [Result() for _ in organizers]
    phase = threading.Barrier(len(organizers) + 1)
    threads = [
        threading.Thread(
            target=organizer,
            args=(i, name, councils, server.port, petition, day, args, phase, time.monotonic() + args.time_limit,
                  results[i]),
            daemon=True,
        )
        for i, (name, councils) in enumerate(organizers)
    ]  # fmt: skip
    start = time.perf_counter()
    for t in threads:
        t.start()
    phase.wait(timeout=PHASE_TIMEOUT)
    logged_in, cpu_logged_in = time.perf_counter(), cpu.mark()
    phase.wait(timeout=PHASE_TIMEOUT)
    floor_done, cpu_floor_done = time.perf_counter(), cpu.mark()
    for t in threads:
        t.join(timeout=args.time_limit + 120)
    done, cpu_done = time.perf_counter(), cpu.mark()
    floor_cpu = (
        cpu.seconds_between(cpu_logged_in, cpu_floor_done),
        cpu.seconds_between(cpu_logged_in, cpu_floor_done, database_only=True),
    )
    entries_cpu = (
        cpu.seconds_between(cpu_floor_done, cpu_done),
        cpu.seconds_between(cpu_floor_done, cpu_done, database_only=True),
    )
    return results, logged_in - start, floor_done - logged_in, done - floor_done, floor_cpu, entries_cpu


# --- queries per entry ------------------------------------------------------------


def count_queries(petition, organizers, day, show=False):
    """Queries of one entry, counted in this process over the same views with Django's test client.

    Per organizer kind (a local council's organizer, a prefectural one recording for a council below):
    the form GET, the POST (a 302) and the confirmation page it redirects to, after one warm-up entry
    (the first request of a session writes its login time, as on the server). {kind: (get, post, done)}.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from councils.models import User

    counts = {}
    picks = {"local": next(o for o in organizers if len(o[1]) == 1), "prefectural": organizers[0]}
    for kind, (username, councils) in picks.items():
        client = Client(enforce_csrf_checks=True, SERVER_NAME="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        council = councils[-1]
        for _ in range(2):  # the second entry is the one counted
            phases = {}
            with CaptureQueriesContext(connection) as phases["GET form"]:
                form = client.get(f"/petitions/entry/?petition={petition.slug}&council={council}")
            text = form.content.decode()
            fields = {
                "csrfmiddlewaretoken": CSRF_RE.search(text).group(1),
                "submission_token": TOKEN_RE.search(text).group(1),
                "petition": petition.pk, "council": council, "count": "5", "collected_on": day.isoformat(),
                "kind": "individual", "organisation": "", "source": "", "note": "",
            }  # fmt: skip
            with CaptureQueriesContext(connection) as phases["POST"]:
                answer = client.post("/petitions/entry/", fields)
            if answer.status_code != 302:
                problem = _form_error(answer.content.decode())
                raise RuntimeError(f"query count: the entry answered {answer.status_code}: {problem}")
            with CaptureQueriesContext(connection) as phases["GET confirmation"]:
                done = client.get(answer["Location"])
            if done.status_code != 200:
                raise RuntimeError(f"query count: the confirmation answered {done.status_code}")
        counts[kind] = tuple(len(c.captured_queries) for c in phases.values())
        if show:
            for phase, captured in phases.items():
                print(f"--- {kind} organizer, {phase}: {len(captured.captured_queries)} queries")
                for q in captured.captured_queries:
                    print(f"    {q['sql'][:400]}")
    return counts


# --- the check ----------------------------------------------------------------


def verify(petition, results):
    """Problems found in the database, [] when every entry is there exactly once and every total is exact."""
    from django.db import connection
    from django.db.models import Count

    from petitions.models import TallyEntry
    from petitions.selectors import council_totals

    problems = []
    sent = {}
    for r in results:
        sent.update(r.sent)
    expected = defaultdict(int)
    for council, count, _ in sent.values():
        expected[council] += count
    entries = TallyEntry.objects.filter(petition=petition)
    in_db = dict(entries.values_list("submission_token", "pk"))
    if entries.count() != len(sent):
        problems.append(f"{entries.count():,} entries in the database for {len(sent):,} tokens sent")
    tokens_db = {str(t) for t in in_db}
    if tokens_db != set(sent):
        problems.append(f"tokens: {len(set(sent) - tokens_db)} sent but missing, {len(tokens_db - set(sent))} extra")
    wrong_pk = [t for t, (_, _, pk) in sent.items() if in_db.get(uuid.UUID(t)) != pk]
    if wrong_pk:
        problems.append(f"{len(wrong_pk)} answers named another entry than the one recorded for their token")
    twice = entries.values("submission_token").annotate(n=Count("pk")).filter(n__gt=1).count()
    if twice:
        problems.append(f"{twice} tokens recorded more than once")
    by_selector = {r["council_id"]: r["to_date"] for r in council_totals(petition=petition)}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT council_id, SUM(count) FROM petitions_tallyentry WHERE petition_id = %s GROUP BY council_id",
            [petition.pk],
        )
        by_sql = {c: int(n) for c, n in cur.fetchall()}
    if by_selector != dict(expected):
        problems.append(f"council totals (selector) differ from the counts sent: {_diff(expected, by_selector)}")
    if by_sql != dict(expected):
        problems.append(f"council totals (SQL) differ from the counts sent: {_diff(expected, by_sql)}")
    return problems, sum(expected.values()), len(expected)


def _diff(expected, got):
    keys = sorted(set(expected) | set(got))
    return ", ".join(
        f"{k}: sent {expected.get(k, 0)} db {got.get(k, 0)}" for k in keys if expected.get(k) != got.get(k)
    )


def main():
    args = parse_args()
    db = choose_database("bench_http")
    print(f"bench_concurrent_entry: {db.shown}, load {load()}", flush=True)
    target = f"issue 3 target 2 ({args.organizers} organizers, {args.organizers * args.entries:,} entries over HTTP)"
    if db.vendor != "postgresql":
        print("SKIP: concurrent writers need PostgreSQL (SQLite takes one writer at a time)")
        summary(target, f"SKIP (no PostgreSQL), load {load()}")
        return 0
    setup_django(db)
    petition, organizers, day = prepare(args)
    total_entries = args.organizers * args.entries
    resends = total_entries // args.resend_every if args.resend_every else 0
    print(
        f"petition {petition.slug}: {args.organizers} organizers x {args.entries} entries = {total_entries:,}, "
        f"{resends:,} sent twice; gunicorn {args.workers} workers x {args.threads} threads",
        flush=True,
    )
    # A plain `kill` of this script still stops the server: SystemExit runs the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load_before = load()
    server = None
    try:
        server = Server(db, args)
        server.wait_ready()
        cpu = ServerCpu(server.proc.pid, db.name)
        cpu.start()
        results, login_s, floor_s, elapsed, floor_cpu, entries_cpu = run_clients(
            server, petition, organizers, day, args, cpu
        )
        cpu.stop()
    finally:
        if server is not None:
            server.stop()
    load_after = load()

    per_worker = server.requests_per_worker()
    problems, total_count, councils = verify(petition, results)
    # After the check: the entries it makes are not the clients'.
    queries = count_queries(petition, organizers, day, show=args.show_queries)
    errors = Counter(e for r in results for e in r.errors)
    unfinished = sum(not r.finished for r in results)
    recorded = sum(len(r.sent) for r in results)
    resent_same = sum(r.resent_same for r in results)
    resent_other = [x for r in results for x in r.resent_other]
    requests = sum(r.requests for r in results)
    posts = [s * 1000 for r in results for s in r.post_s] or [float("nan")]
    gets = [s * 1000 for r in results for s in r.get_s] or [float("nan")]
    floor = [s * 1000 for r in results for s in r.floor_s] or [float("nan")]
    if recorded != total_entries:
        problems.append(f"{recorded:,} of {total_entries:,} entries answered with a recorded entry")
    if resent_same != resends:
        problems.append(f"{resent_same:,} of {resends:,} re-sends answered with the first send's entry")
    if resent_other:
        problems.append(f"{len(resent_other)} re-sends answered with another entry, e.g. {resent_other[:3]}")
    if errors:
        problems.append(f"{sum(errors.values())} client errors, e.g. {errors.most_common(3)}")
    if unfinished:
        problems.append(f"{unfinished} organizers did not finish (time limit {args.time_limit:.0f} s)")
    ok = not problems

    rps, floor_rps = requests / elapsed, len(floor) / floor_s
    print(f"machine: {machine()} (load before {load_before}, after {load_after})")
    print(f"log in of {args.organizers} organizers (PBKDF2 on the server): {login_s:.1f} s")
    print(
        f"baseline, {len(floor):,} signed-in GET /login/ (302) by the same clients: {floor_s:.1f} s = "
        f"{floor_rps:.0f} requests/s, p50 {median(floor):.1f} ms, p95 {percentile(floor, 95):.1f} ms"
    )
    print(
        f"entries: {recorded:,} recorded in {elapsed:.1f} s = {recorded / elapsed:.1f} entries/s; "
        f"{requests:,} requests = {rps:.0f} requests/s"
    )
    print(f"  POST entry:     p50 {median(posts):6.1f} ms  p95 {percentile(posts, 95):6.1f} ms  ({len(posts):,})")
    print(f"  GET entry form: p50 {median(gets):6.1f} ms  p95 {percentile(gets, 95):6.1f} ms  ({len(gets):,})")
    print(
        f"ratio to the baseline: POST p50 {median(posts) / median(floor):.1f}x, "
        f"form GET p50 {median(gets) / median(floor):.1f}x, throughput {floor_rps / rps:.1f}x fewer requests/s"
    )
    for phase, counts in per_worker.items():
        spread = ", ".join(f"{pid} {n:,}" for pid, n in sorted(counts.items()))
        print(f"requests per gunicorn worker ({phase}): {spread or 'none logged'}")
    for kind, (get_n, post_n, done_n) in queries.items():
        print(
            f"queries per entry ({kind} council's organizer): form GET {get_n} + POST {post_n} = {get_n + post_n}, "
            f"+ confirmation page {done_n} = {get_n + post_n + done_n}"
        )
    floor_cpu_ms = floor_cpu[0] * 1000 / max(1, len(floor))
    entry_cpu_ms = entries_cpu[0] * 1000 / max(1, requests)
    print(
        f"server CPU (gunicorn + PostgreSQL backends) per request: baseline {floor_cpu_ms:.2f} ms "
        f"(PostgreSQL {floor_cpu[1] * 1000 / max(1, len(floor)):.2f}), entry requests {entry_cpu_ms:.2f} ms "
        f"(PostgreSQL {entries_cpu[1] * 1000 / max(1, requests):.2f}); per entry (form GET + POST, re-sends "
        f"included) {entries_cpu[0] * 1000 / max(1, recorded):.2f} ms"
    )
    print(
        f"entry rate / baseline rate: by throughput {rps / floor_rps:.2f}, "
        f"by server CPU {floor_cpu_ms / entry_cpu_ms:.2f} (issue 22 target: at least 0.5)"
    )
    print(f"duplicates refused: {resent_same:,} of {resends:,} re-sends (every other one racing its first tap)")
    print(f"total counted: {total_count:,} over {councils} councils; reconnects: {sum(r.reconnects for r in results)}")
    for p in problems:
        print(f"PROBLEM: {p}")
    if problems:
        print(f"server log {server.log.name}, last lines:\n{server.tail()}")
    else:
        os.unlink(server.log.name)
    os.unlink(server.access_log.name)
    print(f"every entry exactly once, totals exact: {verdict(ok)}")
    summary(
        target,
        f"{verdict(ok)} {recorded:,}/{total_entries:,} entries once each, {resent_same:,}/{resends:,} re-sends "
        f"refused, totals {'exact' if not problems else 'NOT checked out'}; {elapsed:.1f} s, {rps:.0f} req/s "
        f"({rps / floor_rps:.2f} of the floor's, {floor_cpu_ms / entry_cpu_ms:.2f} by server CPU), "
        f"POST p50 {median(posts):.0f} ms p95 {percentile(posts, 95):.0f} ms ({median(posts) / median(floor):.1f}x "
        f"the {median(floor):.0f} ms floor), load {load_before} → {load_after}",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Drill 3: PostgreSQL restarted (fast, then immediate) during a burst of 2,000 phone tally entries from 20 clients.

Twenty browsers, each logged in as an organizer of its own, POST the phone form (petitions:entry) with a
submission token per entry to a real gunicorn. Partway through, the cluster is restarted with
`pg_ctl restart -m fast`, later with `-m immediate` (a crash: no checkpoint, WAL replayed). A client that did not
see its entry acknowledged (the redirect to the entry's confirmation) sends the same form again, same token,
until it is. Afterwards: every acknowledged entry is in the ledger once and is the row its confirmation named,
no entry is there twice, and requests that started after the database was back all succeeded without
restarting gunicorn. Last, the cluster is restarted once more while every gunicorn thread idles on the
connection it keeps (CONN_MAX_AGE): the next request of each succeeds, because Django checks a kept connection
before reusing it (CONN_HEALTH_CHECKS; without it the first request of each thread was a 500).
"""

import re
import threading
import time
import uuid

import pytest

from tests.harness import processes

pytestmark = pytest.mark.drill

CLIENTS = 20
PER_CLIENT = 100
ACKNOWLEDGED = re.compile(r"^/petitions/entry/(\d+)/$")


class Outcome:
    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = {}  # note -> (token, entry pk)
        self.resent = 0  # entries that needed more than one send
        self.failures = []  # (started at, finished at, what)
        self.sends = 0
        self.acks = []  # (started at, finished at) of each acknowledged send


def _client(number, port, rows, session, outcome, stop):
    client = processes.Client(port, timeout=15).use_session(session)
    page = client.get("/petitions/entry/")
    assert page.status == 200 and processes.form_values(page.text, "submission_token"), page.text[:500]
    for i in range(PER_CLIENT):
        note = f"drill3 c{number} e{i}"
        # The token the form carried; the next entry's form would carry a fresh one (TallyEntryForm).
        token = processes.form_values(page.text, "submission_token") if i == 0 else str(uuid.uuid4())
        data = {
            "petition": rows["petition"],
            "council": rows["yokohama"],
            "count": str(i % 97 + 1),
            "collected_on": "2025-12-01",
            "kind": "individual",
            "organisation": "",
            "source": "",
            "note": note,
            "submission_token": token,
        }
        sends = 0
        while not stop.is_set():
            sends += 1
            started = time.monotonic()
            try:
                response = client.post("/petitions/entry/", data)
            except OSError as exc:
                what = f"{type(exc).__name__}: {exc}"
            else:
                match = ACKNOWLEDGED.match(response.location) if response.status == 302 else None
                if match:
                    with outcome.lock:
                        outcome.acknowledged[note] = (token, int(match.group(1)))
                        outcome.sends += sends
                        outcome.resent += sends > 1
                        outcome.acks.append((started, time.monotonic()))
                    break
                what = f"HTTP {response.status}"
            with outcome.lock:
                outcome.failures.append((started, time.monotonic(), what))
            time.sleep(0.2)  # then the same form again: same token


def test_drill3_postgresql_restarted_during_a_burst_of_phone_entries(drill, figures):
    site, media = drill
    rows = site.rows
    env = site.env(media_root=media)
    sessions = processes.rows(env, "sessions", usernames=rows["organizers"])
    server = processes.gunicorn(env, name="drill3-gunicorn", workers=3, threads=2)
    master = server.pid
    outcome, stop = Outcome(), threading.Event()
    threads = [
        threading.Thread(
            target=_client, args=(n, server.port, rows, sessions[rows["organizers"][n]], outcome, stop), daemon=True
        )
        for n in range(CLIENTS)
    ]
    total = CLIENTS * PER_CLIENT
    clock = time.monotonic()
    for thread in threads:
        thread.start()

    def acknowledged():
        return len(outcome.acknowledged)

    outages, recovered_in = [], {}
    try:
        for mode, share in (("fast", 0.25), ("immediate", 0.6)):
            processes.wait_for(f"{share:.0%} acknowledged", lambda s=share: acknowledged() >= total * s, timeout=120)
            began = time.monotonic()
            site.cluster.restart(mode)
            outages.append((began, time.monotonic()))

            def acknowledged_since(moment=began):
                with outcome.lock:
                    return min((end for start, end in outcome.acks if start > moment), default=None)

            first = processes.wait_for(
                f"an entry acknowledged after the {mode} restart", acknowledged_since, timeout=60
            )
            recovered_in[mode] = first - began
        for thread in threads:
            thread.join(timeout=240)
    finally:
        stop.set()
    elapsed = time.monotonic() - clock
    assert not any(t.is_alive() for t in threads), "clients still sending after 4 minutes"

    # The server recovers by itself: restarted again while every gunicorn thread idles on a kept connection,
    # the next requests of all of them succeed (without CONN_HEALTH_CHECKS the first of each thread was a 500).
    site.cluster.restart("fast")
    idle = [processes.Client(server.port).use_session(sessions[name]) for name in rows["organizers"][:12]]
    statuses = []
    readers = [threading.Thread(target=lambda c=c: statuses.append(c.get("/petitions/entry/").status)) for c in idle]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=30)

    ledger = site.query(
        "SELECT note, submission_token::text, id FROM petitions_tallyentry WHERE petition_id = %s AND note LIKE %s",
        (rows["petition"], "drill3 %"),
    )
    by_note = {}
    for note, token, pk in ledger:
        by_note.setdefault(note, []).append((token, pk))
    doubled = sum(len(v) - 1 for v in by_note.values())
    lost = [n for n, (token, pk) in outcome.acknowledged.items() if by_note.get(n) != [(token, pk)]]
    # A send may fail only while the database is down (pg_ctl -w returns once it accepts connections): a send
    # that started after that must succeed, in particular on a connection a gunicorn worker kept from before
    # the restart (settings.CONN_HEALTH_CHECKS: Django checks a kept connection before a request uses it).
    outside = [f for f in outcome.failures if not any(began - 15 <= f[0] <= up for began, up in outages)]
    figures(
        3,
        requests=outcome.sends,
        entries=total,
        acknowledged=len(outcome.acknowledged),
        resent=outcome.resent,
        failed_sends=len(outcome.failures),
        lost=len(lost),
        doubled=doubled,
        recovered_in=f"fast {recovered_in['fast']:.1f}s/immediate {recovered_in['immediate']:.1f}s",
        elapsed=f"{elapsed:.1f}s",
    )
    assert len(outcome.acknowledged) == total, "some entries were never acknowledged"
    assert len(ledger) == total and not lost and doubled == 0, (lost[:10], doubled)
    assert server.alive() and server.pid == master, "gunicorn was restarted"
    assert statuses == [200] * len(idle), f"after a restart while idle: {statuses}"
    assert not outside, [(round(s - clock, 2), round(e - clock, 2), w) for s, e, w in outside[:10]]

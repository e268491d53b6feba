"""Drill 4: an import killed mid-commit (SIGKILL) leaves all of its rows or none, and can simply be run again.

`manage.py import_tallies` commits a 20,000-row tally file (the same importer as the admin's import page:
check again, then every row in one transaction). The drill watches the database until that process's
transaction holds writes and its statement writes ledger rows (COPY, pg_stat_activity), and kills the
process group with SIGKILL then. The ledger then has none
of the file's rows (or, had the commit won the race, all of them: never a part), no import batch is half
there, and no backend of the dead process is left holding locks. The same command then imports the file once.
"""

import time

import pytest

from tests.harness import processes

pytestmark = pytest.mark.drill

ROWS = 20_000


def _file_rows(site, petition):
    return site.scalar(
        "SELECT count(*) FROM petitions_tallyentry WHERE petition_id = %s AND note LIKE 'drill row %%'", (petition,)
    )


def _batches(site):
    return site.scalar("SELECT count(*) FROM petitions_importbatch WHERE file_name = 'drill4.csv'")


WRITING = (
    "SELECT pid, state, left(query, 60) FROM pg_stat_activity"
    " WHERE datname = %s AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
    # With `inserting`: once its statement writes ledger rows (COPY on PostgreSQL, else INSERTs).
    " AND (NOT %s OR query ~ '^(COPY|INSERT INTO) \"petitions_tallyentry\"')"
)


def _writing_backend(site, inserting=False, connection=None):
    """The backend of the import while its transaction holds writes (pg_stat_activity)."""
    if connection is None:
        found = site.query(WRITING, (site.database, inserting))
    else:
        with connection.cursor() as cursor:
            cursor.execute(WRITING, (site.database, inserting))
            found = cursor.fetchall()
    return found[0] if found else None


def test_drill4_import_killed_mid_commit_leaves_all_rows_or_none(drill, figures, tmp_path):
    site, media = drill
    env = site.env(media_root=media)
    path = tmp_path / "drill4.csv"
    made = processes.rows(env, "tally_csv", path=str(path), rows=ROWS)
    petition = made["petition"]
    before = _file_rows(site, petition)
    assert before == 0 and _batches(site) == 0

    command = [processes.sys.executable, "manage.py", "import_tallies", str(path), "--petition", "hokensho",
               "--user", site.rows["staff"]]  # fmt: skip
    importer = processes.Process("drill4-import", command, env=env, log=processes.LOG_DIR / "drill4-import.log")
    clock = time.monotonic()
    watch = site.cluster.connect(site.database)  # one connection, polled every few milliseconds
    try:
        writing = processes.wait_for(
            "the import's transaction writing ledger rows",
            lambda: (
                _writing_backend(site, inserting=True, connection=watch)
                or (not importer.alive() and ("exited", None, None))
            ),
            timeout=120,
            interval=0.002,
            logs=[importer.log],
        )
    finally:
        watch.close()
    assert writing[0] != "exited", "the import finished before its commit could be caught:\n" + processes.log_tail(
        importer.log
    )
    statement = writing[2]
    importer.kill()
    killed_after = time.monotonic() - clock

    # The server notices the client is gone and rolls its transaction back; nothing of it stays.
    processes.wait_for("the dead import's backend is gone", lambda: _writing_backend(site) is None, timeout=30)
    after_kill = _file_rows(site, petition)
    batches_after_kill = _batches(site)

    # Run again: the file imports once, whole.
    rerun = processes.manage(env, "import_tallies", str(path), "--petition", "hokensho", "--user", site.rows["staff"])
    after_rerun = _file_rows(site, petition)
    figures(
        4,
        rows=ROWS,
        killed_after=f"{killed_after:.1f}s",
        killed_during=repr(statement),
        rows_after_kill=after_kill,
        batches_after_kill=batches_after_kill,
        rows_after_rerun=after_rerun,
        lost=ROWS - after_rerun,
        doubled=max(0, after_rerun - ROWS),
    )
    assert (after_kill, batches_after_kill) in {(0, 0), (ROWS, 1)}, "a part of the import was left behind"
    assert after_kill == 0, "the kill came too late to prove anything: the commit had finished"
    assert after_rerun == ROWS and _batches(site) == 1, rerun

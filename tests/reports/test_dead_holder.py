"""Whether a job's holder is alive, as a worker starting under the same node name asks (reports.tasks._pid_alive):
a killed pool process that nobody has reaped yet is a zombie, dead though signal 0 still reaches it."""

import signal
import subprocess
import sys
import time

from reports.tasks import _pid_alive


def test_a_running_process_is_alive_and_a_killed_unreaped_one_is_not():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert _pid_alive(child.pid)
        child.send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # dead, not waited for: a zombie
            with open(f"/proc/{child.pid}/stat", "rb") as stat:
                if stat.read().rpartition(b")")[2].split()[0] == b"Z":
                    break
            time.sleep(0.02)
        assert not _pid_alive(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not _pid_alive(child.pid)  # reaped: gone

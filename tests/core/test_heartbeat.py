"""shaho/core/heartbeat.py: the beat a report job and an import job keep while they work."""

import threading
import time

from shaho.core.heartbeat import beating


def test_beats_while_the_block_runs_and_stops_after():
    beats = []
    with beating(name="test-heartbeat", interval=0.02, beat=lambda: beats.append(time.monotonic())):
        time.sleep(0.2)
    ended = len(beats)
    assert ended >= 3, beats  # about ten in 0.2 s
    time.sleep(0.1)
    assert len(beats) == ended  # none after the block
    assert not any(t.name == "test-heartbeat" for t in threading.enumerate())

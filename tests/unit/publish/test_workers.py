"""Worker processes die with their parent: a parent process makes a pool, learns its worker's
process id and is SIGKILLed; the worker must be gone within moments, by Linux's death signal or,
without it, by watching its parent's process id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PARENT = """
import os, signal, sys, time
from tarwatch.publish import workers
if sys.argv[1] == "watch-only":
    workers._ask_for_death_signal = lambda: False  # inherited by the forked worker
pool = workers.pool(1)
print(pool.submit(os.getpid).result(), flush=True)
pool.submit(time.sleep, 60)
time.sleep(0.2)
os.kill(os.getpid(), signal.SIGKILL)
"""


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", ["death-signal", "watch-only"])
def test_a_worker_dies_when_its_parent_is_killed(how: str) -> None:
    p = subprocess.run(
        [sys.executable, "-c", PARENT, how],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert p.returncode == -9, p.stderr
    worker = int(p.stdout.split()[0])
    deadline = time.monotonic() + 5
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = running(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive, f"worker {worker} outlived its parent ({how})"


def test_a_worker_leaves_ctrl_c_to_its_parent() -> None:
    """Ctrl-C reaches the whole process group; a worker ignores it, whether it is running a job
    or waiting for the next one (where a KeyboardInterrupt would print a traceback), and its
    parent answers it."""
    from tarwatch.publish import workers

    with workers.pool(1) as pool:
        assert pool.submit(signal.getsignal, signal.SIGINT).result(timeout=30) == signal.SIG_IGN

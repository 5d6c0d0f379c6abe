"""The test servers stop when told to, by PID, also where SIGINT is ignored (a background
`make test &`): a stopped PostgreSQL leaves no server process behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from support.deps import need_executable
from support.postgres import Postgres
from support.postgres import bin_dir as pg_bin_dir

pytestmark = pytest.mark.e2e


def test_a_stopped_postgresql_leaves_no_server_running() -> None:
    need_executable(
        str(pg_bin_dir() or "/usr/lib/postgresql/VERSION/bin") + "/postgres",
        "run scripts/install-system-deps.sh",
    )
    server = Postgres()
    postmaster = server._postmaster_pid()
    assert postmaster is not None and Path(f"/proc/{postmaster}").exists()
    t0 = time.monotonic()
    server.stop()
    assert time.monotonic() - t0 < 10, "the server did not stop at once"
    deadline = time.monotonic() + 5
    while Path(f"/proc/{postmaster}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    running = Path(f"/proc/{postmaster}").exists()
    if running:
        os.kill(postmaster, signal.SIGKILL)
    assert not running, "the postmaster outlived stop()"

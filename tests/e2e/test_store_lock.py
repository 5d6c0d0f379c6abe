"""The store's run lock itself, on SQLite (flock beside the file) and a real PostgreSQL
(advisory lock): the second taker gives up naming the holder; a SIGKILLed holder leaves no stale
lock, even when a child it forked (publish's image workers) lives on."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tarwatch.store.lock import BUSY_EXIT, Busy, acquire, lock_path, sqlite_path

pytestmark = pytest.mark.e2e

HOLDER = """
import os, sys, time
from tarwatch.store.lock import acquire
lock = acquire(sys.argv[1], "run", 0, ["ZZ"])
child = os.fork()
if child == 0:
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
time.sleep(60)
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'tw.db'}"
    return request.getfixturevalue("postgres").fresh_database(f"lk{os.getpid()}{time.monotonic_ns()}")


def test_sqlite_urls_name_the_file_beside_which_the_lock_lives() -> None:
    assert sqlite_path("sqlite:////var/lib/tw.db") == Path("/var/lib/tw.db")
    assert sqlite_path("sqlite:///rel/tw.db?timeout=5") == Path("rel/tw.db")
    assert lock_path("sqlite:////var/lib/tw.db", "ZZ") == Path("/var/lib/tw.db.ZZ.lock")
    assert lock_path("sqlite:////var/lib/tw.db", "a/b.%") == Path("/var/lib/tw.db.a%2Fb.%25.lock")
    assert lock_path("sqlite://", "ZZ") is None and lock_path("sqlite:///:memory:", "ZZ") is None
    assert lock_path("postgresql+psycopg://tw@db/tw", "ZZ") is None


def test_the_second_taker_waits_then_gives_up_naming_the_holder(url: str) -> None:
    held = acquire(url, "run", 0, ["ZZ"])
    try:
        t0 = time.monotonic()
        with pytest.raises(Busy) as e:
            acquire(url, "collect", 0.6, ["AA", "ZZ"])
        assert time.monotonic() - t0 >= 0.6
        assert e.value.exit_code == BUSY_EXIT
        assert f"another tarwatch run holds the store {url.split('//')[0]}" in str(e.value)
        assert " for hub ZZ since " in str(e.value)
        assert f", pid {os.getpid()} on " in str(e.value) and str(e.value).endswith("giving up")
        acquire(url, "collect", 0, ["AA"]).release()  # AA was released when ZZ was not had
        acquire(url, "collect", 0, ["YY"]).release()  # another hub of the store: free
    finally:
        held.release()
    acquire(url, "collect", 0, ["ZZ", "AA"]).release()  # free again


def test_a_sigkilled_holder_leaves_no_stale_lock_even_with_a_forked_child_alive(url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url], stdout=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL
    )
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    try:
        with pytest.raises(Busy):
            acquire(url, "run", 0, ["ZZ"])
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        os.kill(child, 0)  # the child lives on
        lock = acquire(url, "run", 5, ["ZZ"])  # the server may take a moment to see the socket closed
        lock.release()
    finally:
        holder.kill()
        holder.wait()
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)

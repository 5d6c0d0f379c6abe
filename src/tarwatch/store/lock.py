"""One writer at a time per store: `run`, `collect` and `notify` hold the store's run lock while
they work, so two of them (cron and a person, two cron lines, a run that overran) never collect,
keep states or send at the same time.

- SQLite: `flock` on `<database>.lock` beside the store file. The kernel releases it when the
  process ends, however it ends (a SIGKILLed run leaves no stale lock); the file only says who
  holds it (pid, host, command, since).
- PostgreSQL: `pg_try_advisory_lock` on a connection of its own, held for the run; the server
  releases it when that connection ends (the process died: the kernel closed its socket). The
  holder is named by the connection's `application_name`.

The second comer retries for a bounded time, then gives up with `Busy` (exit status 4)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tarwatch.errors import StoreError, TarwatchError

log = logging.getLogger(__name__)

BUSY_EXIT = 4
POLL = 0.2  # seconds between tries while waiting
# the advisory lock's key: one bigint for "the tarwatch run lock" of a database
PG_KEY = int.from_bytes(hashlib.sha256(b"tarwatch run lock").digest()[:8], "big", signed=True)
_SQLITE = re.compile(r"^sqlite(\+\w+)?://(?P<rest>[^?]*)")


class Busy(TarwatchError):
    """Another tarwatch holds the store's run lock, and did for all the time we could wait."""

    exit_code = BUSY_EXIT


@dataclass
class Holder:
    """Who holds a lock: the command, its pid and host, and since when (epoch seconds)."""

    command: str | None = None
    pid: int | None = None
    host: str | None = None
    since: float | None = None

    def describe(self, store: str) -> str:
        """Given the store as shown, return "tarwatch run holds the store … since 2026-12-01
        03:00 UTC, pid 4711 on hub1"."""
        what = f"tarwatch {self.command}" if self.command else "tarwatch"
        since = f" since {_when(self.since)}" if self.since else ""
        pid = f", pid {self.pid}" if self.pid else ", pid unknown"
        host = f" on {self.host}" if self.host else ""
        return f"{what} holds the store {store}{since}{pid}{host}"


class RunLock:
    """A held run lock. `acquired` is when it was taken, on the store's clock (epoch seconds):
    every delivery claimed before then was claimed by a process that no longer holds the lock."""

    def __init__(self, acquired: float, release: Callable[[], None]):
        self.acquired = acquired
        self._release = release

    def release(self) -> None:
        """Release the lock (idempotent)."""
        release, self._release = self._release, lambda: None
        release()


def sqlite_path(url: str) -> Path | None:
    """Given a store URL, return its SQLite database file, or None (PostgreSQL, in memory)."""
    m = _SQLITE.match(url)
    if m is None:
        return None
    rest = m.group("rest")
    database = rest[1:] if rest.startswith("/") else rest
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def lock_path(url: str) -> Path | None:
    """Given a store URL, return the lock file beside its SQLite database (None: no file)."""
    db = sqlite_path(url)
    return db.with_name(db.name + ".lock") if db is not None else None


def acquire(url: str, command: str, wait: float) -> RunLock:
    """Given a store URL, the command taking the lock and how long to wait for it (seconds),
    take the store's run lock and return it (release it when done); raise Busy naming the
    holder when it stays taken that long, StoreError when it cannot be taken at all."""
    if url.startswith("postgresql"):
        return _pg_lock(url, command, wait)
    if (path := lock_path(url)) is not None:
        return _file_lock(path, url, command, wait)
    return RunLock(time.time(), lambda: None)  # an in-memory store: nobody else sees it


@contextlib.contextmanager
def hold(url: str, command: str, wait: float) -> Iterator[RunLock]:
    """Like acquire(), holding the lock while the block runs."""
    lock = acquire(url, command, wait)
    try:
        yield lock
    finally:
        lock.release()


def _gave_up(url: str, holder: Holder, wait: float) -> Busy:
    from tarwatch.redact import redact_url

    waited = f"waited {_seconds(wait)}, " if wait > 0 else ""
    return Busy(f"another {holder.describe(redact_url(url))}; {waited}giving up")


def _seconds(seconds: float) -> str:
    """Given seconds, return them for people: "1 second", "2.5 seconds", "5 minutes"."""
    if seconds >= 90:
        from tarwatch.human import duration

        return duration(seconds)
    n = f"{seconds:g}"
    return f"{n} second" + ("" if n == "1" else "s")


# -- SQLite: flock on a file beside the store ----------------------------------------------


def _file_lock(path: Path, url: str, command: str, wait: float) -> RunLock:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as e:
        raise StoreError(f"cannot open the store's lock file {path}: {e.strerror}") from e
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _read_holder(fd)
                os.close(fd)
                raise _gave_up(url, holder, wait) from None
            time.sleep(POLL)
        except OSError as e:
            os.close(fd)
            raise StoreError(f"cannot lock {path}: {e.strerror}") from e
    acquired = time.time()
    me = {"command": command, "pid": os.getpid(), "host": socket.gethostname(), "since": acquired}
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(me) + "\n").encode(), 0)
    except OSError as e:
        # Who holds the lock is only told to a second comer; the lock itself holds (a full
        # disk is then said by the store, naming the store).
        log.warning("cannot note this run in the lock file %s: %s", path, e.strerror)
    # A forked child (publish's image workers) must not keep the lock alive after we die.
    forget = _close_in_children(fd)

    def release() -> None:
        forget()
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the last descriptor releases the flock

    return RunLock(acquired, release)


def _read_holder(fd: int) -> Holder:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return Holder(data.get("command"), data.get("pid"), data.get("host"), data.get("since"))
    except (OSError, ValueError, AttributeError):
        return Holder()


_inherited: set[int] = set()


def _close_in_children(fd: int) -> Callable[[], None]:
    """Close `fd` in every process forked from now on; return a function that stops that."""
    if not _inherited:
        os.register_at_fork(after_in_child=_close_inherited)
    _inherited.add(fd)
    return lambda: _inherited.discard(fd)


def _close_inherited() -> None:
    for fd in list(_inherited):
        with contextlib.suppress(OSError):
            os.close(fd)
    _inherited.clear()


# -- PostgreSQL: an advisory lock on a connection of its own --------------------------------


def _pg_lock(url: str, command: str, wait: float) -> RunLock:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import NullPool

    me = f"tarwatch {command} pid {os.getpid()} on {socket.gethostname()}"[:63]
    try:
        engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        conn = engine.connect()
    except (SQLAlchemyError, ImportError) as e:
        raise StoreError(f"cannot lock the store {_redacted(url)}: {getattr(e, 'orig', None) or e}") from e
    deadline = time.monotonic() + wait
    try:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_KEY}).scalar():
            if time.monotonic() >= deadline:
                holder = _pg_holder(conn)
                conn.close()
                raise _gave_up(url, holder, wait)
            time.sleep(POLL)
        # The last statement of this connection is this one: its query_start says since when.
        acquired = float(
            conn.execute(
                text(
                    "SELECT extract(epoch FROM clock_timestamp())"
                    " FROM set_config('application_name', :me, false)"
                ),
                {"me": me},
            ).scalar_one()
        )
    except SQLAlchemyError as e:
        conn.close()
        raise StoreError(f"cannot lock the store {_redacted(url)}: {getattr(e, 'orig', None) or e}") from e
    forget = _close_in_children(conn.connection.dbapi_connection.fileno())  # type: ignore[union-attr]

    def release() -> None:
        forget()
        with contextlib.suppress(SQLAlchemyError):
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_KEY})
        with contextlib.suppress(SQLAlchemyError):
            conn.close()
        engine.dispose()

    return RunLock(acquired, release)


def _pg_holder(conn: Any) -> Holder:
    from sqlalchemy import text

    row = conn.execute(
        text(
            "SELECT a.application_name, extract(epoch FROM a.query_start)"
            " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            " AND l.classid = :hi AND l.objid = :lo"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"hi": (PG_KEY >> 32) & 0xFFFFFFFF, "lo": PG_KEY & 0xFFFFFFFF},
    ).first()
    if row is None:
        return Holder()
    m = re.match(r"^tarwatch (\S+) pid (\d+) on (.*)$", row[0] or "")
    if m is None:
        return Holder(since=float(row[1]) if row[1] is not None else None)
    return Holder(m.group(1), int(m.group(2)), m.group(3), float(row[1]) if row[1] is not None else None)


def _redacted(url: str) -> str:
    from tarwatch.redact import redact_url

    return redact_url(url)


def _when(t: float) -> str:
    from tarwatch.human import when

    return when(t, seconds=True)  # two runs seconds apart must be told apart

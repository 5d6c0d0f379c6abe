"""One writer at a time per hub of a store: `run`, `collect` and `notify` hold the run lock of
each hub they work on, so two of them for one hub (cron and a person, two cron lines, a run that
overran) never collect, keep states or send at the same time, while hubs sharing a store (several
sites, one PostgreSQL) run side by side. A command over several hubs takes their locks in sorted
order, so two such commands never wait for each other in a circle.

- SQLite: `flock` on `<database>.<hub>.lock` beside the store file (the hub tag percent-encoded).
  The kernel releases it when the process ends, however it ends (a SIGKILLed run leaves no stale
  lock); the file only says who holds it (pid, host, command, hub, since).
- PostgreSQL: `pg_try_advisory_lock(class, hub key)` on a connection of its own, held for the
  run; the server releases it when that connection ends (the process died: the kernel closed its
  socket). The holder is named by the connection's `application_name`.

The second comer retries each lock for a bounded time, then gives up with `Busy` (exit status 4)
naming the hub whose lock is held.

A PostgreSQL lock lives as long as its connection: if that ends while the run goes on (the
server restarted, an administrator's pg_terminate_backend, a proxy's idle timeout), another
run may take the lock. `RunLock.check()` says so (`LockLost`); the store calls it before each
write it is given it for (`Store.guard_writes`), so such a run stops at its next write, before
it keeps a state or claims a message another run may be sending too."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tarwatch.errors import StoreBroken, StoreError, TarwatchError

log = logging.getLogger(__name__)

BUSY_EXIT = 4
POLL = 0.2  # seconds between tries while waiting
NOTE_WAIT = 2.0  # seconds a second comer waits for the holder to note who it is, at most
# the advisory locks' keys: (an int for "the tarwatch run lock" of a database, an int per hub)
PG_CLASS = int.from_bytes(hashlib.sha256(b"tarwatch run lock").digest()[:4], "big", signed=True)
_SQLITE = re.compile(r"^sqlite(\+\w+)?://(?P<rest>[^?]*)")


class Busy(TarwatchError):
    """Another tarwatch holds a hub's run lock, and did for all the time we could wait."""

    exit_code = BUSY_EXIT


@dataclass
class Holder:
    """Who holds a lock: the command, its pid and host, and since when (epoch seconds)."""

    command: str | None = None
    pid: int | None = None
    host: str | None = None
    since: float | None = None

    def describe(self, store: str, hub: str) -> str:
        """Given the store as shown and the hub, return "tarwatch run holds the store … for hub
        ZZ since 2026-12-01 03:00 UTC, pid 4711 on hub1"."""
        what = f"tarwatch {self.command}" if self.command else "tarwatch"
        since = f" since {_when(self.since)}" if self.since else ""
        pid = f", pid {self.pid}" if self.pid else ", pid unknown"
        host = f" on {self.host}" if self.host else ""
        return f"{what} holds the store {store} for hub {hub}{since}{pid}{host}"


class LockLost(StoreBroken):
    """A run lock is no longer held (its PostgreSQL connection ended): nothing more may be
    written or sent, another run may hold the lock now."""


class RunLock:
    """The held run locks of some hubs. `acquired` is when the first was taken, on the store's
    clock (epoch seconds): every delivery of those hubs claimed before then was claimed by a
    process that no longer holds their lock."""

    def __init__(self, acquired: float, release: Callable[[], None], check: Callable[[], None] | None = None):
        self.acquired = acquired
        self._release = release
        self._check = check or (lambda: None)

    def check(self) -> None:
        """Raise LockLost when the locks are no longer all held. A flock holds while its file
        stays open, so only a PostgreSQL lock is asked (one query on its connection, from any
        thread)."""
        self._check()

    def release(self) -> None:
        """Release the lock (idempotent)."""
        release, self._release = self._release, lambda: None
        self._check = lambda: None
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


def lock_path(url: str, hub: str) -> Path | None:
    """Given a store URL and a hub tag, return the hub's lock file beside the SQLite database
    (None: no file): `<database>.<hub>.lock`, the tag percent-encoded (one file per tag, no
    two tags alike, no slash)."""
    db = sqlite_path(url)
    return db.with_name(f"{db.name}.{_safe(hub)}.lock") if db is not None else None


def _safe(hub: str) -> str:
    """Given a hub tag, return it percent-encoded: letters, digits and `_.-~` stay as they are."""
    return urllib.parse.quote(hub, safe="")


def hub_key(hub: str) -> int:
    """Given a hub tag, return the second int of its advisory lock's key (signed 32 bits)."""
    return int.from_bytes(hashlib.sha256(hub.encode()).digest()[:4], "big", signed=True)


def acquire(url: str, command: str, wait: float, hubs: Sequence[str]) -> RunLock:
    """Given a store URL, the command taking the locks, how long to wait for each (seconds)
    and the hubs, take the run lock of each hub, in sorted order, and return them (release them
    when done); raise Busy naming the hub and its holder when one stays taken that long (the
    ones taken are released), StoreError when one cannot be taken at all."""
    order = sorted(set(hubs))
    if url.startswith("postgresql"):
        return _pg_lock(url, command, wait, order)
    if sqlite_path(url) is not None:
        return _file_locks(url, command, wait, order)
    return RunLock(time.time(), lambda: None)  # an in-memory store: nobody else sees it


@contextlib.contextmanager
def hold(url: str, command: str, wait: float, hubs: Sequence[str]) -> Iterator[RunLock]:
    """Like acquire(), holding the locks while the block runs."""
    lock = acquire(url, command, wait, hubs)
    try:
        yield lock
    finally:
        lock.release()


def _gave_up(url: str, hub: str, holder: Holder, wait: float) -> Busy:
    from tarwatch.redact import redact_url

    waited = f"waited {_seconds(wait)}, " if wait > 0 else ""
    return Busy(f"another {holder.describe(redact_url(url), hub)}; {waited}giving up")


def _seconds(seconds: float) -> str:
    """Given seconds, return them for people: "1 second", "2.5 seconds", "5 minutes"."""
    if seconds >= 90:
        from tarwatch.human import duration

        return duration(seconds)
    n = f"{seconds:g}"
    return f"{n} second" + ("" if n == "1" else "s")


# -- SQLite: flock on a file per hub beside the store ---------------------------------------


def _file_locks(url: str, command: str, wait: float, hubs: Sequence[str]) -> RunLock:
    held: list[RunLock] = []
    try:
        for hub in hubs:
            path = lock_path(url, hub)
            assert path is not None
            held.append(_file_lock(path, url, command, wait, hub))
    except BaseException:
        for lock in reversed(held):
            lock.release()
        raise

    def release() -> None:
        for lock in reversed(held):
            lock.release()

    return RunLock(min((lock.acquired for lock in held), default=time.time()), release)


def _file_lock(path: Path, url: str, command: str, wait: float, hub: str) -> RunLock:
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
                # The holder notes itself just after it took the lock: a second comer that
                # reads in between gives it a moment to, so as to name it.
                noted = time.monotonic() + NOTE_WAIT
                while holder.pid is None and time.monotonic() < noted:
                    time.sleep(POLL)
                    holder = _read_holder(fd)
                os.close(fd)
                raise _gave_up(url, hub, holder, wait) from None
            time.sleep(POLL)
        except OSError as e:
            os.close(fd)
            raise StoreError(f"cannot lock {path}: {e.strerror}") from e
    acquired = time.time()
    me = {"command": command, "hub": hub, "pid": os.getpid(), "host": socket.gethostname(), "since": acquired}
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


# -- PostgreSQL: an advisory lock per hub on a connection of its own -------------------------


def _pg_lock(url: str, command: str, wait: float, hubs: Sequence[str]) -> RunLock:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import NullPool

    me = f"tarwatch {command} pid {os.getpid()} on {socket.gethostname()}"[:63]
    try:
        engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        conn = engine.connect()
    except (SQLAlchemyError, ImportError) as e:
        raise StoreError(f"cannot lock the store {_redacted(url)}: {getattr(e, 'orig', None) or e}") from e
    try:
        try_lock = text("SELECT pg_try_advisory_lock(CAST(:c AS integer), CAST(:h AS integer))")
        # Named before the first lock is taken: a second comer sees who holds it.
        conn.execute(text("SELECT set_config('application_name', :me, false)"), {"me": me})
        for hub in hubs:
            deadline = time.monotonic() + wait
            keys = {"c": PG_CLASS, "h": hub_key(hub)}
            while not conn.execute(try_lock, keys).scalar():
                if time.monotonic() >= deadline:
                    holder = _pg_holder(conn, hub)
                    conn.close()  # the locks taken so far go with it
                    engine.dispose()
                    raise _gave_up(url, hub, holder, wait)
                time.sleep(POLL)
        # The last statement of this connection is this one: its query_start says since when.
        acquired = float(conn.execute(text("SELECT extract(epoch FROM clock_timestamp())")).scalar_one())
    except SQLAlchemyError as e:
        conn.close()
        engine.dispose()
        raise StoreError(f"cannot lock the store {_redacted(url)}: {getattr(e, 'orig', None) or e}") from e
    forget = _close_in_children(conn.connection.dbapi_connection.fileno())  # type: ignore[union-attr]
    one_at_a_time = threading.Lock()  # the connection is shared by the threads that write
    mine = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
        " AND classid = :c AND pid = pg_backend_pid()"
    )

    def check() -> None:
        with one_at_a_time:
            try:
                held = int(conn.execute(mine, {"c": PG_CLASS & 0xFFFFFFFF}).scalar_one())
                why = f"{held} of {len(hubs)} locks still held"
            except SQLAlchemyError as e:
                held, why = -1, f"its connection to the server ended: {_first_line(e)}"
        if held != len(hubs):
            which = f"hub {hubs[0]}" if len(hubs) == 1 else f"hubs {', '.join(hubs)}"
            raise LockLost(
                f"lost the run lock of {which} on the store {_redacted(url)} ({why}): stopped "
                "before writing or sending more, another run may hold it now; run again"
            )

    def release() -> None:
        forget()
        with contextlib.suppress(SQLAlchemyError):
            conn.execute(text("SELECT pg_advisory_unlock_all()"))
        with contextlib.suppress(SQLAlchemyError):
            conn.close()
        engine.dispose()

    return RunLock(acquired, release, check)


def _first_line(e: BaseException) -> str:
    """Given a database error, return the first line of the driver's message."""
    text = str(getattr(e, "orig", None) or e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _pg_holder(conn: Any, hub: str) -> Holder:
    from sqlalchemy import text

    row = conn.execute(
        text(
            "SELECT a.application_name, extract(epoch FROM a.query_start)"
            " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
            " AND l.classid = :c AND l.objid = :h"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"c": PG_CLASS & 0xFFFFFFFF, "h": hub_key(hub) & 0xFFFFFFFF},
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

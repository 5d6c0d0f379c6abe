"""The store: the one seam through which tarwatch keeps and reads its history.

Every change is one transaction. A re-run that finds nothing changed writes no tarball row (its
poll row, with the listing's digest, records that they were all seen); a tarball that is no
longer listed is marked gone, never deleted, and only when the listing ran to its end, so an
interrupted listing loses nothing."""

from __future__ import annotations

import atexit
import bisect
import contextlib
import json
import logging
import os
import socket
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, and_, create_engine, event, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

from tarwatch.errors import StoreError
from tarwatch.history import ItemHistory, Tar
from tarwatch.records import Drill, Ingested, MarkKind, PollInfo, RunInfo, Snapshot
from tarwatch.store import schema
from tarwatch.store.disks import Disks, record_disk
from tarwatch.store.drills import Drills, record_drills
from tarwatch.store.failures import failing_as, failure, from_the_database, inserted_id
from tarwatch.store.ingest import ingest, placeholder
from tarwatch.store.notify_store import NotifyRecords
from tarwatch.store.snoozes import Snoozes
from tarwatch.store.tables import items, marks, polls, runs, tarballs

if TYPE_CHECKING:  # what publish and doctor read: imported by their methods, not for `check`
    from tarwatch.store import site
    from tarwatch.store.inspect import StoreState

log = logging.getLogger(__name__)
# how long an SQLite statement waits for another process's write lock before it fails
BUSY_TIMEOUT_MS = 30_000
# The engines of the stores open, each with the process that opened it: closed at that
# process's exit (_close_at_exit), not left to the garbage collector (which the CLI keeps from
# walking everything again at exit). A forked child leaves its parent's alone.
_ENGINES: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()


@atexit.register
def _close_at_exit() -> None:
    """Close the connections of every store this process opened and still holds as it exits:
    an SQLite one's write-ahead log is then checkpointed into its file and removed, as its last
    connection closes. The process is ending: a failure to close is not worth a traceback."""
    for engine, pid in list(_ENGINES.items()):
        if pid == os.getpid():
            with contextlib.suppress(Exception):
                engine.dispose()


class Store:
    """A tarwatch store at an SQLAlchemy URL (SQLite file or PostgreSQL): the only way into
    it. Every database failure of its methods (and of `notify`'s and `snoozes`') is raised as
    StoreError naming what was being done and where."""

    def __init__(self, engine: Engine, where: str | None = None, path: Path | None = None):
        self._engine = engine
        _ENGINES[engine] = os.getpid()
        self.where = where or engine.url.render_as_string(hide_password=True)
        self.path = path  # the SQLite file
        self.notify = NotifyRecords(engine, self.where, path)
        self.snoozes = Snoozes(engine, self.where, path)
        self.disks = Disks(engine, self.where, path)
        self.drills = Drills(engine, self.where, path)
        self._guard: Callable[[], None] = lambda: None

    @classmethod
    def open(cls, url: str) -> Store:
        """Given a URL, return the store, creating it (an SQLite file readable by its owner
        only) or bringing its schema up to date; an SQLite store is copied before a migration.

        Raise StoreError with what went wrong and where: StoreBroken when the store itself is
        unusable (a full disk, a damaged file)."""
        try:
            u = make_url(url)
        except ArgumentError as e:
            raise StoreError(f"store url {url!r} is not a database URL: {e}") from e
        path: Path | None = None
        if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
            path = Path(u.database).expanduser()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the store's folder {path.parent}: {e.strerror}") from e
            _create_private(path)
        where = f"store {path}" if path else f"store {u.render_as_string(hide_password=True)}"
        try:
            engine = create_engine(u)
        except (ArgumentError, ImportError) as e:
            raise StoreError(f"cannot use store {u!r}: {e}") from e
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        try:
            with engine.connect() as conn:
                revision = schema.current_revision(conn)
            schema.check_known(revision, where)
            if revision != schema.HEAD:  # at HEAD (every open but the first and a migration's): done
                if revision is not None:
                    _before_migration(path, where, revision)
                with engine.begin() as conn:
                    schema.upgrade(conn)
        except StoreError:
            raise
        except Exception as e:  # OperationalError, and DatabaseError for a file that is not one
            if not from_the_database(e):
                raise
            raise failure(e, f"cannot open {where}", path) from e
        return cls(engine, where, path)

    @staticmethod
    def inspect(url: str) -> StoreState:
        """Given a URL, return what the store there is (exists? its revision against HEAD,
        writable?) without creating, migrating or writing anything: see store/inspect.py."""
        from tarwatch.store.inspect import inspect_store

        return inspect_store(url)

    @property
    def in_memory(self) -> bool:
        """True for an SQLite store in memory, which no other process can read."""
        e = self._engine
        return e.dialect.name == "sqlite" and e.url.database in (None, "", ":memory:")

    def close(self) -> None:
        """Close the store's connections (it opens new ones when it is used again): before a
        fork, or when a process keeps working without the store."""
        self._engine.dispose()

    def _failing(self, what: str) -> AbstractContextManager[None]:
        return failing_as(what, self.where, self.path)

    def guard_writes(self, check: Callable[[], None]) -> None:
        """Given a function that raises when this process may no longer write (RunLock.check:
        its run lock was lost), call it before each write of a run: the run recorded, a poll,
        the run's end, notify's kept states and message, each claim of a delivery (the outcome
        of a message already sent is still kept). Snoozes are not guarded (they take no lock)."""
        self._guard = check
        self.notify.guard = check

    # -- runs and polls -----------------------------------------------------------------

    def begin_run(self, now: float, command: str, hubs: Iterable[str]) -> int:
        """Given the run's time, command name and hubs, record a run and return its id. Earlier
        runs that never finished and whose process is gone are marked abandoned first."""
        self._guard()
        host, pid = socket.gethostname(), os.getpid()
        with self._failing("cannot record the run"), self._engine.begin() as conn:
            unfinished = conn.execute(
                select(runs.c.id, runs.c.pid, runs.c.host).where(runs.c.finished.is_(None))
            ).all()
            for rid, rpid, rhost in unfinished:
                if rpid is None or (rhost == host and rpid != pid and not _alive(rpid)):
                    conn.execute(
                        update(runs).where(runs.c.id == rid).values(finished=time.time(), outcome="abandoned")
                    )
            r = conn.execute(
                runs.insert().values(
                    now=now, started=time.time(), command=command, hubs=" ".join(hubs), pid=pid, host=host
                )
            )
            return inserted_id(r, "run")

    def finish_run(self, run_id: int) -> None:
        """Mark a run finished."""
        self._guard()
        with self._failing("cannot record the end of the run"), self._engine.begin() as conn:
            conn.execute(
                update(runs).where(runs.c.id == run_id).values(finished=time.time(), outcome="finished")
            )

    def record_poll(
        self,
        run_id: int,
        hub: str,
        node: str,
        at: float,
        *,
        ok: bool,
        reason: str | None,
        duration: float,
        snap: Snapshot | None,
        md5s: Mapping[str, str] | None = None,
        drills: Sequence[Drill] = (),
    ) -> Ingested:
        """Given one poll's outcome (its snapshot when it listed, md5s computed on the node by
        path, and the restore drills that finished), store them in one transaction and return
        what changed."""
        self._guard()
        try:
            with self._engine.begin() as conn:
                result = Ingested()
                if ok and snap is not None:
                    result = ingest(conn, hub, node, at, snap, md5s or {})
                    record_disk(conn, hub, node, at, snap)
                    record_drills(conn, hub, node, drills)
                conn.execute(
                    polls.insert().values(
                        run_id=run_id,
                        hub=hub,
                        node=node,
                        at=at,
                        ok=ok,
                        reason=reason,
                        duration=duration,
                        root=snap.root if snap else None,
                        files=len(snap.tarballs) if snap else 0,
                        complete=bool(snap and snap.complete),
                        malformed=snap.malformed if snap else 0,
                        unfit=snap.unfit if snap else 0,
                        notes="\n".join(snap.notes) if snap and snap.notes else None,
                        added=result.new,
                        changed=result.changed,
                        removed=result.gone,
                        listing_digest=result.digest,
                        unreadable=json.dumps(snap.unreadable) if snap and snap.unreadable else None,
                    )
                )
                return result
        except Exception as e:
            what = f"cannot record the poll of {node} for {hub}"
            if from_the_database(e):
                raise failure(e, f"{what} in {self.where}", self.path) from e
            raise StoreError(f"{what}: {type(e).__name__}: {e}") from e

    # -- reading ------------------------------------------------------------------------

    def latest_polls(self, hubs: Iterable[str]) -> dict[tuple[str, str], PollInfo]:
        """Given hub tags, return the newest poll of each (hub, node) that has one."""
        hubs = list(hubs)
        newest = (
            select(func.max(polls.c.id).label("id"))
            .where(polls.c.hub.in_(hubs))
            .group_by(polls.c.hub, polls.c.node)
            .subquery()
        )
        q = select(
            polls.c.hub,
            polls.c.node,
            polls.c.at,
            polls.c.ok,
            polls.c.reason,
            polls.c.duration,
            polls.c.files,
            polls.c.complete,
            polls.c.malformed,
            polls.c.unfit,
            polls.c.unreadable,
        ).join(newest, polls.c.id == newest.c.id)
        out: dict[tuple[str, str], PollInfo] = {}
        with self._failing("cannot read the newest polls"), self._engine.connect() as conn:
            for r in conn.execute(q):
                unreadable = tuple(json.loads(r.unreadable)) if r.unreadable else ()
                out[(r.hub, r.node)] = PollInfo(
                    r.hub, r.node, r.at, r.ok, r.reason, r.duration,
                    r.files, r.complete, r.malformed, r.unfit, unreadable,
                )  # fmt: skip
        return out

    def last_ok_poll(self, hub: str, node: str) -> float | None:
        """Given a (hub, node), return when it was last listed successfully, or None."""
        q = select(func.max(polls.c.at)).where(
            and_(polls.c.hub == hub, polls.c.node == node, polls.c.ok.is_(True))
        )
        with self._failing(f"cannot read the polls of {node} for {hub}"), self._engine.connect() as conn:
            return conn.execute(q).scalar()

    def last_runs(self, hubs: Iterable[str]) -> dict[str, RunInfo]:
        """Given hub tags, return the newest run that finished (not abandoned) of each hub that
        has one, newest by its end."""
        wanted = set(hubs)
        q = (
            select(runs.c.command, runs.c.started, runs.c.finished, runs.c.hubs)
            .where(runs.c.outcome == "finished", runs.c.finished.is_not(None))
            .order_by(runs.c.finished.desc(), runs.c.id.desc())
        )
        out: dict[str, RunInfo] = {}
        with self._failing("cannot read the runs"), self._engine.connect() as conn:
            for command, started, finished, names in conn.execute(q):
                for hub in wanted.intersection(names.split()) - out.keys():
                    out[hub] = RunInfo(hub, command, started, finished)
                if len(out) == len(wanted):
                    break
        return out

    def item_histories(self, hubs: Iterable[str]) -> dict[tuple[str, str], dict[str, ItemHistory]]:
        """Given hub tags, return every (hub, node)'s kept items: item → ItemHistory, without
        their manifests (see read_manifests) and without tarball paths (checks need neither)."""
        cols = (
            "hub, node, item, count, oldest, newest_stamp, newest_size, newest_revision, newest_digest,"
            " newest_dna_size, newest_md5, prev_stamp, prev_size, dna_bad, dna_bad_stamp, dna_bad_size,"
            " dna_bad_claim, manifest_hash"
        )
        out: dict[tuple[str, str], dict[str, ItemHistory]] = {}
        with self._failing("cannot read the items"), self._engine.connect() as conn:
            ph = placeholder(conn)
            cur = conn.connection.cursor()
            for hub in hubs:
                cur.execute(f"SELECT {cols} FROM items WHERE hub = {ph}", (hub,))
                for r in cur.fetchall():
                    key = (r[0], r[1])
                    kept = out.get(key)
                    if kept is None:
                        kept = out[key] = {}
                    kept[r[2]] = ItemHistory(
                        r[3],
                        r[4],
                        Tar(r[5], r[6], "", r[7], r[8], r[9], r[10]),
                        None if r[11] is None else Tar(r[11], r[12], ""),
                        r[13],
                        None if r[14] is None else Tar(r[14], r[15], "", dna_size=r[16]),
                        None,
                        r[17],
                    )
            cur.close()
        return out

    def read_manifests(
        self,
        histories: Mapping[tuple[str, str], Mapping[str, ItemHistory]],
        wanted: Iterable[tuple[str, str, str]],
    ) -> None:
        """Given histories from item_histories and the (hub, node, item)s whose manifests are
        wanted, read those manifests into them."""
        by_node: dict[tuple[str, str], list[str]] = {}
        for hub, node, item in wanted:
            by_node.setdefault((hub, node), []).append(item)
        with self._failing("cannot read the manifests"), self._engine.connect() as conn:
            for (hub, node), names in by_node.items():
                q = select(items.c.item, items.c.manifest).where(
                    and_(items.c.hub == hub, items.c.node == node, items.c.item.in_(names))
                )
                for item, manifest in conn.execute(q):
                    histories[(hub, node)][item].manifest_json = manifest

    def recent_sizes(
        self, nodes: Iterable[tuple[str, str]], since: float
    ) -> dict[tuple[str, str], dict[str, tuple[tuple[int, int], ...]]]:
        """Given (hub, node)s and a stamp, return each one's item → ((stamp, size), …) of every
        tarball stamped since then, gone ones included, oldest first: the baseline of the
        `anomaly` check (a node purges sooner than a baseline needs). Read from the one
        `recent_sizes` row each poll keeps per node; a node whose row does not reach back to
        `since` (a longer anomaly_nights than that row covers, an earlier --now) has its
        tarballs read instead. Equal series (copies on several nodes) are parsed once and share
        one tuple."""
        wanted = list(nodes)
        stamp = int(since)
        out: dict[tuple[str, str], dict[str, tuple[tuple[int, int], ...]]] = {}
        parsed: dict[str, tuple[tuple[int, int], ...]] = {}
        with self._failing("cannot read the recent sizes"), self._engine.connect() as conn:
            ph = placeholder(conn)
            cur = conn.connection.cursor()
            by_hub: dict[str, set[str]] = {}
            for hub, node in wanted:
                by_hub.setdefault(hub, set()).add(node)
            for hub, names in by_hub.items():
                cur.execute(f"SELECT node, since, sizes FROM recent_sizes WHERE hub = {ph}", (hub,))
                for node, kept_since, sizes in cur.fetchall():
                    if node not in names or kept_since > stamp:
                        continue
                    by_item: dict[str, tuple[tuple[int, int], ...]] = {}
                    for item, text in json.loads(sizes).items():
                        series = parsed.get(text)
                        if series is None:  # [[stamp, size], …] by stamp
                            kept = json.loads(text)
                            i = bisect.bisect_left(kept, stamp, key=_first)
                            series = parsed[text] = tuple(sorted(map(tuple, kept[i:])))
                        if series:
                            by_item[item] = series
                    out[(hub, node)] = by_item
            rest = [key for key in wanted if key not in out]
            if rest:
                out.update(_recent_from_tarballs(conn, cur, ph, rest, stamp))
            cur.close()
        return out

    def locks(self, hubs: Iterable[str]) -> dict[tuple[str, str], list[tuple[str, float]]]:
        """Given hub tags, return each (hub, node)'s LOCKED folders as (path, since), where since
        is the folder's mtime, or when it was first seen if that is earlier."""
        m = marks.c
        q = select(m.hub, m.node, m.path, m.mtime, m.first_seen).where(
            and_(m.hub.in_(list(hubs)), m.kind == MarkKind.LOCKED, m.gone.is_(None))
        )
        out: dict[tuple[str, str], list[tuple[str, float]]] = {}
        with self._failing("cannot read the LOCKED folders"), self._engine.connect() as conn:
            for hub, node, path, mtime, first in conn.execute(q):
                since = first if mtime is None else min(mtime, first)
                out.setdefault((hub, node), []).append((path, since))
        return out

    def md5_known(self, hub: str, node: str) -> dict[str, tuple[int, float]]:
        """Given a (hub, node), return path → (size, mtime) of its kept tarballs with an md5
        computed on the node (it holds while size and mtime do)."""
        t = tarballs.c
        q = select(t.path, t.size, t.mtime).where(
            and_(t.hub == hub, t.node == node, t.md5.is_not(None), t.gone.is_(None))
        )
        with self._failing(f"cannot read the md5s of {node} for {hub}"), self._engine.connect() as conn:
            return {p: (s, m) for p, s, m in conn.execute(q)}

    # -- what publish reads ---------------------------------------------------------------

    def fingerprints(self, hubs: Sequence[str]) -> dict[tuple[str, str], site.Fingerprint]:
        """Given hub tags, return the fingerprint of every (hub, node) with data."""
        from tarwatch.store import site

        with self._failing("cannot read what changed"), self._engine.connect() as conn:
            return site.fingerprints(conn, hubs)

    def hub_items(self, hub: str) -> list[str]:
        """Given a hub, return every item any of its nodes holds, by name."""
        from tarwatch.store import site

        with self._failing(f"cannot read the items of {hub}"), self._engine.connect() as conn:
            return site.hub_items(conn, hub)

    def series_rows(self, hub: str, node: str) -> list[site.SeriesRow]:
        """Given a (hub, node), return every tarball ever seen there, gone ones included, by
        item, stamp and path."""
        from tarwatch.store import site

        with self._failing(f"cannot read the tarballs of {node} for {hub}"), self._engine.connect() as conn:
            return site.series_rows(conn, hub, node)

    def disk_days(self, hub: str, node: str) -> list[tuple[int, int, int]]:
        """Given a (hub, node), return its disk figures as (time, used, total), one per UTC
        day (the day's first), oldest first."""
        from tarwatch.store import site

        with (
            self._failing(f"cannot read the disk history of {node} for {hub}"),
            self._engine.connect() as conn,
        ):
            return site.disk_days(conn, hub, node)


def _first(pair: Sequence[int]) -> int:
    return pair[0]


def _recent_from_tarballs(
    conn: Connection, cur: DBAPICursor, ph: str, nodes: Sequence[tuple[str, str]], since: int
) -> dict[tuple[str, str], dict[str, tuple[tuple[int, int], ...]]]:
    """Store.recent_sizes for nodes without a `recent_sizes` row that reaches back to `since`:
    their tarballs read, the database joining each item's pairs into one string."""
    if conn.dialect.name == "postgresql":
        joined = "string_agg(stamp::text || ',' || size::text, ';')"
    else:
        joined = "group_concat(stamp || ',' || size, ';')"
    sql = (
        f"SELECT item, {joined} FROM tarballs"
        f" WHERE node = {ph} AND hub = {ph} AND stamp >= {ph} GROUP BY item"
    )
    out: dict[tuple[str, str], dict[str, tuple[tuple[int, int], ...]]] = {}
    parsed: dict[str, tuple[tuple[int, int], ...]] = {}
    for hub, node in nodes:
        cur.execute(sql, (node, hub, since))
        by_item: dict[str, tuple[tuple[int, int], ...]] = {}
        for item, text in cur.fetchall():
            series = parsed.get(text)
            if series is None:
                pairs = (e.split(",") for e in text.split(";"))
                series = parsed[text] = tuple(sorted((int(t), int(x)) for t, x in pairs))
            by_item[item] = series
        out[(hub, node)] = by_item
    return out


def _create_private(path: Path) -> None:
    """Create an SQLite store's file readable and writable by its owner only (SQLite gives its
    -wal and -shm files the same mode), unless it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as e:
        raise StoreError(f"cannot create the store {path}: {e.strerror}") from e
    os.close(fd)


def _before_migration(path: Path | None, where: str, revision: str) -> None:
    """Before a store at an older revision is migrated: copy an SQLite store (SQLite's backup
    API, consistent even while another process writes) beside it, and say so."""
    if path is None:
        log.warning(
            "%s is at schema revision %s; upgrading it to %s in one transaction (no copy is kept:"
            " take one with the database's own tools if you want it)",
            where,
            revision,
            schema.HEAD,
        )
        return
    copy = path.with_name(f"{path.name}.before-{schema.HEAD}.bak")
    tmp = path.with_name(f".{copy.name}.tmp")
    tmp.unlink(missing_ok=True)
    _create_private(tmp)
    try:
        src, dst = sqlite3.connect(path), sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        os.replace(tmp, copy)
    except (sqlite3.Error, OSError) as e:
        tmp.unlink(missing_ok=True)
        raise failure(e, f"cannot copy {where} to {copy} before upgrading it; nothing was changed") from e
    log.warning(
        "%s is at schema revision %s; upgrading it to %s; a copy of it as it was is kept at %s",
        where,
        revision,
        schema.HEAD,
        copy,
    )


def _alive(pid: int) -> bool:
    """True when a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wal(cur: DBAPICursor) -> None:
    """Given a cursor of a new SQLite connection, put its store in WAL mode. Where another
    process is putting a new store in WAL mode at the same moment, SQLite may answer "database
    is locked" at once, busy timeout or not: that is tried again, for the busy timeout at most."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cur = dbapi_conn.cursor()
    # first: every statement after it, journal_mode=WAL on a store another process is
    # creating included, waits for the other writer's lock instead of failing "database is locked"
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _wal(cur)
    cur.execute("PRAGMA synchronous=NORMAL")
    # 4 MiB of page cache (SQLite keeps 2 by default): the first ingest of a million tarballs
    # takes as long as with 64 MiB (6.5 s against 6.4 s, side by side), and a collect of many
    # nodes, which writes them all through this one connection, no longer grows by the cache:
    # 64 nodes peak at 1.18x what 8 do (1.34x with 64 MiB)
    cur.execute("PRAGMA cache_size=-4096")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()

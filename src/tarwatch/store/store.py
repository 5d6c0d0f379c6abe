"""The store: the one seam through which tarwatch keeps and reads its history.

Every change is one transaction. A re-run that finds nothing changed writes no tarball rows
(only their `last_seen`); a tarball that is no longer listed is marked gone, never deleted, and
only when the listing ran to its end, so an interrupted listing loses nothing."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, bindparam, create_engine, event, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from tarwatch.collect.snapshot import Snapshot
from tarwatch.errors import StoreError
from tarwatch.store import schema
from tarwatch.store.tables import marks, polls, runs, tarballs


@dataclass(frozen=True, slots=True)
class PollInfo:
    """The newest poll of one (hub, node)."""

    hub: str
    node: str
    at: float
    ok: bool
    reason: str | None
    duration: float
    files: int
    complete: bool
    malformed: int
    unfit: int


@dataclass(frozen=True, slots=True)
class Ingested:
    """What recording one poll changed."""

    new: int = 0
    changed: int = 0
    gone: int = 0
    files: int = 0


class Store:
    """A tarwatch store at an SQLAlchemy URL (SQLite file or PostgreSQL)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Store:
        """Given a URL, return the store, creating it or bringing its schema up to date.

        Raise StoreError with what went wrong and where."""
        try:
            u = make_url(url)
        except ArgumentError as e:
            raise StoreError(f"store url {url!r} is not a database URL: {e}") from e
        if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
            folder = Path(u.database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"cannot create the store's folder {folder}: {e.strerror}") from e
        try:
            engine = create_engine(u)
        except (ArgumentError, ImportError) as e:
            raise StoreError(f"cannot use store {u!r}: {e}") from e
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        try:
            with engine.begin() as conn:
                schema.upgrade(conn)
        except DBAPIError as e:  # OperationalError, and DatabaseError for a file that is not one
            raise StoreError(f"cannot open store {u!r}: {e.orig}") from e
        return cls(engine)

    # -- runs and polls -----------------------------------------------------------------

    def begin_run(self, now: float, command: str, hubs: Iterable[str]) -> int:
        """Given the run's time, command name and hubs, record a run and return its id."""
        with self.engine.begin() as conn:
            r = conn.execute(
                runs.insert().values(now=now, started=time.time(), command=command, hubs=" ".join(hubs))
            )
            return int(r.inserted_primary_key[0])

    def finish_run(self, run_id: int) -> None:
        """Mark a run finished."""
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(finished=time.time()))

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
    ) -> Ingested:
        """Given one poll's outcome (and its snapshot when it listed), store both in one
        transaction and return what changed."""
        try:
            with self.engine.begin() as conn:
                result = Ingested()
                if ok and snap is not None:
                    result = _ingest(conn, hub, node, at, snap)
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
                    )
                )
                return result
        except SQLAlchemyError as e:
            raise StoreError(f"cannot record the poll of {node} for {hub}: {e}") from e

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
        ).join(newest, polls.c.id == newest.c.id)
        with self.engine.connect() as conn:
            return {(r[0], r[1]): PollInfo(*r) for r in conn.execute(q)}

    def last_ok_poll(self, hub: str, node: str) -> float | None:
        """Given a (hub, node), return when it was last listed successfully, or None."""
        q = select(func.max(polls.c.at)).where(
            and_(polls.c.hub == hub, polls.c.node == node, polls.c.ok.is_(True))
        )
        with self.engine.connect() as conn:
            return conn.execute(q).scalar()

    def current_tarballs(self, hubs: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        """Given hub tags, yield every tarball not gone as (hub, node, item, stamp, size, path,
        revision, digest, dna_size), ordered by hub, node, item and stamp."""
        q = (
            select(
                tarballs.c.hub,
                tarballs.c.node,
                tarballs.c.item,
                tarballs.c.stamp,
                tarballs.c.size,
                tarballs.c.path,
                tarballs.c.revision,
                tarballs.c.digest,
                tarballs.c.dna_size,
            )
            .where(and_(tarballs.c.hub.in_(list(hubs)), tarballs.c.gone.is_(None)))
            .order_by(tarballs.c.hub, tarballs.c.node, tarballs.c.item, tarballs.c.stamp)
        )
        with self.engine.connect() as conn:
            yield from conn.execute(q)

    def count_tarballs(self, *, gone: bool | None = None) -> int:
        """Return how many tarball rows there are (all, only gone ones, or only present ones)."""
        q = select(func.count()).select_from(tarballs)
        if gone is True:
            q = q.where(tarballs.c.gone.is_not(None))
        elif gone is False:
            q = q.where(tarballs.c.gone.is_(None))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar() or 0)


def _ingest(conn: Any, hub: str, node: str, at: float, snap: Snapshot) -> Ingested:
    where = and_(tarballs.c.node == node, tarballs.c.hub == hub)
    old = {
        r.path: r
        for r in conn.execute(
            select(
                tarballs.c.id,
                tarballs.c.path,
                tarballs.c.size,
                tarballs.c.mtime,
                tarballs.c.digest,
                tarballs.c.dna_size,
                tarballs.c.gone,
            ).where(where)
        )
    }
    inserts: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for t in snap.tarballs:
        seen.add(t.path)
        o = old.get(t.path)
        if o is None:
            inserts.append(
                {
                    "node": node,
                    "path": t.path,
                    "hub": hub,
                    "item": t.item,
                    "stamp": t.stamp,
                    "size": t.size,
                    "mtime": t.mtime,
                    "revision": t.revision,
                    "digest": t.digest,
                    "dna_size": t.dna_size,
                    "first_seen": at,
                    "last_seen": at,
                    "gone": None,
                }
            )
        elif (o.size, o.mtime, o.digest, o.dna_size, o.gone) != (
            t.size,
            t.mtime,
            t.digest,
            t.dna_size,
            None,
        ):
            changes.append(
                {
                    "_id": o.id,
                    "size": t.size,
                    "mtime": t.mtime,
                    "digest": t.digest,
                    "dna_size": t.dna_size,
                    "gone": None,
                }
            )
    gone = (
        [{"_id": o.id} for p, o in old.items() if p not in seen and o.gone is None] if snap.complete else []
    )
    if inserts:
        conn.execute(tarballs.insert(), inserts)
    if changes:
        conn.execute(
            update(tarballs)
            .where(tarballs.c.id == bindparam("_id"))
            .values(
                size=bindparam("size"),
                mtime=bindparam("mtime"),
                digest=bindparam("digest"),
                dna_size=bindparam("dna_size"),
                gone=bindparam("gone"),
            ),
            changes,
        )
    if gone:
        conn.execute(update(tarballs).where(tarballs.c.id == bindparam("_id")).values(gone=at), gone)
    if snap.complete:  # every row not gone now was listed
        conn.execute(update(tarballs).where(and_(where, tarballs.c.gone.is_(None))).values(last_seen=at))
    else:  # only what the listing reached was seen
        listed = [{"_id": old[p].id} for p in seen if p in old]
        if listed:
            conn.execute(
                update(tarballs).where(tarballs.c.id == bindparam("_id")).values(last_seen=at), listed
            )
    _ingest_marks(conn, hub, node, at, snap)
    return Ingested(new=len(inserts), changed=len(changes), gone=len(gone), files=len(snap.tarballs))


def _ingest_marks(conn: Any, hub: str, node: str, at: float, snap: Snapshot) -> None:
    where = and_(marks.c.node == node, marks.c.hub == hub)
    old = {
        (r.path, r.kind): r
        for r in conn.execute(
            select(marks.c.id, marks.c.path, marks.c.kind, marks.c.target, marks.c.mtime, marks.c.gone).where(
                where
            )
        )
    }
    seen = set()
    for m in snap.marks:
        key = (m.path, m.kind)
        seen.add(key)
        o = old.get(key)
        if o is None:
            conn.execute(
                marks.insert().values(
                    node=node,
                    path=m.path,
                    kind=m.kind,
                    hub=hub,
                    item=m.item,
                    target=m.target,
                    mtime=m.mtime,
                    first_seen=at,
                    last_seen=at,
                )
            )
        else:
            conn.execute(
                update(marks)
                .where(marks.c.id == o.id)
                .values(target=m.target, mtime=m.mtime, last_seen=at, gone=None)
            )
    if snap.complete:
        for key, o in old.items():
            if key not in seen and o.gone is None:
                conn.execute(update(marks).where(marks.c.id == o.id).values(gone=at))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()

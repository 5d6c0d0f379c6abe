"""Keeping restore drills (verify = "gzip" or "tar"), one row per tarball (its newest drill), and
reading back those that still hold: the tarball kept, with the size and mtime it was tested at.
A tarball's row goes when a listing marks the tarball gone (forget_drills, from ingest)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select, and_, delete, func, select
from sqlalchemy.engine.interfaces import DBAPICursor

from tarwatch.records import Drill, ItemDrills
from tarwatch.store.failures import failing_as
from tarwatch.store.tables import drills, tarballs


def record_drills(conn: Connection, hub: str, node: str, done: Sequence[Drill]) -> None:
    """Given a transaction, a (hub, node) and the drills that finished on it, keep each as its
    tarball's newest drill."""
    if not done:
        return
    d = drills.c
    paths = [x.path for x in done]
    for i in range(0, len(paths), 500):
        conn.execute(delete(drills).where(and_(d.hub == hub, d.node == node, d.path.in_(paths[i : i + 500]))))
    conn.execute(
        drills.insert(),
        [
            {"node": node, "hub": hub, "path": x.path, "item": x.item, "size": x.size, "mtime": x.mtime,
             "at": x.at, "method": x.method, "ok": x.ok, "error": x.error, "stderr": x.stderr,
             "seconds": x.seconds}
            for x in done
        ],
    )  # fmt: skip


def forget_drills(cur: DBAPICursor, ph: str, gone: Sequence[tuple[Any, str, str, str]]) -> None:
    """Given a driver cursor inside the poll's transaction, its placeholder and the tarballs a
    listing marked gone as (at, node, hub, path), delete their drill rows (nothing reads them
    again: a drill holds only on a kept tarball)."""
    if gone:
        cur.executemany(
            f"DELETE FROM drills WHERE node = {ph} AND hub = {ph} AND path = {ph}",
            [(node, hub, path) for _, node, hub, path in gone],
        )


def _holding(hubs: Sequence[str], node: str | None = None) -> Select[Any]:
    """The drills whose tarball is kept, unchanged since: (hub, node, item, stamp, drill's row)."""
    d, t = drills.c, tarballs.c
    where = [d.hub.in_(hubs), t.gone.is_(None), t.size == d.size, t.mtime == d.mtime]
    if node is not None:
        where.append(d.node == node)
    return (
        select(
            d.hub,
            d.node,
            d.item,
            t.stamp,
            d.path,
            d.size,
            d.mtime,
            d.at,
            d.method,
            d.ok,
            d.error,
            d.stderr,
            d.seconds,
        )
        .join(tarballs, and_(t.node == d.node, t.hub == d.hub, t.path == d.path))
        .where(and_(*where))
    )


class Drills:
    """The restore drills of one store (`Store.drills`)."""

    def __init__(self, engine: Engine, where: str, path: Path | None = None):
        self._engine = engine
        self._where = where
        self._path = path

    def known(self, hub: str, node: str) -> tuple[dict[str, tuple[int, float]], dict[str, float]]:
        """Given a (hub, node), return path → (size, mtime) of its tarballs whose drill holds,
        and item → when it was last drilled (a drill that holds)."""
        holds: dict[str, tuple[int, float]] = {}
        last: dict[str, float] = {}
        with (
            failing_as(f"cannot read the drills of {node} for {hub}", self._where, self._path),
            self._engine.connect() as conn,
        ):
            for r in conn.execute(_holding([hub], node)):
                holds[r.path] = (r.size, r.mtime)
                last[r.item] = max(last.get(r.item, r.at), r.at)
        return holds, last

    def rates(self, hubs: Iterable[str]) -> dict[tuple[str, str], float]:
        """Given hub tags, return per (hub, node) the bytes per second its drills that hold read."""
        d, t = drills.c, tarballs.c
        q = (
            select(d.hub, d.node, func.sum(d.size), func.sum(d.seconds))
            .join(tarballs, and_(t.node == d.node, t.hub == d.hub, t.path == d.path))
            .where(and_(d.hub.in_(list(hubs)), t.gone.is_(None), d.seconds.is_not(None), d.seconds > 0))
            .group_by(d.hub, d.node)
        )
        with failing_as("cannot read the drills", self._where, self._path), self._engine.connect() as conn:
            return {(h, n): float(b) / float(s) for h, n, b, s in conn.execute(q) if b and s}

    def of_hubs(self, hubs: Iterable[str]) -> dict[tuple[str, str], dict[str, ItemDrills]]:
        """Given hub tags, return per (hub, node) and item its drills that hold: the newest one
        and the newest passed one (the newest tarball verified restorable)."""
        hubs = list(hubs)
        rows: dict[tuple[str, str, str], list[tuple[int, Drill]]] = {}
        with failing_as("cannot read the drills", self._where, self._path), self._engine.connect() as conn:
            for r in conn.execute(_holding(hubs)):
                x = Drill(
                    r.path, r.item, r.size, r.mtime, r.at, r.method, bool(r.ok), r.error, r.stderr, r.seconds
                )
                rows.setdefault((r.hub, r.node, r.item), []).append((r.stamp, x))
        out: dict[tuple[str, str], dict[str, ItemDrills]] = {}
        for (hub, node, item), got in rows.items():
            last = max(got, key=lambda e: (e[1].at, e[0]))[1]
            passed = [e for e in got if e[1].ok]
            best = max(passed, key=lambda e: (e[0], e[1].at)) if passed else None
            out.setdefault((hub, node), {})[item] = ItemDrills(
                last, best[1] if best else None, best[0] if best else None
            )
        return out

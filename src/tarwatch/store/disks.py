"""Keeping the disk figures of each poll (`df` under the root, the kept tarballs' bytes) and
reading them back as the history `capacity` forecasts from."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from tarwatch.records import DiskPoint, Snapshot
from tarwatch.store.failures import failing_as
from tarwatch.store.tables import disks


def record_disk(conn: Connection, hub: str, node: str, at: float, snap: Snapshot) -> None:
    """Given a transaction and a successful poll's snapshot, keep its disk figures, if df gave
    any, with the bytes of the tarballs listed (only a complete listing knows them all)."""
    d = snap.disk
    if d is None:
        return
    kept = sum(t.size for t in snap.tarballs) if snap.complete else None
    conn.execute(
        disks.insert().values(
            hub=hub, node=node, at=at, root=snap.root, filesystem=d.filesystem, mount=d.mount,
            total=d.total, used=d.used, free=d.free, kept=kept,
        )
    )  # fmt: skip


class Disks:
    """The disk history of one store (`Store.disks`)."""

    def __init__(self, engine: Engine, where: str, path: Path | None = None):
        self._engine = engine
        self._where = where
        self._path = path

    def history(self, hubs: Iterable[str], since: float) -> dict[tuple[str, str], list[DiskPoint]]:
        """Given hub tags and a time, return each (hub, node)'s disk figures from `since` on,
        oldest first."""
        q = (
            select(disks.c.hub, disks.c.node, disks.c.at, disks.c.root, disks.c.total, disks.c.used,
                   disks.c.free, disks.c.kept, disks.c.mount)
            .where(disks.c.hub.in_(list(hubs)), disks.c.at >= since)
            .order_by(disks.c.hub, disks.c.node, disks.c.at, disks.c.id)
        )  # fmt: skip
        out: dict[tuple[str, str], list[DiskPoint]] = {}
        key: tuple[str, str] | None = None
        points: list[DiskPoint] = []
        with (
            failing_as("cannot read the disk history", self._where, self._path),
            self._engine.connect() as conn,
        ):
            for hub, node, at, root, total, used, free, kept, mount in conn.execute(q):
                if key != (hub, node):
                    key = (hub, node)
                    points = out.setdefault(key, [])
                points.append(DiskPoint(at, root, total, used, free, kept, mount))
        return out

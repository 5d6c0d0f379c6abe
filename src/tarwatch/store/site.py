"""What publish reads: a fingerprint of each (hub, node)'s data (to tell which nodes changed),
a hub's items, every tarball ever seen on a node (its chart series) and its disk history (one
point a day at most), as plain records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, and_, case, func, or_, select

from tarwatch.store.tables import disks, items, polls, tarballs

DAY = 86400


@dataclass(frozen=True)
class Fingerprint:
    """What a (hub, node)'s data was made from: the last poll that added, changed or removed a
    tarball (its id: every poll has a new one, even at the same --now; and its time), when and
    how its item summaries were last rewritten, and, while its newest poll failed, since when it
    has (the first failed poll since it was last listed) and when it was last listed (None:
    never), and its disk history as disk_days reduces it (a point added or pruned; another poll
    of a day already seen, or a day whose used space barely moved, adds none). Failed polls of a
    node still down change none of these."""

    poll_id: int | None = None
    changed_at: float | None = None
    summaries: str = ""
    down_since: float | None = None
    last_listed: float | None = None
    disk: str = ""

    @property
    def key(self) -> str:
        """A string that changes whenever the node's tarballs, its being down or its disk history do."""
        return f"{self.poll_id}:{self.summaries}:{self.down_since}:{self.last_listed}:{self.disk}"


SeriesRow = tuple[str, int, int, int | None, str, float | None]
"""One tarball ever seen on a node: item, stamp, size, revision, path, when it went (None: kept)."""


def fingerprints(conn: Connection, hubs: Sequence[str]) -> dict[tuple[str, str], Fingerprint]:
    """Given a connection and hub tags, return the fingerprint of every (hub, node) with data
    or a poll."""
    p, i = polls.c, items.c
    changed = (
        select(p.hub, p.node, func.max(p.id), func.max(p.at))
        .where(p.hub.in_(list(hubs)), or_(p.added > 0, p.changed > 0, p.removed > 0))
        .group_by(p.hub, p.node)
    )
    summaries = (
        select(i.hub, i.node, func.max(i.updated), func.count())
        .where(i.hub.in_(list(hubs)))
        .group_by(i.hub, i.node)
    )
    last = {(hub, node): (pid, at) for hub, node, pid, at in conn.execute(changed)}
    summed = {(hub, node): f"{up:.3f}/{n}" for hub, node, up, n in conn.execute(summaries)}
    down = _down(conn, hubs)
    disked = {k: _disk_key(v) for k, v in _disk_points(conn, hubs, None).items()}
    out = {}
    for k in last.keys() | summed.keys() | down.keys():
        poll_id, changed_at = last.get(k, (None, None))
        since, listed = down.get(k, (None, None))
        out[k] = Fingerprint(poll_id, changed_at, summed.get(k, ""), since, listed, disked.get(k, ""))
    return out


def _disk_key(points: list[tuple[int, int, int]]) -> str:
    """Given a node's disk history as disk_days returns it, return a string that changes with it
    (a point added, or the first one pruned)."""
    return f"{len(points)}:{points[0][0]}:{points[-1]}" if points else ""


def _down(conn: Connection, hubs: Sequence[str]) -> dict[tuple[str, str], tuple[float, float | None]]:
    """Given a connection and hub tags, return (down since, last listed) of every (hub, node)
    whose newest poll failed: the first failed poll after its last successful one (None: none)."""
    p = polls.c
    per_node = (
        select(
            p.hub,
            p.node,
            func.max(p.id).label("newest"),
            func.max(case((p.ok.is_(True), p.id))).label("ok_id"),
            func.max(case((p.ok.is_(True), p.at))).label("ok_at"),
        )
        .where(p.hub.in_(list(hubs)))
        .group_by(p.hub, p.node)
        .subquery()
    )
    n = per_node.c
    q = (
        select(p.hub, p.node, func.min(p.at), func.max(n.ok_at))
        .join(per_node, and_(p.hub == n.hub, p.node == n.node))
        .where(or_(n.ok_id.is_(None), n.newest != n.ok_id), p.id > func.coalesce(n.ok_id, 0))
        .group_by(p.hub, p.node)
    )
    return {(hub, node): (since, listed) for hub, node, since, listed in conn.execute(q)}


def hub_items(conn: Connection, hub: str) -> list[str]:
    """Given a connection and a hub, return every item any of its nodes holds, by name."""
    q = select(items.c.item).where(items.c.hub == hub).distinct().order_by(items.c.item)
    return [r[0] for r in conn.execute(q)]


def series_rows(conn: Connection, hub: str, node: str) -> list[SeriesRow]:
    """Given a connection and a (hub, node), return every tarball ever seen there, gone ones
    included, by item, stamp and path: the database driver's own tuples (a node has tens of
    thousands; converting each row costs as much as reading it)."""
    t = tarballs.c
    q = (
        select(t.item, t.stamp, t.size, t.revision, t.path, t.gone)
        .where(and_(t.node == node, t.hub == hub))
        .order_by(t.item, t.stamp, t.path)
    )
    result = conn.execute(q)
    try:
        return cast(list[SeriesRow], result.cursor.fetchall())
    finally:
        result.close()


SHOWN = 1000  # a point is kept when used moved by at least 1/SHOWN of the total


def disk_days(conn: Connection, hub: str, node: str) -> list[tuple[int, int, int]]:
    """Given a connection and a (hub, node), return its disk history as (time, used, total),
    bytes, oldest first: the first df of each UTC day, left out when neither the total changed
    nor used moved by 1/SHOWN of the total since the point before (a chart could not show it,
    and a quiet night so changes nothing)."""
    return _disk_points(conn, [hub], node).get((hub, node), [])


def _disk_points(
    conn: Connection, hubs: Sequence[str], node: str | None
) -> dict[tuple[str, str], list[tuple[int, int, int]]]:
    """Given a connection, hub tags and a node (None: every node), return each (hub, node)'s
    disk history as disk_days says it."""
    d = disks.c
    where = d.hub.in_(list(hubs)) if node is None else and_(d.hub == hubs[0], d.node == node)
    q = select(d.hub, d.node, d.at, d.used, d.total).where(where).order_by(d.hub, d.node, d.at, d.id)
    out: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    day_of: dict[tuple[str, str], int] = {}
    for hub, name, at, used, total in conn.execute(q):
        key, day = (hub, name), int(at) // DAY
        if day_of.get(key) == day:
            continue  # not the day's first
        day_of[key] = day
        points = out.setdefault(key, [])
        if points and points[-1][2] == total and abs(used - points[-1][1]) * SHOWN < total:
            continue
        points.append((int(at), int(used), int(total)))
    return out

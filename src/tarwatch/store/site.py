"""What publish reads: a fingerprint of each (hub, node)'s data (to tell which nodes changed),
a hub's items, and every tarball ever seen on a node (its chart series), as plain records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, and_, case, func, or_, select

from tarwatch.store.tables import items, polls, tarballs


@dataclass(frozen=True)
class Fingerprint:
    """What a (hub, node)'s data was made from: the last poll that added, changed or removed a
    tarball (its id: every poll has a new one, even at the same --now; and its time), when and
    how its item summaries were last rewritten, and, while its newest poll failed, since when it
    has (the first failed poll since it was last listed) and when it was last listed (None:
    never). Failed polls of a node still down change none of these."""

    poll_id: int | None = None
    changed_at: float | None = None
    summaries: str = ""
    down_since: float | None = None
    last_listed: float | None = None

    @property
    def key(self) -> str:
        """A string that changes whenever the node's tarballs or its being down do."""
        return f"{self.poll_id}:{self.summaries}:{self.down_since}:{self.last_listed}"


class SeriesRow(NamedTuple):
    """One tarball ever seen on a node: item, stamp, size, revision, path, whether it is gone."""

    item: str
    stamp: int
    size: int
    revision: int | None
    path: str
    gone: bool


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
    return {
        k: Fingerprint(*last.get(k, (None, None)), summed.get(k, ""), *down.get(k, (None, None)))
        for k in last.keys() | summed.keys() | down.keys()
    }


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
    included, by item, stamp and path."""
    t = tarballs.c
    q = (
        select(t.item, t.stamp, t.size, t.revision, t.path, t.gone)
        .where(and_(t.node == node, t.hub == hub))
        .order_by(t.item, t.stamp, t.path)
    )
    return [
        SeriesRow(item, stamp, size, rev, path, gone is not None)
        for item, stamp, size, rev, path, gone in conn.execute(q)
    ]

"""What publish reads: a fingerprint of each (hub, node)'s data (to tell which nodes changed),
a hub's items, and every tarball ever seen on a node (its chart series), as plain records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, and_, func, or_, select

from tarwatch.store.tables import items, polls, tarballs


@dataclass(frozen=True)
class Fingerprint:
    """What a (hub, node)'s data was made from: the last poll that added, changed or removed a
    tarball (its id: every poll has a new one, even at the same --now; and its time), and when
    and how its item summaries were last rewritten."""

    poll_id: int | None = None
    changed_at: float | None = None
    summaries: str = ""

    @property
    def key(self) -> str:
        """A string that changes whenever the node's tarballs do."""
        return f"{self.poll_id}:{self.summaries}"


class SeriesRow(NamedTuple):
    """One tarball ever seen on a node: item, stamp, size, revision, path, whether it is gone."""

    item: str
    stamp: int
    size: int
    revision: int | None
    path: str
    gone: bool


def fingerprints(conn: Connection, hubs: Sequence[str]) -> dict[tuple[str, str], Fingerprint]:
    """Given a connection and hub tags, return the fingerprint of every (hub, node) with data."""
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
    return {
        k: Fingerprint(*last.get(k, (None, None)), summaries=summed.get(k, ""))
        for k in last.keys() | summed.keys()
    }


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

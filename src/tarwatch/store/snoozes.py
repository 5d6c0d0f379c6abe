"""Keeping snoozes (`tarwatch snooze`) in the store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, and_, or_, select, update

from tarwatch.records import Snooze
from tarwatch.store.failures import failing_as, inserted_id
from tarwatch.store.tables import snoozes


class Snoozes:
    """The snoozes of one store (`Store.snoozes`)."""

    def __init__(self, engine: Engine, where: str, path: Path | None = None):
        self._engine = engine
        self._where = where
        self._path = path

    def add(
        self, hub: str, node: str | None, item: str | None, since: float, until: float, why: str
    ) -> Snooze:
        """Given a place, when the snooze starts and ends and why, keep it and return it."""
        with failing_as("cannot keep the snooze", self._where, self._path), self._engine.begin() as conn:
            r = conn.execute(
                snoozes.insert().values(hub=hub, node=node, item=item, since=since, until=until, why=why)
            )
        return Snooze(inserted_id(r, "snooze"), hub, node, item, since, until, why)

    def active(self, now: float) -> list[Snooze]:
        """Given `now`, return the snoozes in force then, oldest first."""
        q = (
            select(snoozes)
            .where(snoozes.c.since <= now, snoozes.c.until > now)
            .where(or_(snoozes.c.cleared.is_(None), snoozes.c.cleared > now))
            .order_by(snoozes.c.id)
        )
        with failing_as("cannot read the snoozes", self._where, self._path), self._engine.connect() as conn:
            return [Snooze(r.id, r.hub, r.node, r.item, r.since, r.until, r.why) for r in conn.execute(q)]

    def clear(self, hub: str, node: str | None, item: str | None, now: float) -> int:
        """Given a place and `now`, end the snoozes in force on exactly that place; return how many."""
        where = and_(
            snoozes.c.hub == hub,
            snoozes.c.node.is_(None) if node is None else snoozes.c.node == node,
            snoozes.c.item.is_(None) if item is None else snoozes.c.item == item,
            snoozes.c.until > now,
            snoozes.c.cleared.is_(None),
        )
        with failing_as("cannot clear the snoozes", self._where, self._path), self._engine.begin() as conn:
            return conn.execute(update(snoozes).where(where).values(cleared=now)).rowcount

"""Reads of a store that only tests make: its rows counted and listed, and its engine for the
tests that look at tables directly (the package keeps it private: `Store` is its only face)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, and_, func, select

from tarwatch.store import Store
from tarwatch.store.tables import tarballs


def store_at(url: str, revision: str) -> Engine:
    """Given a store URL and a schema revision, make the store as tarwatch made it at that
    revision (Alembic's migrations up to it) with one run in it; return its engine (disposed)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from tarwatch.store import schema

    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(schema.MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.execute(text("INSERT INTO runs (now, started, command, hubs) VALUES (1, 1, 'collect', 'ZZ')"))
    engine.dispose()
    return engine


def engine_of(store: Store) -> Engine:
    """Given a store, return its SQLAlchemy engine."""
    return store._engine


def count_tarballs(store: Store, *, gone: bool | None = None) -> int:
    """Given a store, return how many tarball rows it has (all, only gone ones, or only present
    ones)."""
    q = select(func.count()).select_from(tarballs)
    if gone is True:
        q = q.where(tarballs.c.gone.is_not(None))
    elif gone is False:
        q = q.where(tarballs.c.gone.is_(None))
    with engine_of(store).connect() as conn:
        return int(conn.execute(q).scalar() or 0)


def current_tarballs(store: Store, hubs: Iterable[str]) -> list[tuple[Any, ...]]:
    """Given a store and hub tags, return every tarball not gone as (hub, node, item, stamp,
    size, path, revision, digest, dna_size), ordered by hub, node, item and stamp."""
    t = tarballs.c
    q = (
        select(t.hub, t.node, t.item, t.stamp, t.size, t.path, t.revision, t.digest, t.dna_size)
        .where(and_(t.hub.in_(list(hubs)), t.gone.is_(None)))
        .order_by(t.hub, t.node, t.item, t.stamp)
    )
    with engine_of(store).connect() as conn:
        return [tuple(r) for r in conn.execute(q)]

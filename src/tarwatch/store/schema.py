"""Bringing a store's schema to the current revision with Alembic, only when it is behind."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Column, Connection, MetaData, String, Table, inspect, text

from tarwatch.errors import StoreError

# Every migration in migrations/versions, oldest first; HEAD the newest. A test keeps them in step.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")
HEAD = REVISIONS[-1]
MIGRATIONS = Path(__file__).parent / "migrations"
# PostgreSQL: the advisory lock that lets one process at a time create or migrate the schema
SCHEMA_KEY = int.from_bytes(hashlib.sha256(b"tarwatch schema").digest()[:8], "big", signed=True)


def current_revision(conn: Connection) -> str | None:
    """Given a connection, return the store's Alembic revision, or None for an empty store."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(conn: Connection) -> None:
    """Given a connection, run every migration the store has not had yet (Alembic is imported
    only then, which keeps the nightly run's start-up short). An empty database is given the
    current schema directly and stamped with HEAD, as Alembic's documentation advises; a test
    keeps that schema and the migrations' in step. On PostgreSQL, processes opening a store at
    once (hubs of several sites, the first night) take turns: the first creates the schema in
    its transaction, the others then find it there. On SQLite likewise: the one that finds the
    store behind takes the write lock first (BEGIN IMMEDIATE, waiting up to the busy timeout for
    another), looks again, and creates or migrates it in that transaction."""
    if conn.dialect.name == "postgresql":  # held until the transaction ends
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_KEY})
    revision = current_revision(conn)
    if revision == HEAD:
        return
    if conn.dialect.name == "sqlite":
        _sqlite_write_lock(conn)
        revision = current_revision(conn)
        if revision == HEAD:
            return
    check_known(revision)
    if revision is None and not inspect(conn).get_table_names():
        from tarwatch.store.tables import metadata

        metadata.create_all(conn)
        version = Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))
        version.create(conn)
        conn.execute(version.insert().values(version_num=HEAD))
        return
    migrate(conn)


def _sqlite_write_lock(conn: Connection) -> None:
    """Given an SQLite connection in SQLAlchemy's transaction, begin the database's transaction
    with its write lock (pysqlite begins one only before an INSERT, UPDATE or DELETE, so
    CREATE TABLE would run outside any): what follows is one transaction, committed with
    SQLAlchemy's, and no other process writes until then."""
    dbapi = conn.connection.dbapi_connection
    if dbapi is not None and not getattr(dbapi, "in_transaction", False):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def check_known(revision: str | None, where: str = "the store") -> None:
    """Given a store's revision, raise StoreError when this tarwatch does not know it: a newer
    tarwatch wrote the store, and this one must not touch it."""
    if revision is not None and revision not in REVISIONS:
        raise StoreError(
            f"{where} has schema revision {revision}, newer than this tarwatch knows ({HEAD}); "
            "upgrade tarwatch"
        )


def migrate(conn: Connection) -> None:
    """Given a connection, run Alembic's migrations up to HEAD."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")

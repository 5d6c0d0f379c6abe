"""Bringing a store's schema to the current revision with Alembic, only when it is behind."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, inspect, text

HEAD = "0001"  # the newest migration in migrations/versions; a test keeps the two in step
MIGRATIONS = Path(__file__).parent / "migrations"


def current_revision(conn: Connection) -> str | None:
    """Given a connection, return the store's Alembic revision, or None for an empty store."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(conn: Connection) -> None:
    """Given a connection, run every migration the store has not had yet (Alembic is imported
    only then, which keeps the nightly run's start-up short)."""
    if current_revision(conn) == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")

"""Looking at a store without changing it (for `tarwatch doctor`): does it exist, at which schema
revision, and could tarwatch write to it. Nothing is created, stamped or migrated here; an
SQLite file is opened read-only."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tarwatch.store import schema


@dataclass(frozen=True, slots=True)
class StoreState:
    """What a store is now. `exists`: there is a database with tarwatch's tables (False: the
    first run creates it); `revision` its schema revision (None: not there yet) against `head`;
    `writable`: tarwatch could write to it (None: not known); `problem`: why it cannot be used."""

    where: str
    exists: bool
    revision: str | None
    head: str
    writable: bool | None
    problem: str | None = None

    @property
    def current(self) -> bool:
        return self.revision == self.head


def inspect_store(url: str) -> StoreState:
    """Given a store URL, return its StoreState without writing anything anywhere."""
    head = schema.HEAD
    try:
        u = make_url(url)
    except ArgumentError as e:
        return StoreState(url, False, None, head, None, f"store url {url!r} is not a database URL: {e}")
    if u.get_backend_name() == "sqlite":
        if not u.database or u.database == ":memory:":
            return StoreState("store in memory", False, None, head, True)
        return _sqlite(Path(u.database).expanduser(), head)
    where = f"store {u.render_as_string(hide_password=True)}"
    try:
        engine = create_engine(u)
    except (ArgumentError, ImportError) as e:
        return StoreState(where, False, None, head, None, f"cannot use {where}: {e}")
    try:
        with engine.connect() as conn:
            revision = schema.current_revision(conn)
            if revision is None:
                sql = "SELECT has_schema_privilege(current_schema(), 'CREATE')"
            else:
                sql = "SELECT has_table_privilege('runs', 'INSERT')"
            writable = bool(conn.execute(text(sql)).scalar())
    except Exception as e:  # the server is down, refuses the login, …
        first = str(getattr(e, "orig", None) or e).strip().splitlines()
        return StoreState(where, False, None, head, None, f"cannot reach {where}: {first[0] if first else e}")
    finally:
        engine.dispose()
    return StoreState(where, revision is not None, revision, head, writable)


def _sqlite(path: Path, head: str) -> StoreState:
    where = f"store {path}"
    if not path.exists():
        folder = next((p for p in [path.parent, *path.parent.parents] if p.exists()), Path("/"))
        ok = folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
        return StoreState(where, False, None, head, ok)
    writable = os.access(path, os.R_OK | os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    try:
        # Without a -wal file, all of the store is in its file: read it immutable, so that SQLite
        # creates nothing (a read-only open of a WAL store would leave -wal and -shm beside it).
        # With one (a run writing now, or one that died), read-only, to see what the -wal holds.
        wal = path.with_name(path.name + "-wal").exists()
        mode = "mode=ro" if wal else "mode=ro&immutable=1"
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        try:
            has = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone() if has else None
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as e:
        return StoreState(where, True, None, head, writable, f"cannot read {where}: {e}")
    rev = str(revision[0]) if revision else None
    if rev is None and tables and tables[0]:
        return StoreState(
            where, True, None, head, writable, f"{where} holds tables but is not a tarwatch store"
        )
    return StoreState(where, rev is not None, rev, head, writable)

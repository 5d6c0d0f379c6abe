"""Inserting a first listing's rows (`listed.LISTED` tuples) into `tarballs` with the least
work per row each driver allows: on SQLite, statements of a few hundred rows each whose
node, hub and times are bound once per statement (a quarter less CPU than an executemany of
one row per call, measured with bench.ingest); on PostgreSQL, COPY."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

from sqlalchemy.engine.interfaces import DBAPICursor

_ROWS_PER_STATEMENT = 256
# The columns of a listed row, after the ones every row of a listing shares
_SHARED = "node, hub, md5, first_seen, last_seen"
_LISTED = "path, item, stamp, size, mtime, revision, digest, dna_size"
_WIDTH = 8


def insert_listed(
    cur: DBAPICursor, dialect: str, node: str, hub: str, at: float, rows: Sequence[tuple[Any, ...]]
) -> None:
    """Given the database's dialect name ("sqlite" or "postgresql"), insert the listed rows of
    (node, hub) as new at `at` (first and last seen; no md5), in their order, in the
    transaction of `cur`."""
    if not rows:
        return
    if dialect == "postgresql":
        _copy(cur, node, hub, at, rows)
        return
    per = _rows_per_statement(cur)
    shared = (node, hub, at, at)
    whole = len(rows) - len(rows) % per
    if whole:
        sql = _statement(per)
        for i in range(0, whole, per):
            cur.execute(sql, (*shared, *chain.from_iterable(rows[i : i + per])))
    if whole < len(rows):
        cur.execute(_statement(len(rows) - whole), (*shared, *chain.from_iterable(rows[whole:])))


def _statement(n: int) -> str:
    """SQLite's INSERT of n listed rows after the four shared values (node, hub, at, at)."""
    row = "(" + ",".join("?" * _WIDTH) + ")"
    return (
        f"INSERT INTO tarballs ({_SHARED}, {_LISTED}) SELECT ?, ?, NULL, ?, ?, * FROM (VALUES "
        + ",".join([row] * n)
        + ")"
    )


def _rows_per_statement(cur: DBAPICursor) -> int:
    """As many rows as a statement takes, within SQLite's limit on bound values, up to 256."""
    conn: sqlite3.Connection = cur.connection
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(_ROWS_PER_STATEMENT, (limit - 4) // _WIDTH))


def _copy(cur: DBAPICursor, node: str, hub: str, at: float, rows: Sequence[tuple[Any, ...]]) -> None:
    """PostgreSQL: COPY the rows (psycopg's copy)."""
    with cur.copy(f"COPY tarballs ({_SHARED}, {_LISTED}) FROM STDIN") as copy:
        shared = (node, hub, None, at, at)
        for r in rows:
            copy.write_row((*shared, *r))

"""A database failure at the store's seam: one StoreError naming what was being done and where
(StoreBroken with what to do when the store itself is unusable), whichever statement failed."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import CursorResult
from sqlalchemy.exc import SQLAlchemyError

from tarwatch.errors import StoreBroken, StoreError

# Words of the drivers for a store that cannot be used at all, whichever poll is written.
_BROKEN = {
    "database or disk is full": "its disk is full: free space there, then run again (the store is"
    " unchanged: what could not be written was rolled back)",
    "no space left on device": "its disk is full: free space there, then run again",
    "could not extend file": "its disk is full: free space there, then run again",
    "disk i/o error": "its disk failed to read or write: check the disk, then run again",
    "database disk image is malformed": "the file is damaged: restore it from a backup, or move it"
    " aside to start a new history",
    "file is not a database": "the file is not a tarwatch store, or is damaged: restore it from a"
    " backup, or move it aside to start a new history",
    "readonly database": "it cannot be written: check the permissions of the file and its folder",
    "read-only": "it cannot be written: check the permissions of the file and its folder",
    "unable to open database file": "the file cannot be opened: check that its folder exists and is writable",
}


FULL = 1 << 20  # bytes free below which a disk counts as full (SQLite may say "disk I/O error")


def failure(e: BaseException, what: str, path: Path | None = None) -> StoreError:
    """Given a database error, what was being done and the SQLite store's file (if it is one),
    return the StoreError to raise: one line, StoreBroken with what to do when the store itself
    is unusable. SQLite reports some writes on a full disk as a "disk I/O error": the free space
    beside the file tells them apart."""
    orig = getattr(e, "orig", None) or e
    text = " ".join(str(orig).split())
    low = text.lower()
    for words, advice in _BROKEN.items():
        if words in low:
            if path is not None and "full" not in advice and _free(path.parent) < FULL:
                advice = _BROKEN["database or disk is full"]
            return StoreBroken(f"{what}: {text}: {advice}")
    return StoreError(f"{what}: {text}")


def from_the_database(e: BaseException) -> bool:
    """True for errors of SQLAlchemy or the database drivers."""
    return isinstance(e, SQLAlchemyError | sqlite3.Error) or type(e).__module__.split(".")[0] in (
        "sqlite3",
        "psycopg",
        "psycopg2",
    )


@contextlib.contextmanager
def failing_as(what: str, where: str, path: Path | None = None) -> Iterator[None]:
    """Given what is being done, the store's name for people and its SQLite file (if it is
    one), turn a database error in the block into the StoreError failure() returns."""
    try:
        yield
    except StoreError:
        raise
    except Exception as e:
        if not from_the_database(e):
            raise
        raise failure(e, f"{what} in {where}", path) from e


def inserted_id(result: CursorResult[object], what: str) -> int:
    """Given the result of an INSERT of one row and what it kept, return the row's new id;
    raise StoreError when the database gave none."""
    key = result.inserted_primary_key
    if key is None or key[0] is None:
        raise StoreError(f"the store gave no id to the new {what}")
    return int(key[0])


def _free(folder: Path) -> int:
    try:
        st = os.statvfs(folder)
    except OSError:
        return FULL
    return st.f_bavail * st.f_frsize

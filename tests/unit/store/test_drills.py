"""The drills kept per tarball (schema 0005): a drill holds while its tarball is kept with the
size and mtime it was tested at; the newest one and the last passed one per item; the rate."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tarwatch.records import Drill, Snapshot, Tarball
from tarwatch.store import Store

ROOT = "/backup/dayabay"
T0 = 1_700_000_000.0


def tb(n: int, size: int = 1000) -> Tarball:
    return Tarball(f"{ROOT}/svn/x/{n}/x-{n}.tar.gz", "svn/x", int(T0) + n * 86400, size, T0 + n, n)


def poll(store: Store, at: float, tars: list[Tarball], drills: list[Drill]) -> None:
    run = store.begin_run(at, "collect", ["ZZ"])
    snap = Snapshot(ROOT, True, tars)
    store.record_poll(run, "ZZ", "SDU", at, ok=True, reason=None, duration=0.1, snap=snap, drills=drills)
    store.finish_run(run)


def drill_of(t: Tarball, at: float, ok: bool, seconds: float | None = 0.5) -> Drill:
    return Drill(
        t.path,
        t.item,
        t.size,
        t.mtime,
        at,
        "gzip",
        ok,
        None if ok else "gzip exit status 1: x",
        None,
        seconds,
    )


def test_drills_hold_until_their_tarball_changes_and_say_the_last_verified_restorable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tw.db'}"
    drills_hold_until_their_tarball_changes(Store.open(url), url)


def drills_hold_until_their_tarball_changes(store: Store, url: str) -> None:
    """The test above on any new store at url (PostgreSQL's is in e2e/test_postgres_store.py)."""
    a, b = tb(1), tb(2)
    poll(store, T0, [a], [drill_of(a, T0, True)])
    poll(store, T0 + 86400, [a, b], [drill_of(b, T0 + 86400, False)])
    holds, last = store.drills.known("ZZ", "SDU")
    assert holds == {a.path: (a.size, a.mtime), b.path: (b.size, b.mtime)}
    assert last == {"svn/x": T0 + 86400}
    got = store.drills.of_hubs(["ZZ"])[("ZZ", "SDU")]["svn/x"]
    assert got.last.path == b.path and not got.last.ok
    assert got.restorable is not None and got.restorable.path == a.path and got.restorable_stamp == a.stamp
    assert store.drills.rates(["ZZ"]) == {("ZZ", "SDU"): 2000 / 1.0}
    # b rewritten (another size): its drill no longer holds; a purged: neither does a's.
    b2 = Tarball(b.path, b.item, b.stamp, 1500, b.mtime, b.revision)
    poll(store, T0 + 2 * 86400, [b2], [])
    assert store.drills.known("ZZ", "SDU") == ({}, {})
    assert store.drills.of_hubs(["ZZ"]) == {}
    # The purged one's row is deleted with it; the rewritten one's stays (its tarball is kept).
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT path FROM drills")).scalars().all() == [b.path]
    engine.dispose()

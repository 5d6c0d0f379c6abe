"""The recent sizes kept per node at collect time (schema 0006): what `check` reads for the
anomaly baseline and capacity's largest night is what the tarballs say, gone ones included,
through new tarballs, changes, purges, incomplete listings and unchanged nights; a store of
0005 has them filled by its migration. PostgreSQL runs the same functions (e2e/)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from support.store_reads import engine_of, store_at
from tarwatch.records import Snapshot, Tarball
from tarwatch.store import Store, schema
from tarwatch.store.ingest import RECENT_DAYS

DAY = 86400
T0 = 1_700_000_000


def tb(day: int, item: str = "svn/x", size: int = 1000) -> Tarball:
    name = item.split("/")[1]
    stamp = T0 + day * DAY
    return Tarball(f"/b/{item}/{day}/{name}-{day}.tar.gz", item, stamp, size, float(stamp + 60), day)


def from_tarballs(url: str, hub: str, node: str, since: int) -> dict[str, tuple[tuple[int, int], ...]]:
    """What the tarballs table says: each item's (stamp, size) stamped since `since`, gone ones
    included, sorted (the read `check` made before 0006)."""
    engine = create_engine(url)
    out: dict[str, list[tuple[int, int]]] = {}
    with engine.connect() as conn:
        q = text("SELECT item, stamp, size FROM tarballs WHERE hub = :h AND node = :n AND stamp >= :s")
        for item, stamp, size in conn.execute(q, {"h": hub, "n": node, "s": since}):
            out.setdefault(item, []).append((int(stamp), int(size)))
    engine.dispose()
    return {item: tuple(sorted(v)) for item, v in out.items()}


def kept_row(store: Store, hub: str, node: str) -> tuple[int, str] | None:
    with engine_of(store).connect() as conn:
        q = text("SELECT since, sizes FROM recent_sizes WHERE hub = :h AND node = :n")
        row = conn.execute(q, {"h": hub, "n": node}).first()
    return None if row is None else (int(row[0]), row[1])


def recent_sizes_equal_what_the_tarballs_say(store: Store, url: str) -> None:
    """The test below on any new store at url (PostgreSQL's is in e2e/test_postgres_store.py)."""
    run = store.begin_run(T0, "collect", ["ZZ"])
    history: list[Tarball] = []

    def poll(day: int, listed: list[Tarball], complete: bool = True, node: str = "SDU") -> None:
        at = T0 + day * DAY + 3600
        snap = Snapshot("/b", complete, listed)
        store.record_poll(run, "ZZ", node, at, ok=True, reason=None, duration=0.1, snap=snap)
        now = at + 3600
        for since in (now - 37 * DAY, now - 10 * DAY, now + DAY):  # within what the row keeps
            got = store.recent_sizes([("ZZ", node), ("ZZ", "NONE")], since)
            assert got == {("ZZ", node): from_tarballs(url, "ZZ", node, int(since)), ("ZZ", "NONE"): {}}
        # older than the row keeps: the tarballs are read, with the same answer
        old = now - (RECENT_DAYS + 30) * DAY
        assert store.recent_sizes([("ZZ", node)], old) == {
            ("ZZ", node): from_tarballs(url, "ZZ", node, int(old))
        }

    for day in range(60):  # a first ingest of 60 nights of two items, then a night each
        history += [tb(day), tb(day, "svn/y", 500 + day)]
    poll(59, history)
    row = kept_row(store, "ZZ", "SDU")
    assert row is not None and row[0] == T0 + 59 * DAY + 3600 - RECENT_DAYS * DAY
    for day in range(60, 64):
        history += [tb(day), tb(day, "svn/y", 500 + day)]
        history = history[4:]  # the oldest purged: gone, still counted
        poll(day, history)
    poll(64, history)  # unchanged: nothing rewritten, still right
    poll(65, [tb(65, "svn/z"), *history[:3]], complete=False)  # incomplete: nothing gone
    poll(66, [t for t in history if t.item == "svn/x"] + [tb(65, "svn/z", 7)])  # svn/y all gone; a change
    assert "svn/y" in store.recent_sizes([("ZZ", "SDU")], T0 + 30 * DAY)[("ZZ", "SDU")]  # gone, counted
    poll(66, [tb(66, "svn/x", 3)], node="IHEP")


def test_recent_sizes_equal_what_the_tarballs_say(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tw.db'}"
    recent_sizes_equal_what_the_tarballs_say(Store.open(url), url)


def a_0005_store_gets_its_recent_sizes(url: str) -> None:
    """The test below on a store at url (PostgreSQL's is in e2e/test_postgres_migration.py)."""
    engine = store_at(url, "0005")
    at = T0 + 50 * DAY
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO polls (run_id, hub, node, at, ok, duration, files, complete, malformed,"
                " unfit, added, changed, removed) VALUES (1, 'ZZ', 'SDU', :at, :ok, 1, 0, :ok, 0, 0, 0, 0, 0)"
            ),
            {"at": at, "ok": True},
        )
        for day in range(0, 50, 2):
            for item, size in (("svn/x", 1000 + day), ("svn/y", 70)):
                t = tb(day, item, size)
                conn.execute(
                    text(
                        "INSERT INTO tarballs (node, path, hub, item, stamp, size, mtime, first_seen,"
                        " last_seen, gone) VALUES ('SDU', :p, 'ZZ', :i, :s, :z, 1.0, 1, 1, :g)"
                    ),
                    {"p": t.path, "i": item, "s": t.stamp, "z": size, "g": 2.0 if day < 20 else None},
                )
    engine.dispose()
    store = Store.open(url)
    with engine_of(store).connect() as conn:
        assert schema.current_revision(conn) == schema.HEAD
    row = kept_row(store, "ZZ", "SDU")
    assert row is not None and row[0] == int(at) - RECENT_DAYS * DAY
    since = int(at) - 37 * DAY
    want = from_tarballs(url, "ZZ", "SDU", since)
    assert want["svn/x"][0] == (T0 + 14 * DAY, 1014)  # gone ones included
    assert store.recent_sizes([("ZZ", "SDU")], since) == {("ZZ", "SDU"): want}
    store.close()


def test_a_0005_store_gets_its_recent_sizes_from_its_tarballs(tmp_path: Path) -> None:
    a_0005_store_gets_its_recent_sizes(f"sqlite:///{tmp_path / 'tw.db'}")

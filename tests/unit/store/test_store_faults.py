"""The store under faults: schemas older and newer than this tarwatch, files only their owner
reads, runs whose process died, folders a listing could not read, and failures worded in one
line."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from support.store_reads import count_tarballs, engine_of, store_at
from tarwatch.errors import StoreBroken, StoreError
from tarwatch.records import Snapshot, Tarball
from tarwatch.store import Store, schema
from tarwatch.store.failures import failure
from tarwatch.store.tables import runs, tarballs

ROOT = "/backup/dayabay"
T0 = 1_700_000_000.0


def tb(item: str, day: int, folder: str = "") -> Tarball:
    name = item.split("/")[1]
    path = f"{ROOT}/{item}/{folder or f'night{day}'}/{name}-{day}.tar.gz"
    return Tarball(path, item, int(T0) + day * 86400, 1000, T0 + day, day)


def poll(store: Store, at: float, snap: Snapshot) -> None:
    run = store.begin_run(at, "collect", ["ZZ"])
    store.record_poll(run, "ZZ", "SDU", at, ok=True, reason=None, duration=0.1, snap=snap)
    store.finish_run(run)


def make_0001_store(path: Path) -> None:
    """A store as tarwatch made it before schema 0002: the 0001 migration, and a run in it."""
    store_at(f"sqlite:///{path}", "0001")


# -- schema revisions -----------------------------------------------------------------------


def test_a_store_keyed_by_node_and_path_is_rekeyed_by_hub_keeping_every_row(tmp_path: Path) -> None:
    """Schema 0003: the tarballs of a 0002 store are copied under the (node, hub, path) key,
    every column kept; then a second hub may list the same path of that node."""
    path = tmp_path / "tw.db"
    engine = store_at(f"sqlite:///{path}", "0002")
    with engine.begin() as conn:
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO tarballs (node, path, hub, item, stamp, size, mtime, revision, digest,"
                    " dna_size, md5, first_seen, last_seen, gone) VALUES ('SDU', :p, 'ZZ', 'svn/x', :s,"
                    " :z, 1.5, :n, 'ab', :z, NULL, 1, 2, :g)"
                ),
                {"p": f"/b/svn/x/{n}/x-{n}.tar.gz", "s": 1_700_000_000 + n, "z": 10 + n, "n": n,
                 "g": 3.0 if n == 0 else None},
            )  # fmt: skip
        before = sorted(conn.execute(text("SELECT * FROM tarballs")))
    engine.dispose()
    store = Store.open(f"sqlite:///{path}")
    with engine_of(store).connect() as conn:
        assert sorted(conn.execute(text("SELECT * FROM tarballs"))) == before
        assert inspect(conn).get_pk_constraint("tarballs")["constrained_columns"] == ["node", "hub", "path"]
    tb = Tarball("/b/svn/x/1/x-1.tar.gz", "svn/x", 1_700_000_001, 11, 1.5, 1)
    run = store.begin_run(5.0, "collect", ["YY"])
    got = store.record_poll(
        run, "YY", "SDU", 5.0, ok=True, reason=None, duration=0.1, snap=Snapshot("/b", True, [tb])
    )
    store.finish_run(run)
    assert got.new == 1


def test_the_known_revisions_are_the_migration_files_oldest_first() -> None:
    files = sorted(p.name.split("_", 1)[0] for p in (schema.MIGRATIONS / "versions").glob("*.py"))
    assert list(schema.REVISIONS) == files and files[-1] == schema.HEAD


def test_a_store_of_a_newer_tarwatch_is_refused_in_one_line_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "tw.db"
    Store.open(f"sqlite:///{path}")
    db = sqlite3.connect(path)
    db.execute("UPDATE alembic_version SET version_num = '0099'")
    db.commit()
    before = path.read_bytes()
    with pytest.raises(StoreError) as e:
        Store.open(f"sqlite:///{path}")
    assert str(e.value) == (
        f"store {path} has schema revision 0099, newer than this tarwatch knows ({schema.HEAD});"
        " upgrade tarwatch"
    )
    assert db.execute("SELECT version_num FROM alembic_version").fetchone() == ("0099",)
    assert path.read_bytes() == before


def test_a_store_of_the_previous_schema_is_copied_then_migrated_in_place(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tw.db"
    make_0001_store(path)
    with caplog.at_level(logging.WARNING):
        store = Store.open(f"sqlite:///{path}")
    copy = tmp_path / f"tw.db.before-{schema.HEAD}.bak"
    assert copy.is_file() and stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert f"a copy of it as it was is kept at {copy}" in caplog.text and "revision 0001" in caplog.text
    old = sqlite3.connect(copy)
    assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert old.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    with engine_of(store).connect() as conn:
        assert schema.current_revision(conn) == schema.HEAD
    assert "unreadable" in {c["name"] for c in inspect(engine_of(store)).get_columns("polls")}
    # and it works: a poll is stored, and the run the old tarwatch never finished is abandoned
    poll(store, T0, Snapshot(ROOT, True, [tb("svn/dybsvn", 1)]))
    assert count_tarballs(store) == 1
    with engine_of(store).connect() as conn:
        first = conn.execute(select(runs).order_by(runs.c.id)).first()
    assert first.outcome == "abandoned" and first.finished is not None


# -- files only their owner reads -----------------------------------------------------------


def test_a_new_sqlite_store_and_its_wal_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "tw.db"
        store = Store.open(f"sqlite:///{path}")
        poll(store, T0, Snapshot(ROOT, True, [tb("svn/dybsvn", 1)]))
        with engine_of(store).connect() as conn:  # the WAL and its index exist while a connection is open
            conn.execute(select(tarballs.c.path)).all()
            made = [p for p in tmp_path.iterdir() if p.name.startswith("tw.db")]
            assert {p.name for p in made} >= {"tw.db", "tw.db-wal", "tw.db-shm"}
            assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in made} == {p.name: 0o600 for p in made}
    finally:
        os.umask(old)


# -- runs whose process died ----------------------------------------------------------------


def test_a_run_whose_process_died_is_marked_abandoned_by_the_next_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tw.db'}"
    code = f"from tarwatch.store import Store; Store.open({url!r}).begin_run(1.0, 'collect', ['ZZ'])"
    subprocess.run([sys.executable, "-c", code], check=True)  # begins a run, and dies without finishing
    store = Store.open(url)
    mine = store.begin_run(2.0, "collect", ["ZZ"])
    with engine_of(store).connect() as conn:
        rows = {r.id: r for r in conn.execute(select(runs))}
    dead = next(r for i, r in rows.items() if i != mine)
    assert dead.outcome == "abandoned" and dead.finished is not None and dead.pid != os.getpid()
    assert rows[mine].outcome is None and rows[mine].finished is None and rows[mine].pid == os.getpid()
    store.finish_run(mine)
    with engine_of(store).connect() as conn:
        assert conn.execute(select(runs.c.outcome).where(runs.c.id == mine)).scalar() == "finished"


# -- folders a listing could not read -------------------------------------------------------


def test_tarballs_under_an_unreadable_folder_are_not_marked_gone_and_the_rest_are(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'tw.db'}")
    a1, a2, b1, b2 = tb("svn/a", 1), tb("svn/a", 2), tb("svn/b", 1), tb("svn/b", 2)
    poll(store, T0, Snapshot(ROOT, True, [a1, a2, b1, b2]))
    # svn/a's folder could not be read; b2 was deleted for real.
    unreadable = [f"{ROOT}/svn/a"]
    poll(store, T0 + 3600, Snapshot(ROOT, True, [b1], unreadable=unreadable))
    with engine_of(store).connect() as conn:
        gone = dict(conn.execute(select(tarballs.c.path, tarballs.c.gone)).all())
    assert gone == {a1.path: None, a2.path: None, b1.path: None, b2.path: T0 + 3600}
    assert store.latest_polls(["ZZ"])[("ZZ", "SDU")].unreadable == (f"{ROOT}/svn/a",)
    histories = store.item_histories(["ZZ"])[("ZZ", "SDU")]
    assert histories["svn/a"].count == 2 and histories["svn/b"].count == 1


# -- failures in one line -------------------------------------------------------------------


def test_a_full_disk_or_a_damaged_file_is_store_broken_with_what_to_do() -> None:
    full = failure(sqlite3.OperationalError("database or disk is full"), "cannot record the poll in store /x")
    assert isinstance(full, StoreBroken)
    assert str(full).startswith(
        "cannot record the poll in store /x: database or disk is full: its disk is full"
    )
    bad = failure(sqlite3.DatabaseError("database disk image is malformed"), "cannot open store /x")
    assert isinstance(bad, StoreBroken) and "restore it from a backup" in str(bad)
    odd = failure(sqlite3.IntegrityError("UNIQUE constraint failed: tarballs.node"), "cannot record")
    assert type(odd) is StoreError and "\n" not in str(odd)


READS = {
    "latest_polls": lambda s: s.latest_polls(["ZZ"]),
    "item_histories": lambda s: s.item_histories(["ZZ"]),
    "locks": lambda s: s.locks(["ZZ"]),
    "md5_known": lambda s: s.md5_known("ZZ", "SDU"),
    "fingerprints": lambda s: s.fingerprints(["ZZ"]),
    "hub_items": lambda s: s.hub_items("ZZ"),
    "series_rows": lambda s: s.series_rows("ZZ", "SDU"),
    "begin_run": lambda s: s.begin_run(T0, "collect", ["ZZ"]),
    "snoozes.active": lambda s: s.snoozes.active(T0),
    "snoozes.add": lambda s: s.snoozes.add("ZZ", None, None, T0, T0 + 60, "why"),
    "notify.states": lambda s: s.notify.states("ZZ"),
    "notify.deliveries": lambda s: s.notify.deliveries(["ZZ"]),
    "notify.last_message": lambda s: s.notify.last_message("ZZ", "all_well"),
}


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_every_failure_of_the_database_is_a_store_error_naming_the_store(tmp_path: Path, read) -> None:
    path = tmp_path / "tw.db"
    store = Store.open(f"sqlite:///{path}")
    with engine_of(store).begin() as conn:  # another program wrecked the store under us
        conn.execute(text("PRAGMA foreign_keys=OFF"))
        for table in inspect(conn).get_table_names():
            conn.execute(text(f"DROP TABLE {table}"))
    with pytest.raises(StoreError) as e:
        read(store)
    assert f"in store {path}: no such table" in str(e.value) and "\n" not in str(e.value)

"""The disk history: schema 0004 added to a 0003 store, a poll's df figures kept with the bytes
of the tarballs it listed, read back per (hub, node), oldest first."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from support.store_reads import engine_of, store_at
from tarwatch.records import Disk, Snapshot, Tarball
from tarwatch.store import Store, schema

ROOT = "/backup/dayabay"
T0 = 1_700_000_000.0
DISK = Disk("/dev/sdb1", "/backup", 1000 * 2**30, 600 * 2**30, 400 * 2**30)


def tb(n: int, size: int = 1000) -> Tarball:
    return Tarball(f"{ROOT}/svn/x/{n}/x-{n}.tar.gz", "svn/x", int(T0) + n * 86400, size, T0 + n, n)


def poll(store: Store, at: float, snap: Snapshot, hub: str = "ZZ", node: str = "SDU") -> None:
    run = store.begin_run(at, "collect", [hub])
    store.record_poll(run, hub, node, at, ok=True, reason=None, duration=0.1, snap=snap)
    store.finish_run(run)


def test_a_0003_store_is_given_the_disks_table_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "tw.db"
    engine = store_at(f"sqlite:///{path}", "0003")
    with engine.connect() as conn:
        assert not inspect(conn).has_table("disks")
    engine.dispose()
    store = Store.open(f"sqlite:///{path}")
    with engine_of(store).connect() as conn:
        assert schema.current_revision(conn) == schema.HEAD
        assert conn.execute(text("SELECT count(*) FROM runs")).scalar() == 1
        assert inspect(conn).has_table("disks")
    poll(store, T0, Snapshot(ROOT, True, [tb(1)], disk=DISK))
    [point] = store.disks.history(["ZZ"], 0)[("ZZ", "SDU")]
    assert (point.total, point.used, point.free, point.kept) == (DISK.total, DISK.used, DISK.free, 1000)


def test_each_poll_with_df_figures_is_one_point_oldest_first_per_hub_and_node(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'tw.db'}")
    poll(store, T0 + 86400, Snapshot(ROOT, True, [tb(1), tb(2, 500)], disk=DISK))
    poll(store, T0, Snapshot(ROOT, True, [tb(1)], disk=DISK))
    poll(store, T0 + 2 * 86400, Snapshot(ROOT, False, [tb(1)], disk=DISK))  # incomplete: kept unknown
    poll(store, T0 + 3 * 86400, Snapshot(ROOT, True, [tb(1)], disk_note="df failed"))  # no figures
    poll(store, T0, Snapshot(ROOT, True, [], disk=DISK), node="IHEP")
    got = store.disks.history(["ZZ"], 0)
    assert [(p.at, p.kept) for p in got[("ZZ", "SDU")]] == [
        (T0, 1000),
        (T0 + 86400, 1500),
        (T0 + 2 * 86400, None),
    ]
    assert [p.kept for p in got[("ZZ", "IHEP")]] == [0]
    assert [p.at for p in store.disks.history(["ZZ"], T0 + 1)[("ZZ", "SDU")]] == [T0 + 86400, T0 + 2 * 86400]
    assert store.disks.history(["YY"], 0) == {}

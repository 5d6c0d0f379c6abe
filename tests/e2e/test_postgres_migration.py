"""The previous schema and a newer one on a real PostgreSQL: 0001 is migrated in place (in one
transaction, and said so), a revision this tarwatch does not know is refused."""

from __future__ import annotations

import itertools
import logging

import pytest
from sqlalchemy import create_engine, inspect, select, text

from support.store_reads import engine_of
from tarwatch.errors import StoreError
from tarwatch.records import Disk, Snapshot, Tarball
from tarwatch.store import Store, schema
from tarwatch.store.tables import runs

pytestmark = pytest.mark.e2e
OLD_ROW = (
    "INSERT INTO tarballs (node, path, hub, item, stamp, size, mtime, first_seen, last_seen)"
    " VALUES ('N', '/b/svn/x/0/x-0.tar.gz', 'ZZ', 'svn/x', 1600000000, 7, 1.0, 1, 1)"
)  # a row of the 0001 schema, keyed by (node, path)
_names = itertools.count()


@pytest.fixture
def url(postgres) -> str:
    return postgres.fresh_database(f"twmig{next(_names)}")


def test_a_postgresql_store_of_the_previous_schema_is_migrated_in_place(url, caplog) -> None:
    from alembic import command
    from alembic.config import Config

    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(schema.MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO runs (now, started, command, hubs) VALUES (1, 1, 'collect', 'ZZ')"))
        conn.execute(text(OLD_ROW))
    engine.dispose()
    with caplog.at_level(logging.WARNING):
        store = Store.open(url)
    assert "schema revision 0001; upgrading it to" in caplog.text and "one transaction" in caplog.text
    with engine_of(store).connect() as conn:
        assert schema.current_revision(conn) == schema.HEAD
    assert {"pid", "host", "outcome"} <= {c["name"] for c in inspect(engine_of(store)).get_columns("runs")}
    assert inspect(engine_of(store)).has_table("disks")  # 0004: the disk history
    run = store.begin_run(2.0, "collect", ["ZZ"])
    t = Tarball("/b/svn/x/1/x-1.tar.gz", "svn/x", 1_700_000_000, 5, 1.0, 1)
    store.record_poll(
        run, "ZZ", "N", 2.0, ok=True, reason=None, duration=0.1,
        snap=Snapshot("/b", True, [t], unreadable=["/b/svn/y"]),
    )  # fmt: skip
    store.finish_run(run)
    assert store.latest_polls(["ZZ"])[("ZZ", "N")].unreadable == ("/b/svn/y",)
    with engine_of(store).connect() as conn:
        outcomes = [r.outcome for r in conn.execute(select(runs).order_by(runs.c.id))]
    assert outcomes == ["abandoned", "finished"]
    # 0003: the tarballs are keyed by hub too, the old row kept; another hub lists the same path
    assert inspect(engine_of(store)).get_pk_constraint("tarballs")["constrained_columns"] == [
        "node",
        "hub",
        "path",
    ]
    run = store.begin_run(3.0, "collect", ["YY"])
    old = Tarball("/b/svn/x/0/x-0.tar.gz", "svn/x", 1_600_000_000, 7, 1.0, 0)
    store.record_poll(
        run, "YY", "N", 3.0, ok=True, reason=None, duration=0.1, snap=Snapshot("/b", True, [old])
    )
    store.finish_run(run)
    with engine_of(store).connect() as conn:
        kept = sorted(
            conn.execute(text("SELECT hub, node, path, size FROM tarballs WHERE path LIKE '%x-0%'"))
        )
    assert kept == [("YY", "N", old.path, 7), ("ZZ", "N", old.path, 7)]
    # 0004: a poll's df figures are kept and read back
    run = store.begin_run(4.0, "collect", ["ZZ"])
    disk = Disk("/dev/sdb1", "/b", 10**13, 4 * 10**12, 6 * 10**12)
    store.record_poll(
        run, "ZZ", "N", 4.0, ok=True, reason=None, duration=0.1, snap=Snapshot("/b", True, disk=disk)
    )
    store.finish_run(run)
    [point] = store.disks.history(["ZZ"], 0)[("ZZ", "N")]
    assert (point.total, point.used, point.free, point.kept, point.mount) == (
        10**13,
        4 * 10**12,
        6 * 10**12,
        0,
        "/b",
    )


def test_a_postgresql_store_of_a_newer_tarwatch_is_refused(url) -> None:
    Store.open(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"schema revision 0099, newer than this tarwatch knows .*; upgrade"):
        Store.open(url)


def test_a_postgresql_store_of_0005_gets_its_recent_sizes_from_its_tarballs(url) -> None:
    from unit.store.test_recent_sizes import a_0005_store_gets_its_recent_sizes

    a_0005_store_gets_its_recent_sizes(url)

"""The store on a real PostgreSQL: the same behaviour as on SQLite, through the same code (no
SQLite-only SQL), the Alembic migration, and the CLI end to end with a postgresql:// URL."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from support.cli import tarwatch
from support.store_reads import count_tarballs
from tarwatch.checks import History, Poll, evaluate
from tarwatch.config.validate import validate
from tarwatch.demo import make_world
from tarwatch.formats.document import to_json
from tarwatch.records import Mark, Snapshot, Tarball
from tarwatch.store import Store, schema
from tarwatch.store.tables import metadata

pytestmark = pytest.mark.e2e
DAY = 86400
T0 = 1_700_000_000
_names = itertools.count()


@pytest.fixture
def url(postgres) -> str:
    return postgres.fresh_database(f"tw{next(_names)}")


def tb(day: int, item: str = "svn/dybsvn", size: int = 1000, **kw) -> Tarball:
    name = item.split("/")[1]
    return Tarball(
        f"/b/{item}/{day}/{name}-{day}.tar.gz", item, T0 + day * DAY, size, float(T0 + day * DAY), day, **kw
    )


def test_ingest_diff_gone_and_summaries_behave_on_postgresql_as_on_sqlite(url):
    store = Store.open(url)
    run = store.begin_run(T0, "collect", ["ZZ"])

    def poll(at, tarballs, complete=True, ok=True, marks=()):
        snap = Snapshot("/b", complete, list(tarballs), list(marks)) if ok else None
        return store.record_poll(
            run, "ZZ", "SDU", at, ok=ok, reason=None if ok else "refused", duration=0.1, snap=snap
        )

    first = poll(T0, [tb(0), tb(1), tb(1, "tracs/dybsvn", dna_size=5, digest="0" * 32)])
    assert (first.new, first.changed, first.gone) == (3, 0, 0)
    assert poll(T0 + DAY, [tb(0), tb(1), tb(1, "tracs/dybsvn", dna_size=5, digest="0" * 32)]).new == 0
    assert poll(T0 + 2 * DAY, [tb(1)], complete=False).gone == 0  # incomplete: nothing gone
    r = poll(T0 + 3 * DAY, [tb(1, size=999), tb(2)], marks=[Mark("/b/LOCKED", "locked", None, None, T0)])
    assert (r.new, r.changed, r.gone) == (1, 1, 2)
    poll(T0 + 4 * DAY, [], ok=False)
    assert count_tarballs(store) == 4 and count_tarballs(store, gone=True) == 2
    hist = store.item_histories(["ZZ"])[("ZZ", "SDU")]
    assert set(hist) == {"svn/dybsvn"}
    assert (hist["svn/dybsvn"].count, hist["svn/dybsvn"].newest.stamp) == (2, T0 + 2 * DAY)
    assert store.locks(["ZZ"]) == {("ZZ", "SDU"): [("/b/LOCKED", float(T0))]}
    polls = store.latest_polls(["ZZ"])
    assert polls[("ZZ", "SDU")].ok is False and store.last_ok_poll("ZZ", "SDU") == T0 + 3 * DAY
    down = store.fingerprints(["ZZ"])[("ZZ", "SDU")]  # what publish tells the charts
    assert (down.down_since, down.last_listed) == (T0 + 4 * DAY, T0 + 3 * DAY)
    store.read_manifests({("ZZ", "SDU"): hist}, [("ZZ", "SDU", "svn/dybsvn")])
    assert hist["svn/dybsvn"].manifest == [[T0 + DAY, 999], [T0 + 2 * DAY, 1000]]
    config = validate({"nodes": {"SDU": {}}, "hubs": {"ZZ": {"srvnode": "z", "nodes": ["SDU"]}}}, "t")
    p = polls[("ZZ", "SDU")]
    report = evaluate(
        config,
        ["ZZ"],
        History({("ZZ", "SDU"): Poll(p.ok, p.at, p.reason, T0)}, {("ZZ", "SDU"): hist}),
        T0 + 5 * DAY,
    )
    assert to_json(report)["hubs"][0]["nodes"][0]["reachable"] is False


def test_the_alembic_migration_gives_postgresql_the_tables_of_tables_py(url, postgres):
    engine = create_engine(url)
    with engine.begin() as conn:
        schema.migrate(conn)
    direct = create_engine(postgres.fresh_database(f"direct{next(_names)}"))
    metadata.create_all(direct)
    got, want = inspect(engine), inspect(direct)
    assert set(got.get_table_names()) - {"alembic_version"} == set(metadata.tables)
    for name in metadata.tables:
        assert [c["name"] for c in got.get_columns(name)] == [c["name"] for c in want.get_columns(name)]
        assert [str(c["type"]) for c in got.get_columns(name)] == [
            str(c["type"]) for c in want.get_columns(name)
        ]
        assert (
            got.get_pk_constraint(name)["constrained_columns"]
            == want.get_pk_constraint(name)["constrained_columns"]
        )


def test_collect_and_check_run_end_to_end_on_a_postgresql_store(url, tmp_path: Path):
    world = make_world(tmp_path / "world", None, days=20)
    text = world.config.read_text()
    config = tmp_path / "pg.toml"
    config.write_text(
        text.replace(next(line for line in text.splitlines() if line.startswith("url = ")), f'url = "{url}"')
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    import os

    env = {**os.environ, **env}
    now = world.now.isoformat()
    r = tarwatch("--config", str(config), "--now", now, "collect", env=env)
    assert r.code == 1 and "KEK" in r.out  # the demo's node that never answers
    r = tarwatch("--config", str(config), "--now", now, "check", "--format", "json", env=env)
    doc = json.loads(r.out)
    nodes = {n["node"]: n for n in doc["hubs"][0]["nodes"]}
    assert nodes["SDU"]["reachable"] is True and nodes["KEK"]["reachable"] is False
    stale = {i["item"]: i["status"] for i in nodes["SDU"]["items"]}
    assert stale["tracs/dybaux"] == "alarm"
    again = tarwatch("--config", str(config), "--now", now, "collect", env=env)
    assert "(no change)" in again.out


def test_drills_are_kept_and_read_on_postgresql_as_on_sqlite(url) -> None:
    from unit.store.test_drills import drills_hold_until_their_tarball_changes

    drills_hold_until_their_tarball_changes(Store.open(url), url)


def test_recent_sizes_are_kept_and_read_on_postgresql_as_on_sqlite(url) -> None:
    from unit.store.test_recent_sizes import recent_sizes_equal_what_the_tarballs_say

    recent_sizes_equal_what_the_tarballs_say(Store.open(url), url)


def test_a_first_ingest_by_copy_stores_what_the_general_diff_stores_on_postgresql(url) -> None:
    from unit.store.test_listed import first_ingest_equals_the_general_diff

    first_ingest_equals_the_general_diff(Store.open(url))

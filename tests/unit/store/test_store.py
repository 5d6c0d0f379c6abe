"""The Store: one transaction per poll, nothing rewritten that did not change, gone never deleted,
and a schema that Alembic creates exactly as tables.py describes it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from support.store_reads import count_tarballs, current_tarballs, engine_of
from tarwatch.errors import StoreError
from tarwatch.records import Ingested, Snapshot, Tarball
from tarwatch.store import Store, schema
from tarwatch.store.tables import metadata, polls, tarballs

HUB, NODE = "ZZ", "SDU"
ROOT = "/backup/dayabay"
C2_ROOT = "/backup/cms02"
T0 = 1_700_000_000.0
DAY = 86400.0
VERSIONS = Path(schema.__file__).parent / "migrations" / "versions"


def tarball(day: int, item: str = "svn/dybsvn", size: int = 1000, root: str = ROOT, **kw: object) -> Tarball:
    """A tarball of `item` made on night `day` (0 is T0), at the usual place under `root`."""
    name = item.split("/")[1]
    stamp = int(T0 + day * DAY)
    path = f"{root}/{item}/night{day:04d}/{name}-{day}.tar.gz"
    fields: dict = {"mtime": float(stamp + 60), "revision": day, "digest": None, "dna_size": None} | kw
    return Tarball(path, item, stamp, size, **fields)


def snap(*tbs: Tarball, complete: bool = True) -> Snapshot:
    return Snapshot(root=ROOT, complete=complete, tarballs=list(tbs))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'tarwatch.db'}")


def poll(
    store: Store, at: float, s: Snapshot | None, *, node: str = NODE, hub: str = HUB, ok: bool = True
) -> Ingested:
    run = store.begin_run(at, "collect", [hub])
    reason = None if ok else "connection refused by SDU"
    result = store.record_poll(run, hub, node, at, ok=ok, reason=reason, duration=0.5, snap=s)
    store.finish_run(run)
    return result


def rows(store: Store) -> dict[str, dict]:
    """Every tarball row, by path."""
    with engine_of(store).connect() as conn:
        return {r.path: dict(r._mapping) for r in conn.execute(select(tarballs))}


# -- ingesting polls ------------------------------------------------------------------------


def test_a_first_poll_inserts_every_tarball(store: Store) -> None:
    listed = [tarball(0), tarball(1), tarball(0, "tracs/dybsvn")]
    result = poll(store, T0, snap(*listed))
    assert result == Ingested(new=3, changed=0, gone=0, files=3)
    assert count_tarballs(store) == 3
    stored = rows(store)
    assert set(stored) == {t.path for t in listed}
    for t in listed:
        r = stored[t.path]
        assert (r["hub"], r["node"], r["item"], r["stamp"], r["size"]) == (HUB, NODE, t.item, t.stamp, t.size)
        assert (r["first_seen"], r["last_seen"], r["gone"]) == (T0, T0, None)


def test_a_second_identical_poll_writes_no_tarball_row_its_poll_row_says_they_were_seen(store: Store) -> None:
    listed = [tarball(0), tarball(1, digest="ab" * 16, dna_size=1000)]
    first = poll(store, T0, snap(*listed))
    before = rows(store)
    result = poll(store, T0 + 3600, snap(*listed))
    assert result == Ingested(new=0, changed=0, gone=0, files=2)
    assert rows(store) == before  # last_seen too: an unchanged night touches no tarball row
    with engine_of(store).connect() as conn:
        digests = conn.execute(select(polls.c.at, polls.c.listing_digest).order_by(polls.c.id)).all()
    assert digests == [(T0, first.digest), (T0 + 3600, first.digest)]


def test_a_tarball_missing_from_a_complete_listing_is_marked_gone_and_kept(store: Store) -> None:
    old, new = tarball(0), tarball(1)
    poll(store, T0, snap(old, new))
    result = poll(store, T0 + DAY, snap(new))
    assert result == Ingested(new=0, changed=0, gone=1, files=1)
    assert count_tarballs(store) == 2
    assert count_tarballs(store, gone=True) == 1
    r = rows(store)
    assert r[old.path]["gone"] == T0 + DAY
    assert r[old.path]["last_seen"] == T0
    assert r[new.path]["gone"] is None


def test_a_tarball_gone_once_is_not_marked_gone_again(store: Store) -> None:
    old, new = tarball(0), tarball(1)
    poll(store, T0, snap(old, new))
    poll(store, T0 + DAY, snap(new))
    assert poll(store, T0 + 2 * DAY, snap(new)).gone == 0
    assert rows(store)[old.path]["gone"] == T0 + DAY


def test_a_tarball_missing_from_an_incomplete_listing_is_not_marked_gone(store: Store) -> None:
    old, new = tarball(0), tarball(1)
    poll(store, T0, snap(old, new))
    result = poll(store, T0 + DAY, snap(new, complete=False))
    assert result.gone == 0
    assert count_tarballs(store, gone=True) == 0
    assert rows(store)[old.path]["gone"] is None


def test_an_incomplete_listing_does_not_move_last_seen_of_tarballs_it_did_not_list(store: Store) -> None:
    old, new = tarball(0), tarball(1)
    poll(store, T0, snap(old, new))
    poll(store, T0 + DAY, snap(new, complete=False))
    r = rows(store)
    assert r[new.path]["last_seen"] == T0 + DAY
    assert r[old.path]["last_seen"] == T0


def test_a_gone_tarball_that_reappears_is_no_longer_gone(store: Store) -> None:
    old, new = tarball(0), tarball(1)
    poll(store, T0, snap(old, new))
    poll(store, T0 + DAY, snap(new))
    result = poll(store, T0 + 2 * DAY, snap(old, new))
    assert result == Ingested(new=0, changed=1, gone=0, files=2)
    assert count_tarballs(store) == 2
    r = rows(store)
    assert r[old.path]["gone"] is None
    assert r[old.path]["last_seen"] == T0 + 2 * DAY
    assert r[old.path]["first_seen"] == T0


def test_a_size_change_is_recorded_as_changed(store: Store) -> None:
    poll(store, T0, snap(tarball(0, size=1000)))
    result = poll(store, T0 + 60, snap(tarball(0, size=2000)))
    assert result == Ingested(new=0, changed=1, gone=0, files=1)
    assert count_tarballs(store) == 1
    assert rows(store)[tarball(0).path]["size"] == 2000


def test_a_dna_digest_change_is_recorded_as_changed(store: Store) -> None:
    poll(store, T0, snap(tarball(0, digest="a" * 32, dna_size=1000)))
    result = poll(store, T0 + 60, snap(tarball(0, digest="b" * 32, dna_size=1000)))
    assert result == Ingested(new=0, changed=1, gone=0, files=1)
    assert rows(store)[tarball(0).path]["digest"] == "b" * 32


def test_a_dna_sidecar_that_appears_is_recorded_as_changed(store: Store) -> None:
    poll(store, T0, snap(tarball(0)))
    result = poll(store, T0 + 60, snap(tarball(0, digest="a" * 32, dna_size=1000)))
    assert result.changed == 1
    r = rows(store)[tarball(0).path]
    assert (r["digest"], r["dna_size"]) == ("a" * 32, 1000)


def test_a_failed_poll_records_its_reason_and_touches_no_tarball(store: Store) -> None:
    poll(store, T0, snap(tarball(0), tarball(1)))
    before = rows(store)
    result = poll(store, T0 + DAY, None, ok=False)
    assert result == Ingested()
    assert rows(store) == before
    p = store.latest_polls([HUB])[(HUB, NODE)]
    assert (p.ok, p.at, p.reason) == (False, T0 + DAY, "connection refused by SDU")
    assert (p.files, p.complete) == (0, False)


def test_a_successful_poll_records_what_it_listed(store: Store) -> None:
    s = snap(tarball(0), tarball(1))
    s.malformed, s.unfit, s.notes = 2, 3, ["'x': not a tarball"]
    poll(store, T0, s)
    p = store.latest_polls([HUB])[(HUB, NODE)]
    assert (p.ok, p.reason, p.files, p.complete, p.malformed, p.unfit) == (True, None, 2, True, 2, 3)
    with engine_of(store).connect() as conn:
        assert conn.execute(select(polls.c.root, polls.c.notes)).one() == (ROOT, "'x': not a tarball")


def test_polls_of_one_node_leave_the_tarballs_of_other_nodes_and_hubs_alone(store: Store) -> None:
    poll(store, T0, snap(tarball(0)), node="IHEP")
    poll(store, T0, snap(tarball(0, root=C2_ROOT)), hub="C2")
    poll(store, T0, snap(tarball(0)))
    assert poll(store, T0 + DAY, snap()).gone == 1
    assert count_tarballs(store, gone=False) == 2


# -- reading --------------------------------------------------------------------------------


def test_latest_polls_gives_the_newest_poll_of_each_hub_and_node(store: Store) -> None:
    poll(store, T0, snap(tarball(0)))
    poll(store, T0 + DAY, None, ok=False)
    poll(store, T0, snap(tarball(0)), node="IHEP")
    poll(store, T0 + DAY, snap(tarball(0)), node="IHEP")
    poll(store, T0 + DAY, snap(tarball(0, root=C2_ROOT)), hub="C2")
    latest = store.latest_polls([HUB])
    assert set(latest) == {(HUB, NODE), (HUB, "IHEP")}
    assert (latest[(HUB, NODE)].at, latest[(HUB, NODE)].ok) == (T0 + DAY, False)
    assert (latest[(HUB, "IHEP")].at, latest[(HUB, "IHEP")].ok) == (T0 + DAY, True)
    assert set(store.latest_polls([HUB, "C2"])) == {(HUB, NODE), (HUB, "IHEP"), ("C2", NODE)}
    assert store.latest_polls(["nope"]) == {}


def test_last_ok_poll_gives_the_last_successful_listing(store: Store) -> None:
    assert store.last_ok_poll(HUB, NODE) is None
    poll(store, T0, snap(tarball(0)))
    poll(store, T0 + DAY, snap(tarball(0)))
    poll(store, T0 + 2 * DAY, None, ok=False)
    poll(store, T0 + 3 * DAY, None, ok=False)
    assert store.last_ok_poll(HUB, NODE) == T0 + DAY
    assert store.last_ok_poll(HUB, "IHEP") is None


def test_a_node_never_listed_successfully_has_no_last_ok_poll(store: Store) -> None:
    poll(store, T0, None, ok=False)
    assert store.last_ok_poll(HUB, NODE) is None


def test_current_tarballs_are_the_ones_not_gone_in_hub_node_item_stamp_order(store: Store) -> None:
    poll(store, T0, snap(tarball(2), tarball(0, "tracs/dybsvn"), tarball(1), tarball(0)))
    poll(store, T0, snap(tarball(5)), node="IHEP")
    poll(store, T0, snap(tarball(3, root=C2_ROOT)), hub="C2")
    poll(store, T0 + DAY, snap(tarball(2), tarball(1), tarball(0, "tracs/dybsvn")))  # night 0 gone
    got = list(current_tarballs(store, [HUB]))
    keys = [(r[0], r[1], r[2], r[3]) for r in got]
    assert keys == [
        (HUB, "IHEP", "svn/dybsvn", int(T0 + 5 * DAY)),
        (HUB, NODE, "svn/dybsvn", int(T0 + 1 * DAY)),
        (HUB, NODE, "svn/dybsvn", int(T0 + 2 * DAY)),
        (HUB, NODE, "tracs/dybsvn", int(T0)),
    ]
    t = tarball(1)
    assert tuple(got[1]) == (HUB, NODE, t.item, t.stamp, t.size, t.path, t.revision, None, None)
    assert [r[0] for r in current_tarballs(store, [HUB, "C2"])] == ["C2", HUB, HUB, HUB, HUB]


# -- opening --------------------------------------------------------------------------------


def test_opening_a_store_twice_creates_the_schema_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tarwatch.db'}"
    first = Store.open(url)
    poll(first, T0, snap(tarball(0)))
    second = Store.open(url)
    assert count_tarballs(second) == 1
    with engine_of(second).connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [schema.HEAD]


def test_an_up_to_date_store_is_opened_without_running_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'tarwatch.db'}"
    Store.open(url)
    from alembic import command

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("alembic ran on an up-to-date store")

    monkeypatch.setattr(command, "upgrade", boom)
    Store.open(url)


def test_a_store_in_a_folder_that_does_not_exist_yet_creates_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "tarwatch.db"
    store = Store.open(f"sqlite:///{path}")
    assert path.is_file()
    assert count_tarballs(store) == 0


def test_a_store_file_that_is_not_a_database_is_a_store_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "tarwatch.db"
    path.write_text("this is a note, not a database\n" * 100)
    with pytest.raises(StoreError) as e:
        Store.open(f"sqlite:///{path}")
    message = str(e.value)
    assert str(path) in message
    assert "not a database" in message
    assert "Traceback" not in message and "\n" not in message


def test_a_store_url_that_is_not_a_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        Store.open("no scheme here")


# -- the schema and its migrations ----------------------------------------------------------


def _revisions() -> dict[str, str | None]:
    """Every migration file's revision → down_revision, read from the files themselves."""
    out: dict[str, str | None] = {}
    for f in sorted(VERSIONS.glob("*.py")):
        values = {}
        for node in ast.parse(f.read_text()).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    values[target.id] = ast.literal_eval(node.value)
        assert "revision" in values, f"{f.name} has no revision"
        out[values["revision"]] = values.get("down_revision")
    return out


def test_schema_head_is_the_newest_migration() -> None:
    revisions = _revisions()
    assert revisions, f"no migrations in {VERSIONS}"
    downs = set(revisions.values())
    heads = [r for r in revisions if r not in downs]
    assert len(heads) == 1, f"migrations should form one line, heads: {heads}"
    assert heads[0] == schema.HEAD
    # and the chain runs from the head back to a single first revision
    seen, r = [], heads[0]
    while r is not None:
        seen.append(r)
        r = revisions[r]
    assert sorted(seen) == sorted(revisions)


def test_a_new_store_is_created_directly_and_stamped_with_the_newest_revision(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'new.db'}")
    with engine_of(store).connect() as conn:
        assert schema.current_revision(conn) == schema.HEAD
    assert set(inspect(engine_of(store)).get_table_names()) == {*metadata.tables, "alembic_version"}


def test_the_migrations_create_exactly_the_tables_of_tables_py(tmp_path: Path) -> None:
    migrated = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    with migrated.begin() as conn:
        schema.migrate(conn)
    direct = create_engine(f"sqlite:///{tmp_path / 'direct.db'}")
    metadata.create_all(direct)
    got, want = inspect(migrated), inspect(direct)
    assert set(got.get_table_names()) - {"alembic_version"} == set(metadata.tables)
    assert set(want.get_table_names()) == set(metadata.tables)
    for name, table in metadata.tables.items():
        cols = {c["name"]: c for c in got.get_columns(name)}
        assert list(cols) == [c.name for c in table.columns], name
        wanted = {c["name"]: c for c in want.get_columns(name)}
        for c in table.columns:
            g, w = cols[c.name], wanted[c.name]
            assert str(g["type"]) == str(w["type"]), f"{name}.{c.name} type"
            assert g["nullable"] == w["nullable"] == c.nullable, f"{name}.{c.name} nullable"
            assert g["primary_key"] == w["primary_key"], f"{name}.{c.name} primary key"
        assert got.get_pk_constraint(name)["constrained_columns"] == [c.name for c in table.primary_key]
        assert _uniques(got, name) == _uniques(want, name), f"{name} unique constraints"
        assert _indexes(got, name) == _indexes(want, name), f"{name} indexes"
        assert _fks(got, name) == _fks(want, name), f"{name} foreign keys"


def _uniques(insp, table: str) -> set:
    return {(u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(table)}


def _indexes(insp, table: str) -> set:
    return {(i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)}


def _fks(insp, table: str) -> set:
    return {
        (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
        for f in insp.get_foreign_keys(table)
    }


# -- the unchanged-listing shortcut ---------------------------------------------------------


def test_an_unchanged_listing_is_recognised_by_its_digest_and_writes_no_tarball_row(store: Store) -> None:
    listing = snap(tarball(0), tarball(1), tarball(1, "tracs/dybsvn"))
    first = poll(store, T0, listing)
    assert first.digest is not None
    before = rows(store)
    again = poll(store, T0 + DAY, snap(tarball(0), tarball(1), tarball(1, "tracs/dybsvn")))
    assert (again.new, again.changed, again.gone, again.files, again.digest) == (0, 0, 0, 3, first.digest)
    assert rows(store) == before
    # The next listing that changes: what it no longer lists was last seen by the unchanged one.
    poll(store, T0 + 2 * DAY, snap(tarball(1), tarball(1, "tracs/dybsvn")))
    after = rows(store)
    assert (after[tarball(0).path]["gone"], after[tarball(0).path]["last_seen"]) == (T0 + 2 * DAY, T0 + DAY)
    assert {after[t.path]["last_seen"] for t in (tarball(1), tarball(1, "tracs/dybsvn"))} == {T0 + 2 * DAY}


def test_an_incomplete_listing_after_an_unchanged_one_keeps_what_that_one_saw(store: Store) -> None:
    poll(store, T0, snap(tarball(0), tarball(1)))
    poll(store, T0 + DAY, snap(tarball(0), tarball(1)))  # unchanged: no tarball row written
    poll(store, T0 + 2 * DAY, snap(tarball(1), complete=False))
    r = rows(store)
    assert (r[tarball(0).path]["last_seen"], r[tarball(0).path]["gone"]) == (T0 + DAY, None)
    assert r[tarball(1).path]["last_seen"] == T0 + 2 * DAY


def test_a_failed_poll_between_two_identical_listings_keeps_the_shortcut_right(store: Store) -> None:
    poll(store, T0, snap(tarball(0), tarball(1)))
    poll(store, T0 + DAY, None, ok=False)
    again = poll(store, T0 + 2 * DAY, snap(tarball(0), tarball(1)))
    assert (again.new, again.changed, again.gone) == (0, 0, 0)
    assert {r["last_seen"] for r in rows(store).values()} == {T0}
    poll(store, T0 + 3 * DAY, snap(tarball(1)))  # a failed poll saw nothing: the last ok one did
    assert rows(store)[tarball(0).path]["last_seen"] == T0 + 2 * DAY


def test_after_an_incomplete_listing_an_identical_complete_one_is_diffed_in_full(store: Store) -> None:
    poll(store, T0, snap(tarball(0), tarball(1)))
    poll(store, T0 + DAY, snap(tarball(1), complete=False))  # digest unknown: nothing marked gone
    result = poll(store, T0 + 2 * DAY, snap(tarball(1)))
    assert result.gone == 1  # the full diff ran and saw night 0 missing
    assert [r["gone"] for r in rows(store).values() if r["stamp"] == int(T0)] == [T0 + 2 * DAY]


def test_a_changed_size_changes_the_digest(store: Store) -> None:
    a = poll(store, T0, snap(tarball(0, size=1000)))
    b = poll(store, T0 + DAY, snap(tarball(0, size=999)))
    assert a.digest != b.digest and b.changed == 1


def test_two_hubs_listing_the_same_folder_of_one_node_keep_their_own_rows(store: Store) -> None:
    """Two hubs whose roots on a node overlap list the same paths: each hub keeps its own rows,
    and neither's poll changes, marks gone or refuses the other's."""
    listed = [tarball(0), tarball(1)]
    assert poll(store, T0, snap(*listed), hub="ZZ") == Ingested(new=2, changed=0, gone=0, files=2)
    assert poll(store, T0, snap(*listed), hub="YY") == Ingested(new=2, changed=0, gone=0, files=2)
    assert count_tarballs(store) == 4
    # YY's next listing misses night 0 and has night 1 larger: only YY's rows change
    later = poll(store, T0 + DAY, snap(tarball(1, size=2000)), hub="YY")
    assert later == Ingested(new=0, changed=1, gone=1, files=1)
    with engine_of(store).connect() as conn:
        got = {
            (r.hub, r.path): (r.size, r.gone)
            for r in conn.execute(select(tarballs.c.hub, tarballs.c.path, tarballs.c.size, tarballs.c.gone))
        }
    zz = {p: v for (h, p), v in got.items() if h == "ZZ"}
    yy = {p: v for (h, p), v in got.items() if h == "YY"}
    assert zz == {listed[0].path: (1000, None), listed[1].path: (1000, None)}
    assert yy == {listed[0].path: (1000, T0 + DAY), listed[1].path: (2000, None)}

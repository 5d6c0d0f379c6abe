"""Series from the store: every tarball ever seen (gone ones stay), counts per day, the compact
document and its decoding, and the fingerprints that tell which nodes changed."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from bench.world import Shape, snapshot_for
from hypothesis import given, settings
from hypothesis import strategies as st

from support.series_decode import decode_item
from tarwatch.publish.changes import State
from tarwatch.publish.jsdata import registering, to_js, to_json
from tarwatch.publish.series import (
    DAY,
    ItemSeries,
    NodeFacts,
    Point,
    default_file,
    item_series,
    node_document,
    per_day,
)
from tarwatch.records import Disk, Snapshot, Tarball
from tarwatch.store import Store

T0 = 1_700_000_000 - 1_700_000_000 % DAY  # a midnight UTC


def tb(item: str, day: int, size: int, rev: int | None = None, hour: int = 3) -> Tarball:
    name = item.split("/")[1]
    fname = f"{name}-{rev}.tar.gz" if rev is not None else f"{name}.tar.gz"
    stamp = T0 + day * DAY + hour * 3600
    return Tarball(f"/b/{item}/{day}/{fname}", item, stamp, size, float(stamp), rev)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 's.db'}")


def poll(store: Store, node: str, at: float, tarballs: list[Tarball]) -> None:
    run = store.begin_run(at, "test", ["H"])
    snap = Snapshot(root="/b", complete=True, tarballs=tarballs)
    store.record_poll(run, "H", node, at, ok=True, reason=None, duration=0.1, snap=snap)


def test_gone_tarballs_stay_in_the_series_marked_gone(store: Store) -> None:
    first = [tb("svn/a", d, 100 + d, rev=10 + d) for d in range(4)]
    poll(store, "N", T0 + 5 * DAY, first)
    poll(store, "N", T0 + 6 * DAY, first[2:])  # the two oldest were purged
    (s,) = item_series(store.series_rows("H", "N"))
    assert [p.size for p in s.points] == [100, 101, 102, 103]
    assert [p.gone for p in s.points] == [True, True, False, False]


def test_the_series_keeps_only_selected_items_when_a_selection_is_given(store: Store) -> None:
    poll(store, "N", T0 + DAY, [tb("svn/a", 0, 1), tb("tracs/a", 0, 2)])
    assert [s.item for s in item_series(store.series_rows("H", "N"), ["tracs/a"])] == ["tracs/a"]
    assert [s.item for s in item_series(store.series_rows("H", "N"))] == ["svn/a", "tracs/a"]


def test_counts_per_day_cover_every_day_from_the_first_stamp_with_zeros_for_missed_nights() -> None:
    a = ItemSeries.of(
        "svn/a", [Point(T0 + 3600, 1, None, "a.tar.gz", False), Point(T0 + 3 * DAY, 1, None, "a", True)]
    )
    b = ItemSeries.of("svn/b", [Point(T0 + 7200, 1, None, "b.tar.gz", False)])
    assert per_day([a, b]) == (T0, [2, 0, 0, 1])
    assert per_day([]) == (0, [])


def test_a_series_holds_its_points_as_columns_and_gives_them_back() -> None:
    pts = [Point(T0, 5, 7, "a-7.tar.gz", True), Point(T0 + DAY, 6, None, "odd.tgz", False)]
    s = ItemSeries.of("svn/a", pts)
    assert (s.stamps, s.sizes, s.revisions, s.files, s.gone) == (
        [T0, T0 + DAY], [5, 6], [7, None], ["a-7.tar.gz", "odd.tgz"], [True, False],
    )  # fmt: skip
    assert s.points == pts


def test_the_document_decodes_back_to_the_same_points() -> None:
    pts = [
        Point(T0 + 100, 5_000_000_000, 3538, "env-3538.tar.gz", True),
        Point(T0 + DAY + 100, 5_000_100_000, 3541, "env-3541.tar.gz", False),
        Point(T0 + 2 * DAY + 100, 4_000_000_000, 3541, "env-3541-2.tar.gz", False),  # second that day
    ]
    doc = node_document("H", "N", [ItemSeries.of("repos/env", pts)], updated=T0 + 3 * DAY)
    item = doc["items"][0]
    assert item["files"] == {"2": "env-3541-2.tar.gz"}  # only names the layout does not give
    assert item["gone"] == [[0, 1]]
    assert decode_item(item, doc["t0"]) == pts
    assert doc["days"] == [1, 1, 1]
    assert json.loads(to_json(doc)) == doc


def test_items_without_revisions_name_their_files_from_the_item() -> None:
    assert default_file("tracs/env", None) == "env.tar.gz"
    assert default_file("svn/dybsvn", 21500) == "dybsvn-21500.tar.gz"
    pts = [Point(T0, 1, None, "env.tar.gz", False)]
    item = node_document("H", "N", [ItemSeries.of("tracs/env", pts)], None)["items"][0]
    assert "rev" not in item and "files" not in item and "gone" not in item


def test_a_year_of_50_items_is_at_most_100_kb_gzipped() -> None:
    shape = Shape(nodes=1, items=50, days=365)
    by_item: dict[str, list[Point]] = {}
    for t in snapshot_for(shape, 0).tarballs:
        by_item.setdefault(t.item, []).append(
            Point(t.stamp, t.size, t.revision, t.path.rsplit("/", 1)[1], False)
        )
    series = [ItemSeries.of(item, pts) for item, pts in sorted(by_item.items())]
    doc = node_document("H", "N0000", series, None)
    size = len(gzip.compress(to_json(doc).encode()))
    assert size <= 100_000, size


def test_script_data_cannot_end_a_script_element_or_a_line() -> None:
    data = {"item": "</script><script>alert(1)</script>\u2028\u2029&"}
    js = to_js("H/N", data)
    assert "<" not in js and ">" not in js and "\u2028" not in js and "\u2029" not in js
    head = 'window.TARWATCH=window.TARWATCH||{};window.TARWATCH["H/N"]=JSON.parse('
    assert js.startswith(head) and js.endswith(");\n")
    assert json.loads(json.loads(js[len(head) : -3])) == data  # a JS string of the JSON text
    assert registering("H/N", to_json(data)) == js  # the same script from JSON already encoded


@settings(max_examples=120, deadline=None)
@given(
    st.recursive(st.text() | st.integers() | st.none(), lambda c: st.lists(c) | st.dictionaries(st.text(), c))
)
def test_the_script_holds_the_json_text_as_the_encoder_would_write_it(data: object) -> None:
    text = to_json(data)
    js = registering("k", text)
    assert js == f'window.TARWATCH=window.TARWATCH||{{}};window.TARWATCH["k"]=JSON.parse({to_json(text)});\n'


def test_a_fingerprint_changes_when_a_poll_changes_the_node_and_only_then(store: Store) -> None:
    tars = [tb("svn/a", d, 100) for d in range(3)]
    poll(store, "N", T0 + 3 * DAY, tars)
    poll(store, "M", T0 + 3 * DAY, tars)
    before = store.fingerprints(["H"])
    poll(store, "N", T0 + 4 * DAY, tars)  # nothing new
    poll(store, "M", T0 + 4 * DAY, tars)
    assert store.fingerprints(["H"]) == before
    poll(store, "N", T0 + 5 * DAY, [*tars, tb("svn/a", 4, 100)])
    after = store.fingerprints(["H"])
    assert after[("H", "N")].key != before[("H", "N")].key
    assert after[("H", "N")].changed_at == T0 + 5 * DAY
    assert after[("H", "M")] == before[("H", "M")]


def test_the_state_file_reads_back_what_was_written_and_tolerates_garbage(tmp_path: Path) -> None:
    State("p", {"H/N": "x"}).write(tmp_path)
    assert State.read(tmp_path) == State("p", {"H/N": "x"})
    (tmp_path / "data" / ".published.json").write_text("{not json")
    assert State.read(tmp_path) == State()


def test_a_fingerprint_changes_when_a_node_goes_down_not_while_it_stays_down(store: Store) -> None:
    tars = [tb("svn/a", d, 100) for d in range(3)]
    poll(store, "N", T0 + 3 * DAY, tars)
    up = store.fingerprints(["H"])[("H", "N")]
    assert (up.down_since, up.last_listed) == (None, None)
    for day in (4, 5, 6):
        run = store.begin_run(T0 + day * DAY, "test", ["H"])
        store.record_poll(run, "H", "N", T0 + day * DAY, ok=False, reason="refused", duration=0.1, snap=None)
        if day == 4:
            down = store.fingerprints(["H"])[("H", "N")]
            assert (down.down_since, down.last_listed) == (T0 + 4 * DAY, T0 + 3 * DAY)
            assert down.key != up.key
    assert store.fingerprints(["H"])[("H", "N")] == down  # still down: nothing to rewrite
    poll(store, "N", T0 + 7 * DAY, tars)
    back = store.fingerprints(["H"])[("H", "N")]
    assert back.down_since is None and back.key != down.key


def test_the_document_carries_the_nodes_facts() -> None:
    pts = [Point(T0, 1, None, "a.tar.gz", False)]
    series = [ItemSeries.of("svn/a", pts), ItemSeries.of("svn/b", pts)]
    facts = NodeFacts("Asia/Shanghai", (100, 200), {"svn/b": (10, 20)}, down_since=T0 + 5, last_listed=T0)
    doc = node_document("H", "N", series, None, facts=facts)
    assert (doc["tz"], doc["stale"], doc["down"]) == (
        "Asia/Shanghai", {"warn": 100, "alarm": 200}, {"since": T0 + 5, "last_listed": T0},
    )  # fmt: skip
    assert "stale" not in doc["items"][0] and doc["items"][1]["stale"] == {"warn": 10, "alarm": 20}
    plain = node_document("H", "N", series, None)
    assert (plain["tz"], plain["down"]) == ("UTC", None)


def disk_poll(store: Store, at: float, used: int, total: int = 1000 * 2**30) -> None:
    run = store.begin_run(at, "test", ["H"])
    disk = Disk("/dev/sdb1", "/b", total, used, total - used)
    snap = Snapshot(root="/b", complete=True, tarballs=[tb("svn/a", 0, 100)], disk=disk)
    store.record_poll(run, "H", "N", at, ok=True, reason=None, duration=0.1, snap=snap)


def test_the_disk_history_is_a_days_first_df_and_only_what_a_chart_can_show(store: Store) -> None:
    g = 2**30
    disk_poll(store, T0 + 3600, 100 * g)
    before = store.fingerprints(["H"])[("H", "N")].key
    disk_poll(store, T0 + 7200, 300 * g)  # the same day: not its first
    disk_poll(store, T0 + DAY + 3600, 100 * g + 2**20)  # moved by less than 1/1000 of the total
    assert store.disk_days("H", "N") == [(T0 + 3600, 100 * g, 1000 * g)]
    assert store.fingerprints(["H"])[("H", "N")].key == before  # nothing to rewrite
    disk_poll(store, T0 + 2 * DAY + 3600, 110 * g)
    assert store.disk_days("H", "N") == [
        (T0 + 3600, 100 * g, 1000 * g),
        (T0 + 2 * DAY + 3600, 110 * g, 1000 * g),
    ]
    assert store.fingerprints(["H"])[("H", "N")].key != before
    doc = node_document("H", "N", [], None, disk=store.disk_days("H", "N"))
    assert doc["disk"] == [[T0 + 3600, 100 * g, 1000 * g], [T0 + 2 * DAY + 3600, 110 * g, 1000 * g]]

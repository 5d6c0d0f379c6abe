"""What a node's document states beside its series, from the configuration and the polls: the
hub's time zone, the stale thresholds as the checks take them (an item's own included), and an
unreachable node's "down since" and "last listed", which a night that changes nothing leaves as
they were (no node file is rewritten; its nodes are past their first week of disk figures, in
which each new night's df moves the disk image's days of history, as the browser's chart says
them, and so rewrites the node's files)."""

from __future__ import annotations

import json
from pathlib import Path

from support.world import Collected, collected_world
from tarwatch.publish.site import publish

DAY = 86400


def node_json(site: Path, node: str) -> dict:
    return json.loads((site / f"data/ZZ/{node}.json").read_text())


def past_first_week(world: Collected) -> None:
    """Give each node of the world with disk figures eight earlier days of the same df (the
    world's df is this machine's, and its first collect is its first day): past their first
    week, the disk images' "has N days of history", which moves nightly until a forecast is
    made, is no longer said, and a disk that did not move is "not filling"."""
    from tarwatch.records import Disk, Snapshot
    from tarwatch.store.disks import record_disk

    history = world.store.disks.history(["ZZ"], 0)
    with world.store._engine.begin() as conn:  # seeding the store's disk table, as a poll does
        for (hub, node), (p, *_) in history.items():
            disk = Disk("seeded", p.mount or p.root, p.total, p.used, p.free)
            for k in range(1, 9):
                record_disk(conn, hub, node, p.at - k * DAY, Snapshot(p.root, False, [], disk=disk))


def test_node_documents_carry_the_time_zone_thresholds_and_reachability(tmp_path: Path) -> None:
    world = collected_world(tmp_path / "world", days=10)
    past_first_week(world)
    site = tmp_path / "site"
    publish(world.config, world.report(), world.store, site)
    sdu, kek = node_json(site, "SDU"), node_json(site, "KEK")
    assert sdu["tz"] == world.config.thresholds("ZZ").timezone == "Asia/Shanghai"
    assert sdu["stale"] == {"warn": 26 * 3600, "alarm": 50 * 3600} and sdu["down"] is None
    own = {i["item"]: i.get("stale") for i in sdu["items"]}
    assert own.pop("folders/svnsetup") == {"warn": 3 * DAY, "alarm": 8 * DAY}  # its own, from the config
    assert set(own.values()) == {None}
    assert kek["down"] == {"since": int(world.now), "last_listed": None} and kek["items"] == []

    # A night later nothing changed: KEK is still down since the first night, and no node file
    # is rewritten.
    before = {p: p.stat().st_ino for p in (site / "data/ZZ").iterdir()}
    world.now += DAY
    world.collect()
    s = publish(world.config, world.report(), world.store, site)
    assert s.nodes_changed == [] and s.nodes_unchanged == 5
    assert {p: p.stat().st_ino for p in (site / "data/ZZ").iterdir()} == before
    assert node_json(site, "KEK")["down"]["since"] == int(world.now - DAY)

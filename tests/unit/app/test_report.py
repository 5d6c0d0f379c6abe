"""The report of some hubs taken out of the report of all of them is the report of those hubs."""

from __future__ import annotations

from pathlib import Path

from support.world import collected_world
from tarwatch.app.report import build_report, of_hubs
from tarwatch.formats.document import to_json


def test_the_report_of_one_hub_out_of_all_is_that_hubs_own_report(tmp_path: Path) -> None:
    world = collected_world(tmp_path / "world")
    everything = world.report()
    for hubs in (["ZZ"], list(world.config.hubs)):
        alone = build_report(world.config, hubs, world.store, world.now)
        assert to_json(of_hubs(everything, hubs)) == to_json(alone)

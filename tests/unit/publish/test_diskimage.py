"""The disk image: a PNG per node of used space a day, the total and the forecast to the fill
date, titled as the browser's disk chart is; the same bytes for the same data, written only
when they change; one image, naming no node, for every node without disk figures."""

from __future__ import annotations

from pathlib import Path

from tarwatch.checks import capacity
from tarwatch.publish import diskimage, paths
from tarwatch.records import DiskForecast

DAY = 86400
T0 = 1_700_006_400
TIB = 2**40


def doc(node: str = "SDU", days: int = 21, growth: int = 2**35) -> dict:
    rows = [[T0 + d * DAY, TIB + d * growth, 2 * TIB] for d in range(days)]
    return {"hub": "ZZ", "node": node, "tz": "UTC", "disk": rows}


def fc(**kw) -> DiskForecast:
    base = dict(mount="/backup", total=2 * TIB, used=TIB, free=TIB, at=T0, history=20.0)
    return DiskForecast(**{**base, **kw})


def test_the_title_counts_the_days_from_the_reports_now_as_the_check_does() -> None:
    """The title's days are the check's (capacity.fill_days of the forecast's days from now),
    however old the newest day drawn: a newest df two and a half days before now (an
    unreachable node) still says the days from now. The facts stay while that count does."""
    now = T0 + 20 * DAY + 3600
    rows = doc()["disk"]  # its newest day: T0 + 20 days
    facts = diskimage.state(fc(growth=2**35, days=12.46), now)
    assert facts == ("fills", (now + 12.4 * DAY) // DAY * DAY, 12)
    assert diskimage.state(fc(growth=2**35, days=12.04), now + 0.4 * DAY) == facts  # the same
    assert diskimage.title(facts, rows) == "fills in 12 days"
    for days, behind in ((12.96, 0.0), (9.5, 2.5 * DAY), (1.99, 1.2 * DAY), (0.95, 3 * DAY)):
        later = now + behind  # the report's now, `behind` after the newest day drawn
        said = capacity.check("SDU", fc(growth=2**35, days=days), 30, 7)
        assert said is not None
        words = said.message.split(" fills in ")[1].split(" (")[0]
        assert (
            diskimage.title(diskimage.state(fc(growth=2**35, days=days), later), rows) == f"fills in {words}"
        )
        assert words == {12.96: "12 days", 9.5: "9 days", 1.99: "1 day", 0.95: "less than a day"}[days]


def test_facts_that_stay_while_the_disk_does() -> None:
    now = T0 + 20 * DAY + 3600
    rows = doc()["disk"]
    short = diskimage.state(fc(history=2.5), now)
    assert short == ("short", None, None) == diskimage.state(fc(history=3.5), now + DAY)
    assert diskimage.title(short, rows[:3]) == "no forecast yet (needs 7 days of history, has 2)"
    assert diskimage.title(diskimage.state(fc(growth=-(2**30)), now), rows) == "not filling"
    assert diskimage.title(diskimage.state(None, now), rows).startswith("no disk figures yet")


def test_the_fill_day_is_the_hubs_day_as_the_browsers_chart_names_it() -> None:
    """Full at 04:48 UTC on 1 January 2027 (from the days to a tenth): that is 31 December in
    Los Angeles, where the day starts at 08:00 UTC; the label says that day, an arrow when the
    forecast drawn does not reach it."""
    now = 1_795_608_000  # 2026-11-25 12:00 UTC
    la = diskimage.state(fc(growth=2**35, days=36.74), now, "America/Los_Angeles")
    assert la == ("fills", 1_798_704_000, 36)  # 2026-12-31 00:00 in Los Angeles
    assert diskimage.full_text(la[1], False, "America/Los_Angeles") == "full on 2026-12-31 \u2192"
    utc = diskimage.state(fc(growth=2**35, days=36.74), now)
    assert (
        utc == ("fills", 1_798_761_600, 36)
        and diskimage.full_text(utc[1], True, "UTC") == "full on 2027-01-01"
    )
    assert diskimage.full_text(None, False, "UTC") == "full"


def test_a_disk_image_is_a_png_and_the_same_data_gives_the_same_bytes() -> None:
    facts = ("fills", T0 + 32 * DAY, 12)
    png = diskimage.render(doc(), facts)
    assert png.startswith(b"\x89PNG")
    diskimage.render(doc("IHEP", 3), ("short", None, None))
    assert diskimage.render(doc(), facts) == png  # whatever was drawn before
    assert diskimage.render(doc(), ("fills", T0 + 31 * DAY, 11)) != png


def test_nodes_without_disk_figures_share_one_image_naming_none() -> None:
    empty = {"hub": "ZZ", "node": "A", "disk": []}
    assert diskimage.render(empty, None) == diskimage.render({**empty, "node": "B"}, None)
    assert diskimage.render(empty, None) != diskimage.render(doc(), None)


def test_it_is_written_only_when_its_bytes_change(tmp_path: Path) -> None:
    facts = ("fills", T0 + 32 * DAY, 12)
    assert diskimage.write(tmp_path, "ZZ", "SDU", doc(), facts)
    path = tmp_path / diskimage.image_path("ZZ", "SDU")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert not diskimage.write(tmp_path, "ZZ", "SDU", doc(), facts)
    assert diskimage.write(tmp_path, "ZZ", "SDU", doc(days=22), facts)


def test_its_path_is_no_other_nodes_file() -> None:
    mine = {diskimage.image_path("ZZ", n) for n in ("disk", "disk.png", "SDU")}
    theirs = {paths.node_image("ZZ", n, e) for n in ("disk", "disk.png", "SDU") for e in ("png", "svg")}
    assert len(mine) == 3 and not mine & theirs
    assert diskimage.image_path("ZZ", "SDU").endswith("/disk/SDU.png")


def test_the_hub_page_shows_each_nodes_disk_image_without_javascript(tmp_path: Path) -> None:
    """Published: the no-JavaScript hub page has each node's disk image below its chart, the
    file is there, and a night later with the disk as it was it is not written again."""
    import json
    import re

    from support.world import collected_world
    from tarwatch.publish.site import publish

    world = collected_world(tmp_path / "world", days=8)
    site = tmp_path / "site"
    publish(world.config, world.report(), world.store, site)
    page = (site / paths.hub_page("ZZ")).read_text()
    srcs = re.findall(r'class="tw-disk-chart" data-tw-disk[^>]*><img src="([^"]+)" alt="disk of ZZ/', page)
    assert len(srcs) == len(set(srcs)) >= 2, page
    image = site / diskimage.image_path("ZZ", "SDU")
    assert image.read_bytes().startswith(b"\x89PNG")
    folder = (site / paths.hub_page("ZZ")).parent
    assert image.resolve() in {(folder / src).resolve() for src in srcs}
    inode, rows = image.stat().st_ino, json.loads((site / "data/ZZ/SDU.json").read_text())["disk"]
    world.now += DAY
    world.collect()
    publish(world.config, world.report(), world.store, site)
    # The world's nodes are local: their df is this machine's, which others may fill meanwhile
    # (a new point a day once used moves by a thousandth of the total): rewritten only then.
    moved = json.loads((site / "data/ZZ/SDU.json").read_text())["disk"] != rows
    assert (image.stat().st_ino != inode) == moved

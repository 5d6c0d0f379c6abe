"""The disk image: a PNG per node of used space a day, the total and the forecast to the fill
date, titled as the browser's disk chart is; its lines where the node chart's axes put them
(times in the hub's zone, sizes in binary units), the forecast capped a month ahead with an
arrow; the same bytes for the same data, written only when they change; one image, naming no
node, for every node without disk figures; and a publish that draws disk images imports no
matplotlib."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from tarwatch.checks import capacity
from tarwatch.publish import diskimage, paths, timeaxis
from tarwatch.publish.drawing import Drawing, Line, Mark, Text
from tarwatch.publish.images import MUTED, WARN_COLOR
from tarwatch.publish.timeaxis import zone
from tarwatch.records import Disk, DiskForecast, Snapshot, Tarball
from tarwatch.store import Store

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
    """A forecast not yet made says the forecast's whole days of history (status.json's
    history_days, to two decimals, floored, as the browser's chart says them), not the days
    drawn: those leave out days where the disk barely moved. They move only in a node's first
    week, while it has too little history."""
    now = T0 + 20 * DAY + 3600
    rows = doc()["disk"]
    short = diskimage.state(fc(history=2.5), now)
    assert short == ("short", None, 2) == diskimage.state(fc(history=2.99), now + DAY)
    assert diskimage.state(fc(history=3.5), now + DAY) == ("short", None, 3)
    assert diskimage.state(fc(history=4.999), now)[2] == 5  # 5.0 in status.json: "has 5" there
    assert diskimage.title(short, rows[:3]) == "no forecast yet (needs 7 days of history, has 2)"
    # one day drawn (the disk barely moved since), five days of history: it says five
    assert diskimage.title(diskimage.state(fc(history=5.2), now), rows[:1]).endswith("has 5)")
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


def _texts(drawing: Drawing) -> dict[str, Text]:
    return {s.text: s for s in drawing.shapes if isinstance(s, Text)}


def _time_axis(drawing: Drawing, tz: str) -> Callable[[float], float]:
    """Given a disk image's drawing and its zone, return where its time axis puts a moment
    (px), read from the tick labels drawn below the plot and the zone's round moments."""
    drawn = sorted((s.x, s.text) for s in drawing.shapes if isinstance(s, Text) and 280 < s.y < 295)
    labels = [label for _, label in drawn]
    for unit, n, _ in timeaxis.STEPS:  # the step whose round moments have these labels in a row
        every = [
            (t, timeaxis._label(unit, d))
            for t, d in timeaxis._moments(unit, n, T0 - 9 * DAY, T0 + 90 * DAY, zone(tz))
        ]
        at = [i for i in range(len(every)) if [lb for _, lb in every[i : i + len(labels)]] == labels]
        if at:
            break
    assert len(at) == 1, (labels, at)
    (x1, _), (x2, _) = drawn[0], drawn[-1]
    t1, t2 = every[at[0]][0], every[at[0] + len(labels) - 1][0]
    return lambda t: x1 + (t - t1) * (x2 - x1) / (t2 - t1)


def test_the_forecast_runs_dashed_from_the_newest_day_to_the_fill_day_on_the_time_axis() -> None:
    """Used space a dot a day; the forecast dashed in the warning colour from the newest day's
    used space to the total at the fill day, marked there and labelled "full on <day>" (the
    hub's day); days where the hub's time axis puts them, sizes in binary units."""
    fill = T0 + 32 * DAY
    drawing = diskimage.layout({**doc(), "tz": "Asia/Shanghai"}, ("fills", fill, 12))
    x = _time_axis(drawing, "Asia/Shanghai")
    dots = [s for s in drawing.shapes if isinstance(s, Mark) and s.color != WARN_COLOR]
    assert len(dots) == 21 and all(s.kind == "dot" for s in dots)
    assert all(math.isclose(d.x, x(T0 + k * DAY), abs_tol=0.5) for k, d in enumerate(dots))
    dashed = [s for s in drawing.shapes if isinstance(s, Line) and s.dash]
    assert len(dashed) == 1 and dashed[0].color == WARN_COLOR
    (x0, y0), (x1, y1) = dashed[0].points
    assert (x0, y0) == (dots[-1].x, dots[-1].y)  # from the newest day's used space
    assert math.isclose(x1, x(fill), abs_tol=0.5)
    total = next(s for s in drawing.shapes if isinstance(s, Line) and s.color == MUTED and len(s.points) > 2)
    assert total.points[-1] == (x1, y1)  # it reaches the total's level there
    mark = next(s for s in drawing.shapes if isinstance(s, Mark) and s.color == WARN_COLOR)
    assert (mark.x, mark.y) == (x1, y1)
    texts = _texts(drawing)
    full = texts["full on 2023-12-17"]  # T0 + 32 days, 00:00 UTC: 08:00 that day in Shanghai
    assert full.anchor == "end" and full.x < x1 and full.y < y1 and full.color == WARN_COLOR
    said = {"0 B", "1 TiB", "2 TiB", "time (Asia/Shanghai)", "ZZ / SDU: disk", "fills in 12 days", "used"}
    assert said <= set(texts)


def test_a_fill_day_past_a_month_ahead_stops_at_the_plots_edge_with_an_arrow() -> None:
    """Full in 80 days, with 20 days of history: the forecast is drawn a month past the newest
    day, below the total (not reached: no mark), and the total's label says the day with "→",
    at the plot's right edge."""
    drawing = diskimage.layout(doc(), ("fills", T0 + 100 * DAY, 80))
    x = _time_axis(drawing, "UTC")
    (_, y0), (x1, y1) = next(s for s in drawing.shapes if isinstance(s, Line) and s.dash).points
    assert math.isclose(x1, x(T0 + 20 * DAY + 31 * DAY), abs_tol=0.5)
    total_y = next(s for s in drawing.shapes if isinstance(s, Line) and s.color == MUTED).points[-1][1]
    assert y0 > y1 > total_y  # rising, and still below the total
    assert not any(isinstance(s, Mark) and s.color == WARN_COLOR for s in drawing.shapes)
    label = _texts(drawing)["full on 2024-02-23 \u2192"]
    assert label.anchor == "end" and diskimage.LEFT < label.x < x1 < diskimage.RIGHT


def test_a_disk_not_filling_or_too_new_has_no_forecast_and_its_total_says_full() -> None:
    for facts, words in ((("flat", None, None), "not filling"), (("short", None, 2), "has 2")):
        drawing = diskimage.layout(doc(days=3), facts)
        assert not any(isinstance(s, Line) and s.dash for s in drawing.shapes)
        texts = _texts(drawing)
        assert "full" in texts and any(words in t for t in texts), texts


def test_the_png_has_the_images_size_and_its_lines_pixels() -> None:
    drawing = diskimage.layout(doc(), ("fills", T0 + 32 * DAY, 12))
    image = Image.open(io.BytesIO(diskimage.render(doc(), ("fills", T0 + 32 * DAY, 12))))
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (900, 320))
    (x0, y0), (x1, y1) = next(s for s in drawing.shapes if isinstance(s, Line) and s.dash).points
    # the forecast's dashes: along it, some pixels are the warning colour's (brown-orange)
    along = [
        image.getpixel((round(x0 + (x1 - x0) * k / 40), round(y0 + (y1 - y0) * k / 40))) for k in range(40)
    ]
    warn = tuple(int(WARN_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    assert sum(all(abs(a - b) < 60 for a, b in zip(p, warn, strict=True)) for p in along) >= 10, along
    dots = [s for s in drawing.shapes if isinstance(s, Mark)]
    assert max(image.getpixel((round(dots[5].x), round(dots[5].y)))) < 100  # the used line, dark
    assert image.getpixel((3, 3)) == (255, 255, 255)


def test_nodes_without_disk_figures_share_one_image_naming_none() -> None:
    empty = {"hub": "ZZ", "node": "A", "disk": []}
    assert diskimage.render(empty, None) == diskimage.render({**empty, "node": "B"}, None)
    assert diskimage.render(empty, None) != diskimage.render(doc(), None)
    pixels = Image.open(io.BytesIO(diskimage.render(empty, None))).convert("L")
    assert pixels.size == (900, 320) and pixels.getextrema()[0] < 160, "the sentence is drawn"
    assert pixels.crop((0, 0, 900, 120)).getextrema() == (255, 255), "no title, no axes"


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
    """Published: the no-JavaScript hub page has each node's disk image below its chart, and
    the file is there."""
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


def _poll(store: Store, node: str, at: float, used_gib: int) -> None:
    """Record a poll of ZZ/node at `at`: its night's new tarballs, df at 2,000 GiB total."""
    stamp = int(at - 7200)
    tb = [
        Tarball(f"/backup/dayabay/svn/x/{stamp}/x-{d}.tar.gz", "svn/x", stamp, 1000, stamp, d)
        for d in range(2)
    ]
    disk = Disk("/dev/sdb1", "/backup", 2000 << 30, used_gib << 30, (2000 - used_gib) << 30)
    run = store.begin_run(at, "collect", ["ZZ"])
    store.record_poll(
        run,
        "ZZ",
        node,
        at,
        ok=True,
        reason=None,
        duration=0.1,
        snap=Snapshot("/backup/dayabay", True, tb, disk=disk),
    )
    store.finish_run(run)


def test_a_night_later_with_the_disk_as_it_was_the_image_is_written_again_only_in_a_first_week(
    tmp_path: Path,
) -> None:
    """OLD has ten nights of df and its disk does not move: a night later, with new tarballs
    (its chart drawn again) and the same df, its disk image is not written again. NEW has two
    nights: its image says the forecast's days of history, "has 1" then "has 2" as the
    browser's chart does, so in its first week a new night's df draws it again."""
    from tarwatch.app.report import build_report
    from tarwatch.config import load_toml
    from tarwatch.publish.site import publish
    from tarwatch.store import Store

    db, cfg = tmp_path / "tw.db", tmp_path / "tw.toml"
    cfg.write_text(
        f'[store]\nurl = "sqlite:///{db}"\n\n[hubs.ZZ]\nsrvnode = "dayabay"\nnodes = ["OLD", "NEW"]\n'
        "\n[nodes.OLD]\n[nodes.NEW]\n"
    )
    config, store, now = load_toml(cfg), Store.open(f"sqlite:///{db}"), T0 + 30 * DAY
    for node, nights in (("OLD", 10), ("NEW", 2)):
        for n in range(nights):
            _poll(store, node, now - (nights - 1 - n) * DAY, 1200)
    site = tmp_path / "site"

    def published(at: float) -> dict[str, tuple[int, str]]:
        report = build_report(config, ["ZZ"], store, at)
        publish(config, report, store, site)
        facts = diskimage.facts_of(report)
        return {
            node: (
                (site / diskimage.image_path("ZZ", node)).stat().st_ino,
                diskimage.title(facts[("ZZ", node)], [[0]]),
            )
            for node in ("OLD", "NEW")
        }

    before = published(now + 3600)
    assert before["OLD"][1] == "not filling" and before["NEW"][1].endswith("has 1)")
    chart = (site / paths.node_image("ZZ", "OLD", "png")).stat().st_ino
    for node in ("OLD", "NEW"):
        _poll(store, node, now + DAY, 1200)
    after = published(now + DAY + 3600)
    store.close()
    assert (site / paths.node_image("ZZ", "OLD", "png")).stat().st_ino != chart  # OLD was drawn again
    assert after["OLD"] == before["OLD"]  # but not its disk image: the same file
    assert after["NEW"][1].endswith("has 2)") and after["NEW"][0] != before["NEW"][0]


PROBE = """
import json, sys
from tarwatch.cli import cli

try:
    cli(sys.argv[1:], prog_name="tarwatch")
except SystemExit as e:
    code = e.code
else:
    code = 0
loaded = {m.split(".")[0] for m in sys.modules} & {"matplotlib", "PIL"}
print(json.dumps({"code": code, "loaded": sorted(loaded)}))
"""


def test_a_publish_drawing_disk_images_imports_no_matplotlib(tmp_path: Path) -> None:
    """In a fresh interpreter, `tarwatch publish` of a world whose nodes have disk figures (one
    filling, one too new to forecast) draws both disk images, and matplotlib is never imported."""
    from unit.cli.test_capacity_output import NOW, make_world

    cfg, site = make_world(tmp_path), tmp_path / "site"
    argv = [sys.executable, "-c", PROBE, "--config", str(cfg), "--now", NOW, "publish", "--out", str(site)]
    found = json.loads(
        subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    )
    assert found == {"code": 0, "loaded": ["PIL"]}  # it drew, with Pillow only
    empty = diskimage.render({"disk": []}, None)
    for node in ("SDU", "IHEP"):
        png = (site / diskimage.image_path("ZZ", node)).read_bytes()
        assert png.startswith(b"\x89PNG") and png != empty, node


def test_the_images_text_is_the_dejavu_sans_tarwatch_ships_with_its_licence() -> None:
    """The PNGs' font is the package's own DejaVu Sans, whatever else is installed (matplotlib
    ships another version of it, the system perhaps none): the same drawing, the same bytes."""
    from PIL import ImageFont

    from tarwatch.publish import raster

    assert raster.FONT.is_file() and raster.FONT.is_relative_to(Path(raster.__file__).parent)
    assert ImageFont.truetype(str(raster.FONT), 13).getname() == ("DejaVu Sans", "Book")
    assert "Bitstream Vera" in (raster.FONT.parent / "LICENSE").read_text()

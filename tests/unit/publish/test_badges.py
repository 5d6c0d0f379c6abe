"""Status badges: well-formed SVG whatever the names (escaped, control characters and bytes
that were not UTF-8 shown escaped), a box wide enough for its text, the status's colour, word
and icon, one file per hub and per node (one to one, inside img/badge/), and rewritten only
when the status they show changes."""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib import ft2font
from matplotlib.font_manager import FontProperties, findfont

from support.tree import tarball
from support.world import collected_world
from tarwatch.config import load_toml
from tarwatch.config.toml import to_toml
from tarwatch.human import COLORS, ICONS
from tarwatch.publish import badges, paths
from tarwatch.publish.site import publish

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "a & b \"dq\" 'sq'",
    "with spaces",
    "..",
    "../etc",
    "a/b",
    "é\udcff\udc80",  # bytes that were not UTF-8, as surrogateescape reads them
    "\x1b[31mred\x07",
    "x" * 300,
    "日本語",
    "\ufffe",
    "X.svg",
    "X",
    "badge",
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def test_every_status_has_its_word_icon_colour_and_an_accessible_name() -> None:
    for status in ("ok", "warn", "alarm", "unknown"):
        root = parse(badges.hub_badge("ZZ", status))
        assert root.get("role") == "img"
        assert root.get("aria-label") == f"backups of hub ZZ: {ICONS[status]} {status}"
        assert root.findtext(f"{SVG}title") == root.get("aria-label")
        texts = [t.text for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]
        assert texts == ["backups", f"{ICONS[status]} {status}"]
        fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
        assert fills[1:3] == [badges.LABEL_COLOR, COLORS[status][0]]


def test_hostile_names_make_well_formed_svg_shown_escaped() -> None:
    for name in HOSTILE:
        svg = badges.node_badge(name, name, "alarm")
        svg.encode("utf-8")  # no lone surrogate left
        root = parse(svg)
        label = next(t.text for t in root.iter(f"{SVG}text"))
        assert label is not None and label.startswith("backups on ")
        assert "\x1b" not in svg and "\x07" not in svg and "\ufffe" not in svg
        assert len(label) <= badges.LABEL_MAX
    title = parse(badges.node_badge("H", "é\udcff\x1b<b>", "ok")).findtext(f"{SVG}title")
    assert title == "backups of hub H on node é\\xff\\x1b<b>: ✔ ok"
    assert "&lt;b&gt;" in badges.node_badge("H", "<b>", "ok")


def dejavu_width(text: str) -> float:
    font = ft2font.FT2Font(findfont(FontProperties(family="DejaVu Sans")))
    font.set_size(11, 72)  # 11 px
    font.set_text(text)
    return float(font.get_width_height()[0]) / 64


@pytest.mark.parametrize(
    "text", ["backups", "backups on SDU", "✖ alarm", "? unknown", "WWW mmm iii", "Z9:229"]
)
def test_the_estimated_width_is_the_rendered_one(text: str) -> None:
    assert badges.text_width(text) == pytest.approx(dejavu_width(text), rel=0.06, abs=2)


def test_each_text_fits_its_box() -> None:
    for label in ("backups on IHEP", "backups on " + "W" * 30, "backups on 日本語"):
        root = parse(badges.badge(label, "unknown", "t"))
        rects = list(root.iter(f"{SVG}rect"))
        label_box, value_box = float(rects[1].get("width", 0)), float(rects[2].get("width", 0))
        shown = [t for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]
        for text, box in zip(shown, (label_box, value_box), strict=True):
            width = float(text.get("textLength", 0))
            assert width == pytest.approx(badges.text_width(text.text or ""), abs=0.01)
            assert width + 2 * badges.PAD <= box < width + 2 * badges.PAD + 1
        assert float(root.get("width", 0)) == label_box + value_box


def test_badge_names_are_one_to_one_and_inside_the_badge_folder(tmp_path: Path) -> None:
    names = [paths.hub_badge(h) for h in HOSTILE]
    names += [paths.node_badge(h, n) for h in HOSTILE for n in HOSTILE]
    assert len(set(names)) == len(names)
    files = {n for n in names if n.count("/") == 2}
    folders = {n.rsplit("/", 1)[0] for n in names if n.count("/") == 3}
    assert files and folders and not files & folders  # no file is also a folder
    assert paths.node_badge("X.svg", "a") == "img/badge/X%2Esvg/a.svg"
    for n in names:
        assert paths.within(tmp_path, n).relative_to(tmp_path).parts[:2] == ("img", "badge")
    # a hub named "badge" keeps its chart images out of the badges' folder
    assert paths.node_image("badge", "N", "svg") == "img/%62adge/N.svg"


def test_a_badge_is_rewritten_only_when_its_status_changes(tmp_path: Path) -> None:
    world = collected_world(tmp_path / "world")
    raw = tomllib.loads(world.config_path.read_text())
    raw["hubs"]["ZZ"]["select"] = ["svn/dybsvn", "tracs/dybsvn"]  # not the stale and shrunk ones
    world.config_path.write_text(to_toml(raw, ["badges"]))
    world.config = load_toml(world.config_path)
    site = tmp_path / "site"
    report = world.report()
    before = {n.node: n.status.value for n in report.hubs[0].nodes}
    assert before["NTU"] == "alarm" and before["SDU"] == "ok"  # NTU: the transfer that never arrived
    first = publish(world.config, report, world.store, site)
    assert first.badges == 1 + len(before)
    stats = {p: p.stat() for p in (site / "img/badge").rglob("*.svg")}
    assert len(stats) == first.badges
    assert "✔ ok" in (site / "img/badge/ZZ/SDU.svg").read_text()
    assert "✖ alarm" in (site / "img/badge/ZZ/NTU.svg").read_text()

    def rewritten() -> set[str]:
        return {str(p.relative_to(site)) for p, st in stats.items() if p.stat().st_ino != st.st_ino}

    again = publish(world.config, world.report(world.now + 600), world.store, site)  # a night, no change
    assert again.badges == 0 and rewritten() == set()

    hub_root = world.node_root("hub")  # the transfer arrives on NTU: its status changes
    newest = max(hub_root.glob("svn/dybsvn/*/*/*/*/*.tar.gz"))
    tarball(world.node_root("NTU"), str(newest.relative_to(hub_root)), newest.stat().st_size)
    world.collect()
    after = {n.node: n.status.value for n in world.report().hubs[0].nodes}
    assert after == {**before, "NTU": "ok"}
    s = publish(world.config, world.report(), world.store, site)
    assert s.badges == 1 and rewritten() == {"img/badge/ZZ/NTU.svg"}
    assert "✔ ok" in (site / "img/badge/ZZ/NTU.svg").read_text()
    (site / "img/badge/ZZ/SDU.svg").unlink()
    assert publish(world.config, world.report(), world.store, site).badges == 1  # a missing one is written

    raw["hubs"]["ZZ"]["nodes"] = [n for n in raw["hubs"]["ZZ"]["nodes"] if n != "KEK"]  # KEK retired
    world.config_path.write_text(to_toml(raw, ["badges"]))
    world.config = load_toml(world.config_path)
    assert world.report().hubs[0].status.value == "warn"  # KEK was the hub's alarm
    assert publish(world.config, world.report(), world.store, site).badges == 1  # the hub's
    assert not (site / "img/badge/ZZ/KEK.svg").exists() and (site / "img/badge/ZZ/NTU.svg").is_file()
    assert "▲ warn" in (site / "img/badge/ZZ.svg").read_text()

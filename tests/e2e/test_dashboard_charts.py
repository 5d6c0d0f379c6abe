"""The node charts in Debian's Chromium (Playwright), on the demo world published once for the
module: sizes ticked at round binary values (the page's rules checked against images.py's), the
time axis in the browser's locale (German here) naming the hub's time zone, the log-scale and
relative toggles, the stale marks drawn, and unreachable nodes saying so, in the page and in the server
image (no 1970 axes), with scripts and without. Screenshots in artifacts/dashboard/."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from support.browser import CHROMIUM, chromium
from support.deps import need_executable
from support.world import NOW, Collected, collected_world
from tarwatch.config import load_toml
from tarwatch.config.toml import to_toml
from tarwatch.publish.images import binary_label, binary_ticks
from tarwatch.publish.site import publish

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "dashboard"
CLOCK = (NOW + timedelta(hours=3)).timestamp()  # the browser's clock: data 2 hours old
LABEL = re.compile(r"^\d+(\.\d{1,2})? (B|KiB|MiB|GiB|TiB)$")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo world collected, then collected an hour later with NTU unreachable (it has data,
    KEK never had any), and published."""
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    base = tmp_path_factory.mktemp("charts")
    world = collected_world(base / "world", days=40)
    raw = tomllib.loads(world.config_path.read_text())
    raw["nodes"]["NTU"] = {"host": "127.0.0.1", "port": 9, "timeout": "5s"}  # nothing listens
    world.config_path.write_text(to_toml(raw, ["NTU down"]))
    later = Collected(
        base / "world", world.config_path, load_toml(world.config_path), world.store, world.now + 3600
    )
    later.collect()
    out = base / "site"
    publish(later.config, later.report(), later.store, out)
    return out


@pytest.fixture(scope="module")
def browser(site: Path) -> Iterator[Any]:
    """Chromium, started once the site is published (Playwright's loop would refuse collect's)."""
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def page(browser: Any, site: Path) -> Iterator[Any]:
    """The hub page at 1400×900 in a German browser, its clock faked, scripts' errors recorded."""
    ctx = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="de-DE", timezone_id="America/New_York"
    )
    p = ctx.new_page()
    p.errors = []
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    p.add_init_script(f"Date.now = function () {{ return {CLOCK * 1000:.0f}; }};")
    p.goto((site / "hub" / "ZZ.html").as_uri())
    yield p
    ctx.close()


def box(page: Any, node: str) -> Any:
    """The chart box of a node of ZZ, scrolled into view and drawn."""
    b = page.locator(f'[data-tw-chart][data-key="ZZ/{node}"]').first
    b.scroll_into_view_if_needed()
    page.wait_for_function(
        'k => { const b = document.querySelector(`[data-tw-chart][data-key="${k}"]`);'
        " return b && b.dataset.drawn && (b.uplot || b.querySelector('.tw-down, .tw-empty')); }",
        arg=f"ZZ/{node}",
    )
    return b


def axes(page: Any, node: str) -> dict[str, Any]:
    """The drawn axes of a node's chart: their labels, splits and tick texts, the size scale."""
    return page.evaluate(
        """k => { const u = document.querySelector(`[data-tw-chart][data-key="${k}"]`).uplot;
          return {x: {label: u.axes[0].label, values: u.axes[0]._values},
                  y: {splits: u.axes[1]._splits, values: u.axes[1]._values},
                  distr: u.scales.bytes.distr, min: u.scales.bytes.min, max: u.scales.bytes.max}; }""",
        f"ZZ/{node}",
    )


def test_the_pages_tick_rules_are_the_images(page: Any) -> None:
    cases = [(0, 5 * 2**30), (0, 4.66 * 2**30), (0, 700), (2**30, 2**30 + 5 * 2**20), (0, 123 * 2**40)]
    got = page.evaluate(
        "cs => cs.map(c => { const t = tarwatch.binaryTicks(c[0], c[1]);"
        " return [t, t.map(tarwatch.binaryLabel)]; })",
        cases,
    )
    assert got == [
        [binary_ticks(lo, hi), [binary_label(t) for t in binary_ticks(lo, hi)]] for lo, hi in cases
    ]


def test_size_ticks_are_round_binary_values_and_the_time_axis_is_local_and_names_the_zone(page: Any) -> None:
    box(page, "SDU")
    a = axes(page, "SDU")
    splits, values = a["y"]["splits"], a["y"]["values"]
    step = splits[1] - splits[0]
    assert step & (step - 1) == 0 and all(s % step == 0 for s in splits), splits
    assert values == [binary_label(s) for s in splits] and all(LABEL.match(v) for v in values), values
    assert "4 GiB" in values and a["max"] % step == 0  # the top is a tick too
    assert a["x"]["label"] == "time (Asia/Shanghai)"
    xs = " ".join(a["x"]["values"])
    assert "Okt." in xs or "Nov." in xs, xs  # German months: the browser's locale
    assert not re.search(r"\d+/\d+", xs), xs  # no US month/day
    assert page.errors == []


def test_the_log_toggle_switches_the_size_scale_and_back(page: Any) -> None:
    b = box(page, "SDU")
    toggle = b.get_by_role("button", name="log scale")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    toggle = b.get_by_role("button", name="log scale")
    assert toggle.get_attribute("aria-pressed") == "true"
    a = axes(page, "SDU")
    assert a["distr"] == 3
    splits = a["y"]["splits"]
    assert len(splits) >= 3 and all(s & (s - 1) == 0 for s in splits), splits  # powers of two
    assert "1 MiB" in a["y"]["values"] or "2 MiB" in a["y"]["values"]  # folders/svnsetup, 1 MiB, is on it
    assert a["min"] <= 2**20 and a["max"] >= 4 * 2**30
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    b.screenshot(path=str(ARTIFACTS / "chart-log.png"))
    toggle.click()
    assert b.get_by_role("button", name="log scale").get_attribute("aria-pressed") == "false"
    assert axes(page, "SDU")["distr"] == 1


def test_relative_sizes_show_each_item_as_a_share_of_its_newest(page: Any) -> None:
    b = box(page, "SDU")
    b.get_by_role("button", name="relative").click()
    assert b.get_by_role("button", name="relative").get_attribute("aria-pressed") == "true"
    assert b.get_by_role("button", name="log scale").get_attribute("aria-pressed") == "false"
    a = axes(page, "SDU")
    assert a["distr"] == 1 and all(v.endswith(" %") for v in a["y"]["values"]) and "100 %" in a["y"]["values"]
    newest = page.evaluate(
        """() => { const u = document.querySelector('[data-tw-chart][data-key="ZZ/SDU"]').uplot;
          return u.series.slice(1, -1).map((s, k) => { const ys = u.data[k + 1].filter(v => v != null);
            return [s.label, ys[ys.length - 1], Math.max(...ys)]; }); }"""
    )
    assert {label: last for label, last, _ in newest} == dict.fromkeys(
        ["folders/svnsetup", "svn/dybaux", "svn/dybsvn", "tracs/dybaux", "tracs/dybsvn"], 1
    )
    assert max(top for _, _, top in newest) == pytest.approx(1 / 0.4, rel=0.01)  # svn/dybaux shrank to 40 %
    b.get_by_role("button", name="log scale").click()  # the other mode: one at a time
    assert b.get_by_role("button", name="relative").get_attribute("aria-pressed") == "false"
    assert axes(page, "SDU")["distr"] == 3
    b.get_by_role("button", name="log scale").click()
    assert axes(page, "SDU")["y"]["values"][-1].endswith("iB")


def test_the_stale_marks_are_drawn_where_each_item_would_be_stale(page: Any) -> None:
    b = box(page, "SDU")
    found = page.evaluate(
        """() => { const b = document.querySelector('[data-tw-chart][data-key="ZZ/SDU"]'), u = b.uplot;
          const rgb3 = d => Array.from(d.data.slice(0, 3));
          const px = (x, y) => rgb3(u.ctx.getImageData(Math.round(x), Math.round(y), 1, 1));
          const css = getComputedStyle(b), probe = document.createElement('canvas').getContext('2d');
          const rgb = c => { probe.fillStyle = c; probe.fillRect(0, 0, 1, 1);
                             return rgb3(probe.getImageData(0, 0, 1, 1)); };
          return u.twMarks.map(m => ({item: u.series[m.k + 1].label, t: m.t, warn: m.warn, alarm: m.alarm,
            atWarn: px(u.valToPos(m.warn, 'x', true), u.valToPos(m.size, 'bytes', true) - 2 * uPlot.pxRatio),
            warnColour: rgb(css.getPropertyValue('--tw-warn').trim())})); }"""
    )
    by_item = {m["item"]: m for m in found}
    assert len(by_item) == 5
    dyb = by_item["svn/dybsvn"]
    assert (dyb["warn"] - dyb["t"], dyb["alarm"] - dyb["t"]) == (26 * 3600, 50 * 3600)
    setup = by_item["folders/svnsetup"]
    assert (setup["warn"] - setup["t"], setup["alarm"] - setup["t"]) == (3 * 86400, 8 * 86400)  # its own
    for m in found:
        assert all(abs(a - w) <= 40 for a, w in zip(m["atWarn"], m["warnColour"], strict=True)), m
    key = b.locator(".tw-stale-key").text_content()
    assert "26 hours" in key and "50 hours" in key


def test_an_unreachable_node_says_so_with_and_without_its_last_data(page: Any, site: Path) -> None:
    kek = box(page, "KEK")
    assert kek.locator(".tw-down").text_content() == "unreachable since 2026-11-25 12:00 UTC, never listed"
    assert kek.locator("canvas").count() == 0
    ntu = box(page, "NTU")
    assert ntu.locator(".tw-down").text_content() == (
        "unreachable since 2026-11-25 13:00 UTC, last listed 2026-11-25 12:00 UTC"
    )
    assert ntu.locator("canvas").count() >= 1  # the last known data is still drawn
    assert box(page, "SDU").locator(".tw-down").count() == 0
    ntu.screenshot(path=str(ARTIFACTS / "chart-unreachable.png"))


def test_without_scripts_the_box_shows_the_server_image_which_says_so_without_1970(
    browser: Any, site: Path
) -> None:
    for node, words in (
        ("KEK", b"unreachable since 2026-11-25 12:00 UTC, never listed"),
        ("NTU", b"last listed"),
    ):
        svg = (site / "img" / "ZZ" / f"{node}.svg").read_bytes()
        assert words in svg and b"1970" not in svg
    assert b"time (Asia/Shanghai)" in (site / "img" / "ZZ" / "SDU.svg").read_bytes()
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    p = ctx.new_page()
    p.goto((site / "hub" / "ZZ.html").as_uri())
    img = p.locator('[data-tw-chart][data-key="ZZ/KEK"] img').first
    img.scroll_into_view_if_needed()
    p.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())
    assert img.get_attribute("src").endswith("img/ZZ/KEK.png")
    ctx.close()


def test_phone_and_dark_charts_fit_and_take_the_pages_colours(browser: Any, site: Path) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    p = ctx.new_page()
    p.add_init_script(f"Date.now = function () {{ return {CLOCK * 1000:.0f}; }};")
    p.goto((site / "hub" / "ZZ.html").as_uri())
    b = box(p, "SDU")
    got = p.evaluate(
        """() => { const b = document.querySelector('[data-tw-chart][data-key="ZZ/SDU"]'), u = b.uplot;
          return {stroke: u.axes[1].stroke(u, 1), fg: getComputedStyle(b).getPropertyValue('--tw-fg').trim(),
                  width: u.root.getBoundingClientRect().width,
                  page: document.documentElement.clientWidth}; }"""
    )
    assert got["stroke"] == got["fg"] and got["fg"]
    assert got["width"] <= got["page"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    b.screenshot(path=str(ARTIFACTS / "chart-phone-dark.png"))
    # Choosing the light theme redraws the chart in its colours.
    light = p.evaluate(
        """() => { tarwatch.theme.choose('light');
          const b = document.querySelector('[data-tw-chart][data-key="ZZ/SDU"]'), u = b.uplot;
          return [u.axes[1].stroke(u, 1), getComputedStyle(b).getPropertyValue('--tw-fg').trim()]; }"""
    )
    assert light[0] == light[1] != got["fg"]
    ctx.close()

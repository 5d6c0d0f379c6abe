"""The dashboard in a real browser: the demo world with a hostile item name, collected and
published by the real CLI, opened in Debian's Chromium (Playwright) from disk and as served by
`tarwatch serve`. Screenshots are kept in artifacts/dashboard/."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from support.browser import CHROMIUM, chromium
from support.cli import tarwatch
from support.deps import need_executable
from support.serve import served
from support.world import HOSTILE, HOSTILE_ITEM, NOW, make_test_world

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "dashboard"
FRESH = NOW + timedelta(hours=2)  # the browser's clock: data 2 hours old
OLD = NOW + timedelta(hours=30)  # past 26 hours: the monitor may have stopped


@dataclass
class Site:
    folder: Path
    url: str  # http://127.0.0.1:PORT/ of `tarwatch serve`
    env: dict[str, str] = field(default_factory=dict)

    def base(self, mode: str) -> str:
        return self.folder.as_uri() + "/" if mode == "disk" else self.url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The hostile demo world collected and published with the real CLI, and `tarwatch serve`
    serving it on a free port of 127.0.0.1 (stopped by its PID afterwards)."""
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    base = tmp_path_factory.mktemp("dashboard")
    home = base / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "NO_COLOR": "1"}
    config = make_test_world(base / "world", days=40, hostile=True)
    now = NOW.isoformat()
    collected = tarwatch("--config", str(config), "--now", now, "collect", env=env)
    assert collected.code == 1, collected.err  # KEK never answers
    out = base / "site"
    published = tarwatch("--config", str(config), "--now", now, "publish", "--out", str(out), env=env)
    assert published.code == 0, published.err
    assert "2 pages" in published.out
    with served(out, env) as url:
        yield Site(out, url, env)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    with chromium() as b:
        yield b


class Watched:
    """A page whose dialogs (alert, confirm) and script errors are recorded."""

    def __init__(self, browser: Any, clock: float):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.add_init_script(f"Date.now = function () {{ return {clock * 1000:.0f}; }};")

    def _dialog(self, d: Any) -> None:
        self.dialogs.append(d.message)
        d.dismiss()

    def open(self, url: str) -> Any:
        self.page.goto(url)
        return self.page

    def assert_harmless(self) -> None:
        assert self.dialogs == [], "a dialog opened"
        assert self.errors == []
        bad = self.page.evaluate("[...document.images].filter(i => i.getAttribute('src') === 'x').length")
        assert bad == 0, "an <img src=x> was inserted"

    def shot(self, name: str, full_page: bool = True) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = Watched(browser, FRESH.timestamp())
    yield w
    w.page.close()


@pytest.mark.parametrize("mode", ["disk", "served"])
def test_the_overview_fills_its_grid_and_shows_the_hostile_name_as_text(
    site: Site, watched: Watched, mode: str
) -> None:
    page = watched.open(site.base(mode) + "index.html")
    grid = page.locator(".tw-grid")
    grid.wait_for()
    rows = grid.locator(".tw-grow:not(.tw-ghead)")
    assert rows.count() == 5  # hub, SDU, IHEP, NTU, KEK
    heads = grid.locator(".tw-item-head").all_text_contents()
    assert HOSTILE_ITEM in heads
    assert page.locator(".tw-cell.tw-alarm").count() > 0
    assert "alarm" in grid.locator(".tw-cell.tw-alarm").first.text_content()
    assert "\u2716" in grid.locator(".tw-cell.tw-alarm").first.text_content()  # an icon as well as colour
    watched.shot(f"overview-{mode}")
    watched.assert_harmless()


@pytest.mark.parametrize("mode", ["disk", "served"])
def test_the_hub_page_fills_its_tables_draws_charts_and_filters(
    site: Site, watched: Watched, mode: str
) -> None:
    page = watched.open(site.base(mode) + "hub/ZZ.html")
    page.locator("#tw-status-table thead").wait_for(state="attached")  # drawn, not "Loading …"
    status = page.locator("#tw-status-table tbody tr")
    total = status.count()
    assert total == 6 * 5  # five items and the hostile one (missing on three) on five nodes
    assert page.locator("#tw-findings-table tbody tr").count() > 0
    assert page.get_by_text(HOSTILE_ITEM, exact=True).count() >= 2
    watched.shot(f"hub-{mode}", full_page=False)

    page.select_option("#tw-status-filter", "alarm")
    visible = page.locator("#tw-status-table tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    assert all("alarm" in t for t in visible.locator("td:nth-child(3)").all_text_contents())
    page.select_option("#tw-status-filter", "all")
    page.fill("#tw-filter", "NTU")
    assert {t.strip() for t in visible.locator("td:first-child").all_text_contents()} == {"NTU"}
    page.fill("#tw-filter", "onerror")
    assert visible.locator("td:nth-child(2)").all_text_contents() == [HOSTILE_ITEM] * 5
    page.fill("#tw-filter", "")

    page.locator("#tw-status-table th button", has_text="Node").click()
    nodes = [t.strip() for t in visible.locator("td:first-child").all_text_contents()]
    assert nodes == sorted(nodes)

    chart = page.locator("section#node-SDU .tw-chart")
    chart.scroll_into_view_if_needed()
    canvas = chart.locator("canvas")
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    legend = chart.locator(".u-legend").text_content()
    assert HOSTILE_ITEM in legend and "tarballs per day" in legend
    chart.get_by_role("button", name="1 week").click()
    watched.shot(f"hub-chart-{mode}", full_page=False)
    watched.assert_harmless()


def test_the_chart_tooltip_names_the_tarball_under_the_cursor(site: Site, watched: Watched) -> None:
    page = watched.open(site.url + "hub/ZZ.html")
    chart = page.locator("section#node-IHEP .tw-chart")
    chart.scroll_into_view_if_needed()
    over = chart.locator(".u-over")
    over.wait_for()
    # The newest svn/dybsvn point: the top of the chart's right end. Its place is read again
    # before each try, the chart scrolled into view again and the mouse brought there in a few
    # moves: on a loaded machine the page may still move (a late layout, the scroll) between
    # reading it and the mouse getting there.
    tip = chart.locator(".tw-tip")
    tries = []
    for _ in range(5):
        chart.scroll_into_view_if_needed()
        found = page.evaluate(
            """() => {
              const box = document.querySelector('section#node-IHEP .tw-chart');
              const u = box.uplot, k = u.series.findIndex(s => s.label === 'svn/dybsvn');
              const ys = u.data[k]; let i = ys.length - 1; while (ys[i] == null) i--;
              return {x: u.valToPos(u.data[0][i], 'x'), y: u.valToPos(ys[i], 'bytes')};
            }"""
        )
        ob = over.bounding_box()
        page.mouse.move(0, 0)
        page.mouse.move(ob["x"] + found["x"], ob["y"] + found["y"], steps=4)
        try:
            tip.wait_for(state="visible", timeout=3000)
            break
        except Exception as e:  # Playwright's TimeoutError: try again from a fresh reading
            if type(e).__name__ != "TimeoutError":
                raise
            cursor = page.evaluate(
                "() => { const u = document.querySelector('section#node-IHEP .tw-chart').uplot;"
                " return [u.cursor.left, u.cursor.top, innerWidth, innerHeight]; }"
            )
            tries.append({"point": found, "plot": ob, "cursor, viewport": cursor})
    assert tip.is_visible(), f"no tooltip after {len(tries)} tries: {tries}"
    text = tip.text_content()
    assert "svn/dybsvn" in text and "bytes" in text and "UTC" in text and "dybsvn-" in text
    watched.shot("chart-tooltip", full_page=False)


def test_the_banner_says_how_old_the_data_is_and_turns_red_when_the_monitor_stopped(
    site: Site, browser: Any
) -> None:
    for clock, old in ((FRESH, False), (OLD, True)):
        w = Watched(browser, clock.timestamp())
        page = w.open(site.url + "index.html")
        banner = page.locator("#tw-banner")
        banner.wait_for(state="visible")
        text = banner.text_content()
        assert ("30 hours" if old else "2 hours") in text
        assert ("may have stopped" in text) is old
        assert banner.get_attribute("data-old") == ("true" if old else "false")
        color = banner.evaluate("e => getComputedStyle(e).color")
        assert (color == "rgb(179, 38, 30)") is old  # --tw-alarm
        w.shot("banner-" + ("old" if old else "fresh"), full_page=False)
        w.page.close()


def test_tarwatch_serve_gives_the_right_content_types(site: Site) -> None:
    for path, kind in (
        ("index.html", "text/html"),
        ("static/format.js", "text/javascript"),
        ("static/main.js", "text/javascript"),
        ("data/status.json", "application/json"),
        ("data/ZZ/SDU.js", "text/javascript"),
        ("img/ZZ/SDU.svg", "image/svg+xml"),
        ("img/ZZ/SDU.png", "image/png"),
    ):
        with urllib.request.urlopen(site.url + path, timeout=5) as r:
            assert r.headers["Content-Type"].startswith(kind), path


def test_no_page_holds_the_hostile_name(site: Site) -> None:
    for page in site.folder.rglob("*.html"):
        assert HOSTILE not in page.read_text()

"""The dashboard's look in Debian's Chromium: every page (the overview, a hub page, a node's
and an item's view of the hostile demo world) at 1400×900 and 390×844, light and dark, passes
axe-core with no serious or critical violation, and nothing is wider than a phone's screen;
tags and table headers keep to one line; the header's theme choice switches the colours, is
remembered across a reload and is applied before the body exists; the system's dark theme and
the chosen one give the same colours. A screenshot of each page, width and theme is kept under
$TARWATCH_SHOTS (default artifacts/look/), printed by the test."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from support.browser import CHROMIUM, chromium
from support.cli import tarwatch
from support.deps import need_executable, need_module
from support.world import NOW, make_test_world
from tarwatch import human

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("TARWATCH_SHOTS") or Path(__file__).resolve().parents[2] / "artifacts" / "look")
CLOCK = (NOW + timedelta(hours=2)).timestamp()  # the browser's clock: data 2 hours old
PAGES = {  # name: (path and hash, a selector present once it is drawn)
    "overview": ("index.html", "#tw-overview .tw-cell"),
    "hub": ("hub/ZZ.html", "#tw-status-table td"),
    "node": ("index.html#hub/ZZ/node/SDU", "#tw-node-items td"),
    "item": ("index.html#hub/ZZ/item/svn%2Fdybaux", "#tw-history-table td"),
}
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
DARK_BG = "rgb(15, 23, 32)"  # --tw-bg of the dark theme
LIGHT_BG = "rgb(251, 252, 253)"

# Every element wider than the viewport or reaching past its right edge, in a box that scrolls
# sideways too (clipped ones excepted: a long name cut with an ellipsis is not scrolled to).
TOO_WIDE = """() => {
  const w = document.documentElement.clientWidth, bad = [];
  const clipped = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if (o === "hidden" || o === "clip") return true; }
    return false; };
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || clipped(e)) continue;
    if (r.right > w + 0.5 || r.width > w + 0.5)
      bad.push(e.tagName + "." + e.className + " " + Math.round(r.width));
  }
  return {scroll: document.documentElement.scrollWidth, client: w, bad: bad.slice(0, 10)};
}"""


# Every tag (SNOOZED, SOURCE), badge and table header that takes more than one line.
BROKEN = """() => [...document.querySelectorAll(".tw-tag, .tw-badge, .tw-table th")].filter(e => {
  const s = getComputedStyle(e), r = e.getBoundingClientRect(), px = v => parseFloat(v) || 0;
  const inner = r.height - px(s.paddingTop) - px(s.paddingBottom)
    - px(s.borderTopWidth) - px(s.borderBottomWidth);
  return r.height > 0 && (inner > px(s.fontSize) * 2.2 || e.getClientRects().length > 1);
}).map(e => e.textContent)"""


# Every status shown by colour (badges, the grid's cells) that does not also say it by word and
# by icon.
COLOUR_ONLY = """facts => [...document.querySelectorAll(".tw-badge, .tw-cell:not(.tw-none)")].filter(e => {
  const s = ["ok", "warn", "alarm", "unknown"].find(s => e.classList.contains("tw-" + s));
  return s && !(e.textContent.includes(s) && e.textContent.includes(facts.icons[s]));
}).map(e => e.outerHTML)"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile demo world collected and published by the real CLI; the site's folder."""
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    base = tmp_path_factory.mktemp("look")
    env = {**os.environ, "HOME": str(base), "XDG_DATA_HOME": str(base / "data"), "NO_COLOR": "1"}
    config = make_test_world(base / "world", days=12, hostile=True)
    at = ["--config", str(config), "--now", NOW.isoformat()]
    assert tarwatch(*at, "collect", env=env).code == 1  # KEK never answers
    for what, why in (("ZZ/NTU", "disk swap at NTU"), ("ZZ/SDU/tracs/dybaux", "moving Trac")):
        assert tarwatch(*at, "snooze", what, "2d", "--why", why, env=env).code == 0
    published = tarwatch(*at, "publish", "--out", str(base / "site"), env=env)
    assert published.code == 0, published.err
    return base / "site"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    with chromium() as b:
        yield b


def url(site: Path, path: str) -> str:
    """Given the site's folder and a page's path with its hash, return its file: URL."""
    page, _, view = path.partition("#")
    return (site / page).as_uri() + (f"#{view}" if view else "")


def open_page(browser: Any, url: str, ready: str, size: tuple[int, int], scheme: str) -> Any:
    """Given the browser, a page's URL, a selector present once it is drawn, a viewport and the
    system's colour scheme, return the drawn page (in a context of its own: its own storage)."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
    context.add_init_script(f"Date.now = function () {{ return {CLOCK * 1000:.0f}; }};")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.locator(ready).first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    assert errors == []
    return page


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_passes_axe_and_fits_the_screen(site: Path, browser: Any, name: str, size: str) -> None:
    need_module("axe_playwright_python", "scripts/bootstrap.sh test (the test extras)")
    from axe_playwright_python.sync_playwright import Axe

    path, ready = PAGES[name]
    page = open_page(browser, url(site, path), ready, SIZES[size], "light")
    try:
        # Every row of a grid laid out (not only those on screen), for the screenshot and the checks.
        page.add_style_tag(content=".tw-grow { content-visibility: visible !important; }")
        SHOTS.mkdir(parents=True, exist_ok=True)
        for scheme in ("light", "dark"):  # the system's, followed by the page
            page.emulate_media(color_scheme=scheme)
            bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert bg == (DARK_BG if scheme == "dark" else LIGHT_BG), scheme
            shot = SHOTS / f"{name}-{size}-{scheme}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
            results = Axe().run(page).response
            bad = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
                for v in results["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert bad == [], scheme
        assert page.locator(".tw-tag.tw-snoozed").count() > 0
        assert page.evaluate(BROKEN) == []
        assert page.locator(".tw-badge").count() > 0
        assert page.evaluate(COLOUR_ONLY, human.facts()) == []
        if size == "phone":
            wide = page.evaluate(TOO_WIDE)
            assert wide["scroll"] <= wide["client"], wide
            assert wide["bad"] == []
    finally:
        page.context.close()


def test_the_theme_choice_switches_is_remembered_and_comes_before_the_first_paint(
    site: Path, browser: Any
) -> None:
    path, ready = PAGES["overview"]
    page = open_page(browser, url(site, path), ready, SIZES["desktop"], "light")
    try:
        # The theme as it was when <body> was first inserted: before anything was painted.
        page.context.add_init_script(
            """new MutationObserver((_, o) => { if (document.body) { window.twThemeAtBody =
                 document.documentElement.getAttribute("data-tw-theme"); o.disconnect(); } })
               .observe(document, {childList: true, subtree: true});"""
        )
        choice = page.get_by_role("combobox", name="Theme")
        assert choice.is_visible() and choice.input_value() == "auto"
        for _ in range(12):  # the header's links, then the choice: reached by Tab
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "tw-theme":
                break
        assert page.evaluate("document.activeElement.id") == "tw-theme"
        page.keyboard.press("ArrowDown")  # by the keyboard: the next choice, light
        assert page.evaluate("document.documentElement.dataset.twTheme") == "light"
        choice.select_option("dark")
        body = "getComputedStyle(document.body).backgroundColor"
        assert page.evaluate(body) == DARK_BG
        page.reload()
        page.locator(ready).first.wait_for(state="attached")
        assert page.evaluate("window.twThemeAtBody") == "dark"
        assert page.evaluate(body) == DARK_BG
        assert page.get_by_role("combobox", name="Theme").input_value() == "dark"
        page.get_by_role("combobox", name="Theme").select_option("light")
        assert page.evaluate(body) == LIGHT_BG
        page.get_by_role("combobox", name="Theme").select_option("auto")
        assert page.evaluate("localStorage.getItem('tarwatch.theme')") == "auto"
    finally:
        page.context.close()


# The value of each of the given custom properties, as the page computes it.
COLOURS = """names => { const s = getComputedStyle(document.documentElement), out = {};
  for (const n of names) out[n] = s.getPropertyValue(n).trim(); return out; }"""


def css_variables() -> list[str]:
    """Return the name of every custom property tarwatch.css defines."""
    css = (resources.files("tarwatch.publish") / "static" / "tarwatch.css").read_text()
    return sorted(set(re.findall(r"(--tw-[a-z0-9-]+)\s*:", css)))


def test_the_systems_dark_and_the_chosen_dark_are_the_same_colours(site: Path, browser: Any) -> None:
    path, ready = PAGES["overview"]
    names = css_variables()
    seen = {}
    for scheme, choice in (("dark", "auto"), ("light", "dark"), ("light", "auto")):
        page = open_page(browser, url(site, path), ready, SIZES["desktop"], scheme)
        try:
            page.evaluate(f"tarwatch.theme.choose({choice!r})")
            seen[scheme, choice] = page.evaluate(COLOURS, names)
        finally:
            page.context.close()
    assert len(names) > 20 and seen["dark", "auto"]["--tw-ok-bg"] == human.COLORS_DARK["ok"][1]
    assert seen["dark", "auto"] == seen["light", "dark"]
    assert seen["light", "auto"]["--tw-bg"] != seen["light", "dark"]["--tw-bg"]

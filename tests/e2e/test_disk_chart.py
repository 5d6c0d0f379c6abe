"""The disk chart in Debian's Chromium (Playwright), on capacity's three-week world (SDU's disk
fills in about 12 days, IHEP has 3 days of history) published once for the module: the node's
view and its hub page's section draw used space, the total and a dashed forecast line up to the
fill date with "fills in N days"; a node with too short a history says "no forecast yet". The
total is labelled "full" (with the fill date where the forecast reaches it), "now" is marked,
and each day has a tooltip (date, used, free) that the mouse and the keyboard both show, in the
light and the dark theme. A second world, its newest df a day and a half before now and its
disk filling beyond the chart's month ahead: the chart's text, the disk image's title and the
check's words give the same days (counted from the report's now) in both worlds, and the capped
fill date is said at the plot's right edge ("full on … →"). Screenshots in artifacts/disk-chart/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.browser import CHROMIUM, chromium
from support.deps import need_executable
from tarwatch.app.report import build_report
from tarwatch.config.load import load_config
from tarwatch.publish import diskimage
from tarwatch.store import Store
from unit.cli.test_capacity_output import DAY, NOW, NOW_T, make_world, run

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "disk-chart"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    base = tmp_path_factory.mktemp("disk-chart")
    cfg = make_world(base)
    r = run("--config", str(cfg), "--now", NOW, "publish", "--out", str(base / "site"))
    assert r.exit_code == 0, r.output
    return base / "site"


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SDU's newest df a day and a half before now, 1,300 GiB free then (full ~36.7 days from
    now: beyond the chart's month ahead, at 04:48 UTC, the evening before in the hub's Los
    Angeles), warned within 60 days; published once, at NOW."""
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    base = tmp_path_factory.mktemp("disk-capped")
    cfg = make_world(
        base, free_gib=1300, behind=1.5 * DAY, hub_keys='capacity_warn = 60\ntimezone = "America/Los_Angeles"'
    )
    r = run("--config", str(cfg), "--now", NOW, "publish", "--out", str(base / "site"))
    assert r.exit_code == 0, r.output
    return base / "site"


@pytest.fixture(scope="module")
def browser(site: Path) -> Iterator[Any]:
    """Debian's Chromium, once for the module (after the site is published)."""
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def page(browser: Any) -> Iterator[Any]:
    """Chromium at 1400×900, its clock an hour after the publish, scripts' errors recorded."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    p = ctx.new_page()
    p.errors = []
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    p.add_init_script(f"Date.now = function () {{ return {(NOW_T + 3600) * 1000:.0f}; }};")
    p.add_init_script(TEXTS)
    yield p
    ctx.close()


# Every text the page draws on a canvas, in window.twTexts (the labels are pixels, not elements),
# and in window.twDrawn with where (canvas pixels), its alignment and its width.
TEXTS = """(() => { const f = CanvasRenderingContext2D.prototype.fillText;
  window.twTexts = []; window.twDrawn = [];
  CanvasRenderingContext2D.prototype.fillText = function (t, x, y, ...rest) {
    window.twTexts.push(String(t));
    window.twDrawn.push({ text: String(t), x: x, y: y, align: this.textAlign,
      width: this.measureText(String(t)).width });
    return f.call(this, t, x, y, ...rest); }; })();"""


def drawn(page: Any, selector: str) -> dict[str, Any]:
    """Wait for the disk chart at selector and return what it drew."""
    page.wait_for_function(
        f"() => {{ const b = document.querySelector('{selector}'); return b && b.uplot; }}"
    )
    return page.evaluate(
        f"""() => {{ const b = document.querySelector('{selector}'), u = b.uplot;
        return {{ text: b.querySelector('.tw-disk-text').textContent,
          series: u.series.slice(1).map(s => s.label), dash: u.series.slice(1).map(s => s.dash || null),
          forecast: u.twForecast, xs: Array.from(u.data[0]),
          ticks: u.axes[1]._values, stroke: u.series[3] && u.series[3]._stroke,
          warn: getComputedStyle(document.documentElement).getPropertyValue('--tw-warn').trim() }}; }}"""
    )


def test_the_node_data_holds_one_disk_point_a_day(site: Path) -> None:
    doc = json.loads((site / "data/ZZ/SDU.json").read_text())
    days = [t // DAY for t, _, _ in doc["disk"]]
    assert len(doc["disk"]) == 21 and days == sorted(set(days))
    assert doc["disk"][-1][1] - doc["disk"][-2][1] == 34 * 2**30


def test_the_node_view_shows_the_disk_chart_with_its_forecast_up_to_the_fill_date(
    page: Any, site: Path
) -> None:
    page.goto((site / "index.html").as_uri() + "#hub/ZZ/node/SDU")
    d = drawn(page, "#tw-view [data-tw-disk]")
    assert d["text"].startswith("fills in 12 days") and "GiB/day" in d["text"]
    assert d["series"] == ["used", "total", "forecast"] and d["dash"][2] == [6, 4]
    fc = d["forecast"]
    assert fc["end"] == pytest.approx(fc["fill"]) and abs(fc["fill"] - (NOW_T + 12 * DAY)) < 1.5 * DAY
    assert d["xs"][-1] == pytest.approx(fc["fill"])  # the time axis reaches the fill date
    assert all(t.endswith("iB") or t == "0 B" for t in d["ticks"] if t), d["ticks"]
    assert d["stroke"] == d["warn"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#tw-view [data-tw-disk]").screenshot(path=str(ARTIFACTS / "node-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    page.locator("#tw-view [data-tw-disk]").screenshot(path=str(ARTIFACTS / "node-phone.png"))
    width = page.evaluate(
        "() => document.querySelector('#tw-view [data-tw-disk] canvas').getBoundingClientRect().right"
    )
    assert width <= 390
    page.set_viewport_size({"width": 1400, "height": 900})
    assert page.errors == []


def test_a_short_history_says_no_forecast_yet_on_the_hub_page(page: Any, site: Path) -> None:
    page.goto((site / "hub" / "ZZ.html").as_uri())
    page.locator("[data-tw-disk]").last.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-tw-disk]').length === 2 &&"
        " Array.from(document.querySelectorAll('[data-tw-disk]')).every(b => b.uplot)"
    )
    texts = page.locator("[data-tw-disk] .tw-disk-text").all_text_contents()
    assert texts[0].startswith("fills in 12 days")
    assert texts[1].startswith("no forecast yet (needs 7 days of history, has 2)"), texts
    assert page.evaluate("() => document.querySelectorAll('[data-tw-disk]')[1].uplot.twForecast") is None
    assert "full" in page.evaluate("() => window.twTexts")  # the level, without a fill date
    page.locator("[data-tw-disk]").last.screenshot(path=str(ARTIFACTS / "hub-ihep.png"))
    assert page.errors == []


def tip_at(page: Any, i: int) -> dict[str, str]:
    """Hover the node view's disk chart at its i-th day; return the tooltip and that day's date."""
    box = "#tw-view [data-tw-disk]"
    page.locator(box).scroll_into_view_if_needed()
    x, y, day = page.evaluate(
        f"""i => {{ const u = document.querySelector('{box}').uplot, r = u.over.getBoundingClientRect();
        const t = u.data[0].at(i);
        return [r.left + u.valToPos(t, 'x'), r.top + u.valToPos(u.data[1].at(i), 'bytes'),
          new Intl.DateTimeFormat(undefined, {{ timeZone: 'UTC', day: 'numeric', month: 'short',
            year: 'numeric' }}).format(new Date(t * 1000))]; }}""",
        i,
    )
    page.mouse.move(x, y)
    page.wait_for_selector(f"{box} .tw-tip:not([hidden])")
    return {"tip": page.locator(f"{box} .tw-tip").inner_text(), "day": day}


def test_now_and_full_with_its_date_are_marked_and_each_day_has_a_tooltip_for_mouse_and_keys(
    page: Any, site: Path
) -> None:
    page.goto((site / "index.html").as_uri() + "#hub/ZZ/node/SDU")
    d = drawn(page, "#tw-view [data-tw-disk]")
    texts = page.evaluate("() => window.twTexts")
    fill_day = page.evaluate(
        "f => new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', day: 'numeric', month: 'short',"
        " year: 'numeric' }).format(new Date(f * 1000))",
        d["forecast"]["fill"],
    )
    assert "now" in texts and f"full on {fill_day}" in texts, [t for t in texts if "full" in t]
    # The mouse: the sixth day from the end (the forecast's end comes after the days).
    got = tip_at(page, -7)
    lines = got["tip"].splitlines()
    assert lines[0] == got["day"] and lines[1].startswith("used ") and "%" in lines[1]
    assert lines[2].startswith("free ") and " of 2.0 TiB" in lines[2], lines
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#tw-view [data-tw-disk]").screenshot(path=str(ARTIFACTS / "node-tooltip-light.png"))
    # The keyboard: the chart takes the focus, End shows the newest day, ← the one before.
    page.mouse.move(0, 0)
    plot = page.locator("#tw-view [data-tw-disk] .tw-plot")
    plot.focus()
    assert "arrow keys" in (plot.get_attribute("aria-label") or "")
    page.keyboard.press("End")
    newest = page.locator("#tw-view [data-tw-disk] .tw-tip").inner_text().splitlines()[0]
    page.keyboard.press("ArrowLeft")
    before = page.locator("#tw-view [data-tw-disk] .tw-tip").inner_text().splitlines()[0]
    assert newest == tip_at(page, -2)["day"] and before == tip_at(page, -3)["day"] != newest
    # Dark: drawn again in the dark theme's colours (CSS variables), the marks still there.
    page.evaluate("() => { window.twTexts.length = 0; window.tarwatch.theme.choose('dark'); }")
    dark = drawn(page, "#tw-view [data-tw-disk]")
    assert dark["stroke"] == dark["warn"] != d["warn"]
    assert {"now", f"full on {fill_day}"} <= set(page.evaluate("() => window.twTexts"))
    tip_at(page, -7)
    page.locator("#tw-view [data-tw-disk]").screenshot(path=str(ARTIFACTS / "node-tooltip-dark.png"))
    page.evaluate("() => window.tarwatch.theme.choose('light')")
    assert page.errors == []


def test_without_scripts_the_hub_page_shows_each_disk_image_within_a_phones_width(
    browser: Any, site: Path
) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    p = ctx.new_page()
    p.goto((site / "hub" / "ZZ.html").as_uri())
    img = p.locator("section.node").first.locator("[data-tw-disk] img")
    img.scroll_into_view_if_needed()
    p.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())
    assert img.get_attribute("src").endswith("img/ZZ/disk/SDU.png")
    assert img.bounding_box()["width"] <= 390 - 2 * 16
    p.locator("section.node").first.screenshot(path=str(ARTIFACTS / "hub-no-scripts-phone.png"))
    ctx.close()


def days_said(text: str) -> str:
    """Given a text saying "fills in N days (…", return "N days"."""
    m = re.search(r"fills in (.+?) \(", text)
    assert m, text
    return m.group(1)


def image_facts(site: Path, node: str = "SDU") -> diskimage.DiskFacts:
    """Given a published site (its configuration beside it) and a node, return the facts its
    disk image was drawn from (of the report at NOW), having checked that the image published
    is the one drawn from them and the node's data."""
    config, _ = load_config(site.parent / "tw.toml")
    store = Store.open(config.store.url)
    try:
        report = build_report(config, ["ZZ"], store, NOW_T)
    finally:
        store.close()
    facts = diskimage.facts_of(report, {"ZZ": config.thresholds("ZZ").timezone})[("ZZ", node)]
    doc = json.loads((site / f"data/ZZ/{node}.json").read_text())
    assert diskimage.render(doc, facts) == (site / diskimage.image_path("ZZ", node)).read_bytes()
    return facts


def image_title(site: Path, node: str = "SDU") -> str:
    """Given a published site and a node, return the title of its disk image."""
    doc = json.loads((site / f"data/ZZ/{node}.json").read_text())
    return diskimage.title(image_facts(site, node), doc["disk"])


def test_the_chart_the_image_and_the_check_count_the_same_days_from_now(
    page: Any, site: Path, capped: Path
) -> None:
    """SDU with its newest df now (12.1 days left) and a day and a half before now (36.7 days
    left from now, 38 from that df): the browser's text, the image's title and the check's
    message in status.json all say the days from the report's now; IHEP's image says the days
    of history the hub page's chart says (test_a_short_history_says_no_forecast_yet…)."""
    for where, days in ((site, "12 days"), (capped, "36 days")):
        status = json.loads((where / "data/status.json").read_text())
        sdu = next(n for n in status["hubs"][0]["nodes"] if n["node"] == "SDU")
        check = next(f["message"] for f in sdu["findings"] if f["check"] == "capacity")
        page.goto((where / "index.html").as_uri() + "#hub/ZZ/node/SDU")
        browser_text = drawn(page, "#tw-view [data-tw-disk]")["text"]
        assert days_said(check) == days_said(browser_text) == days, (check, browser_text)
        assert image_title(where) == f"fills in {days}"
    short = "no forecast yet (needs 7 days of history, has 2)"  # as the hub page's chart says
    assert image_title(site, "IHEP") == short
    assert page.errors == []


def test_a_fill_date_beyond_the_chart_is_said_at_the_plots_right_edge_with_an_arrow(
    page: Any, capped: Path
) -> None:
    status = json.loads((capped / "data/status.json").read_text())
    disk = next(n for n in status["hubs"][0]["nodes"] if n["node"] == "SDU")["disk"]
    assert disk["fill_days"] == pytest.approx((1300 - 1.5 * 34) / 34, abs=0.1)
    page.goto((capped / "index.html").as_uri() + "#hub/ZZ/node/SDU")
    d = drawn(page, "#tw-view [data-tw-disk]")
    fc, newest = d["forecast"], NOW_T - 1.5 * DAY
    assert fc["fill"] == pytest.approx(NOW_T + disk["fill_days"] * DAY)  # from the report's now
    assert fc["end"] == pytest.approx(newest + 31 * DAY)  # capped: a month after the newest df
    assert fc["end"] < fc["fill"] - DAY
    assert d["xs"][-1] == pytest.approx(fc["end"])
    day = page.evaluate(
        "f => new Intl.DateTimeFormat(undefined, { timeZone: 'America/Los_Angeles', day: 'numeric',"
        " month: 'short', year: 'numeric' }).format(new Date(f * 1000))",
        NOW_T + disk["fill_days"] * DAY,
    )
    assert day == "Dec 31, 2026"  # 2027-01-01 04:48 UTC
    box = page.evaluate(
        """() => { const u = document.querySelector('#tw-view [data-tw-disk]').uplot, b = u.bbox;
        return { left: b.left, right: b.left + b.width, top: b.top, pr: uPlot.pxRatio,
          total: u.valToPos(u.data[2][0], 'bytes', true) }; }"""
    )
    labels = [t for t in page.evaluate("() => window.twDrawn") if t["text"].startswith("full")]
    assert labels and {t["text"] for t in labels} == {f"full on {day} \u2192"}, labels
    label = labels[-1]
    assert label["align"] == "right" and label["x"] == pytest.approx(box["right"] - 6 * box["pr"])
    assert box["left"] < label["x"] - label["width"] and label["x"] <= box["right"]
    assert box["top"] < label["y"] <= box["total"]  # just above the total's line, in the plot
    # The disk image says the same day, capped the same way.
    facts = image_facts(capped)
    assert diskimage.full_text(facts[1], False, "America/Los_Angeles") == "full on 2026-12-31 \u2192"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#tw-view [data-tw-disk]").screenshot(path=str(ARTIFACTS / "node-capped.png"))
    assert page.errors == []

"""The dashboard as a place to navigate, in Debian's Chromium at a desktop's and a phone's size:
every overview cell opens its item's view by click and by keyboard, the list of problems is
status.json's, back and forward and a shared URL restore the views, the page left open turns
its banner red and marks every status "as of" (a faked clock), and a re-fetch of the data
draws the view again without losing its URL, focus or scroll. The hostile demo world, collected
and published by the real CLI; opened from disk, and as `tarwatch serve` serves it."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from support.browser import CHROMIUM, chromium
from support.cli import tarwatch
from support.deps import need_executable
from support.serve import served
from support.world import HOSTILE_ITEM, NOW, make_test_world
from tarwatch import human
from tarwatch.publish.jsdata import to_js, to_json

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "dashboard"
FRESH = NOW + timedelta(hours=2)  # the browser's clock when the page opens: data 2 hours old
SIZES = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
RANK = {"ok": 0, "unknown": 1, "warn": 2, "alarm": 3}


@dataclass
class Site:
    folder: Path
    url: str  # http://127.0.0.1:PORT/ of `tarwatch serve`

    @property
    def disk(self) -> str:
        return self.folder.as_uri() + "/"

    def status(self) -> dict[str, Any]:
        return json.loads((self.folder / "data" / "status.json").read_text())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The hostile demo world collected and published with the real CLI, served by `tarwatch
    serve` on a free port (stopped by its PID afterwards)."""
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    base = tmp_path_factory.mktemp("navigation")
    env = {**os.environ, "HOME": str(base), "XDG_DATA_HOME": str(base / "data"), "NO_COLOR": "1"}
    config = make_test_world(base / "world", days=12, hostile=True)
    now = ["--config", str(config), "--now", NOW.isoformat()]
    assert tarwatch(*now, "collect", env=env).code == 1  # KEK never answers
    out = base / "site"
    assert tarwatch(*now, "publish", "--out", str(out), env=env).code == 0
    with served(out, env) as url:
        yield Site(out, url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    with chromium() as b:
        yield b


@pytest.fixture(params=list(SIZES))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """A page of the given size whose clock starts at FRESH (Playwright's clock: timers and
    Date move only as the test says), failing the test on any script error."""
    p = browser.new_page(viewport=SIZES[request.param])
    p.size = request.param
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.clock.install(time=FRESH.timestamp())
    yield p
    p.close()
    assert errors == []


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"nav-{name}-{page.size}.png"))


def route(page: Any) -> dict[str, Any]:
    return page.evaluate("tarwatch.nav.parse(location.hash)")


def open_overview(page: Any, url: str) -> None:
    page.goto(url)
    page.locator(".tw-grid").first.wait_for()


def item_view_shows(page: Any, item: str, node: str) -> None:
    """Assert the page shows the item's view, with the node's row marked as the one come from,
    and its history drawn."""
    page.locator("#tw-view .tw-item-history[data-loaded]").wait_for(state="attached")
    seen = page.evaluate(
        """() => { const r = tarwatch.nav.parse(location.hash);
                   const cur = [...document.querySelectorAll('#tw-view tr.tw-current')];
                   return [r.view, r.hub, r.item, r.node, document.getElementById('tw-overview').hidden,
                           document.querySelector('#tw-view h1').textContent.startsWith(r.item),
                           cur.map(tr => tr.cells[0].textContent)]; }"""
    )
    assert seen[:6] == ["item", "ZZ", item, node, True, True]
    assert len(seen[6]) == 1 and seen[6][0].startswith(node)


def test_every_cell_opens_its_item_view_by_click_and_by_keyboard(site: Site, page: Any) -> None:
    open_overview(page, site.disk + "index.html")
    status = site.status()
    hub = status["hubs"][0]
    cells = page.locator(".tw-grid .tw-cell")
    assert cells.count() == 6 * 5  # five items and the hostile one, on five nodes
    # Each cell: its item, its status class, a link whose name says node, item, status, age, size.
    sdu = next(n for n in hub["nodes"] if n["node"] == "SDU")
    dybsvn = next(i for i in sdu["items"] if i["item"] == "svn/dybsvn")
    cell = page.locator('.tw-grow[data-node="SDU"] .tw-cell[data-item="svn/dybsvn"]')
    assert f"tw-{dybsvn['status']}" in cell.get_attribute("class").split()
    name = cell.locator("a").get_attribute("aria-label")
    assert name.startswith(f"SDU svn/dybsvn: {dybsvn['status']}, ")
    assert name.endswith(f", {human.size(dybsvn['size'])}")
    assert page.evaluate(
        "[...document.querySelectorAll('.tw-grow:not(.tw-ghead)')]"
        ".every(r => r.firstElementChild.getAttribute('role') === 'rowheader')"
    )

    visible = [k for k in range(cells.count()) if cells.nth(k).is_visible()]
    problems = sum(1 for n in hub["nodes"] for i in n["items"] if i["status"] != "ok")
    assert len(visible) >= problems  # a phone may leave the ok ones out of its list of nodes
    if page.size == "desktop":
        assert len(visible) == cells.count()
    shot(page, "overview")
    for k in visible:  # by click, and back
        c = cells.nth(k)
        item = c.get_attribute("data-item")
        node = c.locator("xpath=..").get_attribute("data-node")
        c.click()
        item_view_shows(page, item, node)
        page.go_back()
        page.locator("#tw-overview").wait_for()
        back = page.evaluate(
            "[tarwatch.nav.parse(location.hash).view,"
            " document.activeElement.closest('.tw-cell').dataset.item]"
        )
        assert back == ["home", item]  # the overview, the focus on the cell left
    shot(page, "item")

    # By keyboard: Tab from the cell before (or the search box) reaches each cell, Enter opens it.
    page.locator("#tw-search").focus()
    for k in visible:
        c = cells.nth(k)
        want = c.locator("a").get_attribute("aria-label")
        for _ in range(200):  # past the problem list, the links of hubs and nodes, hidden cells
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('tw-cell-link')"):
                break
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == want
        page.keyboard.press("Enter")
        item_view_shows(page, c.get_attribute("data-item"), c.locator("xpath=..").get_attribute("data-node"))
        assert page.evaluate("document.activeElement.tagName") == "H1"  # the view's heading
        page.go_back()
        page.locator("#tw-overview").wait_for()
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == want


def test_the_problem_list_is_status_json_and_each_entry_opens_its_view(site: Site, page: Any) -> None:
    open_overview(page, site.disk + "index.html")
    more = page.locator("#tw-problems .tw-more")
    if more.count():
        more.click()
    want = Counter()
    for h in site.status()["hubs"]:
        for n in h["nodes"]:
            for f in n["findings"]:
                want[(h["hub"], n["node"], None, f["check"], f["status"], f["message"])] += 1
            for i in n["items"]:
                for f in i["findings"]:
                    want[(h["hub"], n["node"], i["item"], f["check"], f["status"], f["message"])] += 1
    listed = page.evaluate(
        """() => [...document.querySelectorAll('#tw-problems li.tw-problem')].map(li => ({
             hub: li.dataset.hub, node: li.dataset.node, check: li.dataset.check, status: li.dataset.status,
             message: li.querySelector('.tw-message').textContent,
             items: [...li.querySelectorAll('a.tw-problem-item')].map(a => a.dataset.item)}))"""
    )
    got = Counter()
    for p in listed:
        for item in p["items"] or [None]:
            got[(p["hub"], p["node"], item, p["check"], p["status"], p["message"])] += 1
    assert got == want
    assert any(
        p["node"] == "KEK" and p["check"] == "unreachable" and not p["items"] for p in listed
    )  # the node's own
    assert any(p["node"] == "IHEP" and p["check"] == "locked" and not p["items"] for p in listed)
    ranks = [RANK[p["status"]] for p in listed]
    assert ranks == sorted(ranks, reverse=True)  # worst first
    shot(page, "problems")

    hostile = page.locator("#tw-problems a.tw-problem-item", has_text=HOSTILE_ITEM).first
    node = hostile.locator("xpath=ancestor::li").get_attribute("data-node")
    hostile.click()
    item_view_shows(page, HOSTILE_ITEM, node)
    assert page.evaluate("[...document.querySelectorAll('#tw-view td')].every(td => td.dataset.label)")
    page.go_back()
    page.locator(
        "#tw-problems li.tw-problem-own[data-node='KEK'][data-check='unreachable'] a.tw-problem-node"
    ).click()
    assert route(page) == {**route(page), "view": "node", "hub": "ZZ", "node": "KEK"}
    assert "unreachable" in page.locator("#tw-view .tw-reach").text_content()
    assert "never listed" in page.locator("#tw-view .tw-reach").text_content()
    # Since when, from the node's series: its first failed poll (the world's one collect).
    page.locator("#tw-view .tw-reach", has_text="unreachable since 2026-11-25 12:00 UTC").wait_for()


def test_back_forward_and_a_shared_url_restore_the_views_and_their_filters(
    site: Site, page: Any, browser: Any
) -> None:
    open_overview(page, site.disk + "index.html")
    page.locator('.tw-grow[data-node="NTU"] .tw-cell[data-item="svn/dybsvn"] a').click()
    item_view_shows(page, "svn/dybsvn", "NTU")
    # Where the transfer stopped: NTU lacks the source's newest tarball, the others have it.
    assert page.locator(".tw-transfer li[data-node='NTU']").get_attribute("data-behind") == "1"
    assert page.locator(".tw-transfer li[data-node='SDU']").get_attribute("data-behind") == "0"
    newest = page.locator("table.tw-history tbody tr").first
    assert "not here" in newest.locator("td.tw-current").text_content()
    page.locator("#tw-view tr.tw-current a", has_text="NTU").click()  # to the node's view
    assert route(page)["view"] == "node" and route(page)["node"] == "NTU"
    page.select_option("#tw-status", "alarm")
    page.wait_for_function("location.hash.includes('status=alarm')")
    rows = page.locator("#tw-view table.tw-node-items tbody tr:not([hidden])")
    assert rows.count() > 0 and all("alarm" in t for t in rows.locator("td:nth-child(2)").all_text_contents())
    assert page.evaluate("[...document.querySelectorAll('#tw-view td')].every(td => td.dataset.label)")
    node_url, node_rows = page.url, rows.all_text_contents()
    shot(page, "node")

    page.go_back()
    item_view_shows(page, "svn/dybsvn", "NTU")
    page.go_back()
    assert route(page)["view"] == "home" and page.locator("#tw-overview").is_visible()
    page.go_forward()
    item_view_shows(page, "svn/dybsvn", "NTU")
    page.go_forward()
    assert route(page) == {**route(page), "view": "node", "node": "NTU", "status": "alarm"}
    assert page.input_value("#tw-status") == "alarm"
    assert rows.all_text_contents() == node_rows

    # The overview's search is in the URL too; a shared URL opens the same view, filtered.
    page.goto(site.disk + "index.html")
    page.fill("#tw-search", "dybsvn")
    page.wait_for_function("location.hash.includes('q=dybsvn')")
    page.wait_for_function("document.querySelectorAll('.tw-grid .tw-item-head').length === 2")
    assert set(page.locator(".tw-item-head").all_text_contents()) == {"svn/dybsvn", "tracs/dybsvn"}
    assert all("dybsvn" in t for t in page.locator("#tw-problems .tw-problem").all_text_contents())
    search_url = page.url
    other = browser.new_page(viewport=SIZES[page.size])
    other.clock.install(time=FRESH.timestamp())
    try:
        other.goto(search_url)
        other.locator(".tw-grid").first.wait_for()
        assert other.input_value("#tw-search") == "dybsvn"
        assert set(other.locator(".tw-item-head").all_text_contents()) == {"svn/dybsvn", "tracs/dybsvn"}
        other.goto(node_url)
        other.locator("#tw-view h1").wait_for()
        assert other.locator("#tw-view h1").text_content().startswith("Node NTU")
        assert other.input_value("#tw-status") == "alarm"
        assert (
            other.locator("#tw-view table.tw-node-items tbody tr:not([hidden])").all_text_contents()
            == node_rows
        )
    finally:
        other.close()


def test_the_hub_page_links_each_node_to_its_chart_and_each_item_to_its_view(site: Site, page: Any) -> None:
    page.goto(site.disk + "hub/ZZ.html#hub/ZZ?status=alarm")
    page.locator("#tw-status-table thead").wait_for(state="attached")
    assert page.input_value("#tw-status-filter") == "alarm"  # the filter from the URL
    rows = page.locator("#tw-status-table tbody tr:not([hidden])")
    assert rows.count() > 0 and all("alarm" in t for t in rows.locator("td:nth-child(3)").all_text_contents())
    assert page.locator("#tw-status-table thead th").nth(3).text_content() == "Findings"
    stale = rows.filter(has_text="tracs/dybaux").first
    assert "stale" in stale.locator("td:nth-child(4)").text_content()
    assert page.evaluate("[...document.querySelectorAll('main td')].every(td => td.dataset.label)")
    assert stale.locator("td:first-child a").get_attribute("href").startswith("#node-")
    stale.locator("td:nth-child(2) a").click()
    page.locator("#tw-view h1").wait_for()
    assert unquote(page.url.split("#", 1)[1]).startswith("hub/ZZ/item/tracs/dybaux")
    assert page.url.startswith(site.disk + "index.html#")


def test_the_banner_turns_red_and_every_status_says_as_of_while_the_page_stays_open(
    site: Site, page: Any
) -> None:
    open_overview(page, site.disk + "index.html")
    banner = page.locator("#tw-banner")
    assert banner.get_attribute("data-old") == "false" and "2 hours" in banner.text_content()
    cell = page.locator('.tw-grow[data-node="SDU"] .tw-cell[data-item="svn/dybsvn"]')
    assert "10h" in cell.text_content() and "as of" not in cell.text_content()
    page.clock.fast_forward("28:00:00")  # the page left open a day more: the minute's tick runs
    page.wait_for_function("document.getElementById('tw-banner').dataset.old === 'true'")
    assert "30 hours" in banner.text_content() and "may have stopped" in banner.text_content()
    alarm = page.evaluate(
        """() => { const s = document.createElement('span'); s.style.color = 'var(--tw-alarm)';
                   document.body.append(s); const c = getComputedStyle(s).color; s.remove(); return c; }"""
    )
    assert banner.evaluate("e => getComputedStyle(e).color") == alarm  # red, as the alarm
    page.wait_for_function("document.querySelectorAll('.tw-cell.tw-asof').length > 0")
    with_data = page.locator(".tw-grid .tw-cell:not(.tw-none)")
    assert page.locator(".tw-grid .tw-cell.tw-asof").count() == with_data.count()
    assert "as of 11-25 12:00" in cell.text_content() and "38h" in cell.text_content()  # 10 hours + 28
    assert "status as of 2026-11-25 12:00 UTC" in cell.locator("a").get_attribute("aria-label")
    assert "as of 2026-11-25 12:00 UTC" in page.locator("#tw-overview .tw-asof-note").text_content()
    shot(page, "stale")


STATE = """() => ({hash: location.hash, y: scrollY, draws: document.querySelector('main').dataset.twDraws,
                   focus: document.activeElement.outerHTML, fetched: document.body.dataset.twFetched})"""


@pytest.mark.parametrize(
    ("path", "drawn", "focus"),
    [
        ("index.html#?status=problems", ".tw-grid", "#tw-overview .tw-cell-link >> nth=-1"),
        (
            "index.html#hub/ZZ/item/svn%2Fdybsvn?node=IHEP",
            "#tw-view .tw-item-history[data-loaded]",
            "#tw-view tr.tw-current a",
        ),
        (
            "hub/ZZ.html#hub/ZZ?status=alarm",
            "#tw-status-table thead",
            "#tw-status-table tr:not([hidden]) a >> nth=-1",
        ),
    ],
    ids=["overview", "item", "hub"],
)
def test_a_refetch_draws_the_view_again_keeping_url_focus_and_scroll(
    site: Site, page: Any, path: str, drawn: str, focus: str
) -> None:
    page.goto(site.url + path)
    page.locator(drawn).wait_for(state="attached")
    page.locator(focus).focus()
    page.evaluate("window.scrollTo(0, 200)")
    before = page.evaluate(STATE)
    assert before["y"] == 200 and before["focus"].startswith("<a ")
    page.clock.fast_forward("05:00")  # five minutes: the status is fetched again, unchanged
    page.wait_for_function(f"document.querySelector('main').dataset.twDraws !== '{before['draws']}'")
    page.locator(drawn).wait_for(state="attached")
    after = page.evaluate(STATE)
    assert after["fetched"] != before["fetched"]
    assert (after["hash"], after["y"], after["focus"]) == (before["hash"], before["y"], before["focus"])

    # Shown again after being hidden: fetched again at once (a minute after the last fetch).
    page.clock.fast_forward("01:00")
    draws = page.evaluate("document.querySelector('main').dataset.twDraws")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_function(f"document.querySelector('main').dataset.twDraws !== '{draws}'")
    assert page.evaluate(STATE)["focus"] == before["focus"]


def test_a_refetch_shows_a_new_publish_keeping_the_view(site: Site, page: Any) -> None:
    page.goto(site.url + "index.html#?q=SDU")
    page.locator(".tw-grid").wait_for()
    cell = page.locator('.tw-grow[data-node="SDU"] .tw-cell[data-item="svn/dybsvn"]')
    assert "tw-ok" in cell.get_attribute("class").split()
    page.locator('.tw-grow[data-node="SDU"] a.tw-node-name').focus()  # (an ok cell is not shown on a phone)
    files = [site.folder / "data" / name for name in ("status.json", "status.js")]
    old = [f.read_bytes() for f in files]
    doc = site.status()
    doc["generated"] = (NOW + timedelta(hours=1)).isoformat()  # the next publish: svn/dybsvn went bad
    sdu = next(n for n in doc["hubs"][0]["nodes"] if n["node"] == "SDU")
    item = next(i for i in sdu["items"] if i["item"] == "svn/dybsvn")
    item["status"] = "alarm"
    item["findings"] = [{"check": "shrink", "status": "alarm", "message": "newest tarball is 90% smaller"}]
    try:
        files[0].write_text(to_json(doc))
        files[1].write_text(to_js("status", doc))
        page.clock.fast_forward("05:00")
        page.wait_for_function(
            """() => document.querySelector('.tw-grow[data-node="SDU"] .tw-cell[data-item="svn/dybsvn"]')
                       .classList.contains('tw-alarm')"""
        )
        assert "90% smaller" in page.locator("#tw-problems").text_content()
        assert "(checked 2026-11-25 13:00 UTC)" in page.locator("#tw-banner").text_content()
        assert page.evaluate("location.hash") == "#?q=SDU" and page.input_value("#tw-search") == "SDU"
        assert cell.locator("a").get_attribute("aria-label").startswith("SDU svn/dybsvn: alarm")
        focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent]")
        assert focused == ["tw-node-name", "SDU"]
    finally:
        for f, data in zip(files, old, strict=True):
            f.write_bytes(data)

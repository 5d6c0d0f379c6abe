"""Snoozes on the dashboard: a snoozed node and a snoozed item, set with the real CLI, shown in
the overview grid and the hub page's tables in Debian's Chromium (word and mark, not colour
alone), with their end and reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.browser import CHROMIUM, chromium
from support.cli import tarwatch
from support.deps import need_executable
from support.world import NOW, make_test_world

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "dashboard"


def test_snoozed_nodes_and_items_are_shown_as_snoozed_on_the_dashboard(tmp_path: Path) -> None:
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"), "NO_COLOR": "1"}
    config = make_test_world(tmp_path / "world", days=12)
    now = ["--config", str(config), "--now", NOW.isoformat()]
    assert tarwatch(*now, "collect", env=env).code == 1  # KEK never answers
    assert tarwatch(*now, "snooze", "ZZ/NTU", "2d", "--why", "disk swap at NTU", env=env).code == 0
    assert tarwatch(*now, "snooze", "ZZ/SDU/tracs/dybaux", "8d", "--why", "moving Trac", env=env).code == 0
    site = tmp_path / "site"
    assert tarwatch(*now, "publish", "--out", str(site), env=env).code == 0

    with chromium() as browser:
        page = browser.new_page()
        page.goto((site / "index.html").as_uri())
        grid = page.locator(".tw-grid")
        grid.wait_for()
        ntu = grid.locator(".tw-node-head", has_text="NTU")
        assert "snoozed" in ntu.text_content()
        assert "disk swap at NTU" in ntu.locator(".tw-snoozed").get_attribute("title")
        sdu = grid.locator(".tw-grow", has=page.locator(".tw-node-name", has_text="SDU"))
        snoozed_cells = sdu.locator(".tw-cell.tw-snoozed")
        assert snoozed_cells.count() == 1  # tracs/dybaux only
        assert "\u2016" in snoozed_cells.first.text_content()  # a mark as well as the outline
        assert "moving Trac" in snoozed_cells.first.get_attribute("title")
        assert (
            grid.locator(".tw-grow", has=page.locator(".tw-node-name", has_text="IHEP"))
            .locator(".tw-snoozed")
            .count()
            == 0
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "overview-snoozed.png"), full_page=True)

        page.goto((site / "hub" / "ZZ.html").as_uri())
        page.locator("#tw-status-table thead").wait_for(state="attached")  # drawn, not "Loading …"
        row = page.locator("#tw-status-table tbody tr", has_text="SDU").filter(has_text="tracs/dybaux")
        assert "snoozed" in row.text_content()
        findings = page.locator("#tw-findings-table tbody tr", has_text="NTU").all_text_contents()
        assert findings and all("snoozed until 2026-11-27 12:00 UTC: disk swap at NTU" in f for f in findings)
        page.screenshot(path=str(ARTIFACTS / "hub-snoozed.png"), full_page=False)

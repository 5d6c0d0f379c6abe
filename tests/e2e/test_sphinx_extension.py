"""The Sphinx extension: a sample project using all three directives, built by the real
`sphinx-build -W` (warnings are errors) in parallel, then viewed in Chromium beside a published
site and the seed's legacy JSON, all served by tarwatch's own server."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.browser import CHROMIUM, chromium
from support.deps import need_executable
from support.world import collected_world
from tarwatch.app.site import publish_site
from tarwatch.publish.context import SCRIPTS
from tarwatch.serve import make_server

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "sphinx"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "sphinx"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding docs/ (the built project), site/ (a published site) and data/ (the
    seed's Highstock JSON, written through the hub's legacy `jspath`)."""
    root = tmp_path_factory.mktemp("sphinx")
    world = collected_world(root / "world", jspath=str(root / "data" / "scm_backup_monitor_{node}.json"))
    publish_site(world.config, world.store, root / "site", world.now)
    src = root / "src"
    shutil.copytree(PROJECT, src)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-j",
            "2",
            "-q",
            "-b",
            "html",
            str(src),
            str(root / "docs"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return root


def test_the_built_page_holds_the_three_directives_containers(root: Path) -> None:
    html = (root / "docs" / "index.html").read_text()
    assert 'data-tw-status="ZZ"' in html and 'data-json="../site/data/status.json"' in html
    assert 'data-key="ZZ/SDU"' in html and '<img src="../site/img/ZZ/SDU.png"' in html
    assert 'data-key="ZZ/NTU"' in html and 'data-js="../site/data/ZZ/NTU.js"' in html
    assert 'id="container_SDU"' in html and 'data-tw-stockchart="../data/scm_backup_monitor_SDU.json"' in html


def test_the_assets_are_copied_and_added_to_the_page(root: Path) -> None:
    html = (root / "docs" / "index.html").read_text()
    for asset in (
        *(f"tarwatch/{name}" for name in SCRIPTS),
        "tarwatch/tarwatch.css",
        "tarwatch/vendor/uplot/uPlot.iife.min.js",
        "tarwatch/vendor/uplot/uPlot.min.css",
    ):
        assert (root / "docs" / "_static" / asset).is_file(), asset
        assert f"_static/{asset}" in html, asset
    assert (root / "docs" / "_static" / "tarwatch/vendor/uplot/LICENSE").is_file()
    assert 'id="tw-facts"' in html and html.index('id="tw-facts"') < html.index("tarwatch/format.js")


def test_a_chart_without_a_site_is_an_error_under_w(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["tarwatch.sphinx"]\n')
    (src / "index.rst").write_text("T\n=\n\n.. tarwatch-chart:: ZZ/SDU\n")
    built = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode != 0
    assert "tarwatch_site" in built.stderr


@pytest.fixture(scope="module")
def served(root: Path) -> Iterator[str]:
    server = make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_the_page_draws_the_status_the_charts_and_the_seeds_stockchart(served: str) -> None:
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    with chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1100, "height": 2400})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(served + "docs/index.html")
        page.locator(".tarwatch-status .tw-grid .tw-grow:not(.tw-ghead)").first.wait_for()
        assert page.locator(".tarwatch-status .tw-grid .tw-grow:not(.tw-ghead)").count() == 5
        for chart in ('[data-key="ZZ/SDU"]', '[data-key="ZZ/NTU"]', "#container_SDU"):
            page.locator(f"{chart} canvas").wait_for()
        assert page.locator('[data-key="ZZ/SDU"] img').count() == 0  # the fallback image replaced
        legend = page.locator("#container_SDU .u-legend").text_content()
        assert "svn/dybsvn" in legend and "OK" in legend
        assert page.locator(".tw-chart-title").first.text_content() == "ZZ backups on SDU"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sphinx-page.png"), full_page=True)
        assert errors == []

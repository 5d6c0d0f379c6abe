"""The Sphinx extension: a sample project using every directive and the badge role, built by the
real `sphinx-build -W` (warnings are errors) in parallel, then viewed in Chromium beside a
published site and the seed's legacy JSON, all served by tarwatch's own server; and a project
naming an unknown hub, an unknown node, a site that is not there and no site at all, which
`-W` refuses, naming each."""

from __future__ import annotations

import re
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
    built = sphinx_build(src, root / "docs", "-j", "2")
    assert built.returncode == 0, built.stdout + built.stderr
    return root


def sphinx_build(src: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Build the project in src into out with the real sphinx-build -W --keep-going."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-N",
            *args,
            "-q",
            "-b",
            "html",
            str(src),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


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


def test_captions_are_figures_with_the_default_or_the_given_text(root: Path) -> None:
    html = (root / "docs" / "index.html").read_text()
    figures = re.findall(r'<figure class="tarwatch-figure[^"]*"[^>]*>.*?</figure>', html, re.S)
    captions = [re.search(r"<figcaption>(.*?)</figcaption>", f, re.S)[1] for f in figures]  # type: ignore[index]
    assert [" ".join(re.sub(r"<[^>]+>|¶", " ", c).split()) for c in captions] == [
        "The backups of hub ZZ: each node’s items and their status",
        "The backups of hub ZZ on node SDU: each item’s tarball sizes, and tarballs per day",
        "NTU’s copies, as the site last saw them",
        "The seed’s chart of SDU",
    ]
    assert 'data-tw-status="ZZ"' in figures[0] and 'data-key="ZZ/NTU"' in figures[2]
    assert "<em>as the site last saw them</em>" in figures[2]  # the given caption is reStructuredText
    assert 'id="zz-status"' in figures[0] and 'href="#zz-status"' in html  # :name: and :ref:


def test_badges_are_embedded_linking_to_the_hub_page(root: Path) -> None:
    html = (root / "docs" / "index.html").read_text()
    assert (
        '<a class="tarwatch-badge" href="../site/hub/ZZ.html"><img src="../site/img/badge/ZZ.svg"'
        ' alt="status of the backups of hub ZZ"></a>' in html
    )
    assert '<img src="../site/img/badge/ZZ/SDU.svg"' in html
    assert (root / "site/img/badge/ZZ.svg").is_file() and (root / "site/img/badge/ZZ/SDU.svg").is_file()
    nested = (root / "docs" / "nodes" / "kek.html").read_text()  # tarwatch_site from the root
    assert '<img src="../../site/img/badge/ZZ/KEK.svg"' in nested
    assert 'data-json="../../site/data/ZZ/KEK.json"' in nested


def test_w_fails_on_an_unknown_hub_an_unknown_node_a_missing_site_and_no_site(root: Path) -> None:
    src = root / "bad-src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["tarwatch.sphinx"]\n')
    (src / "index.rst").write_text(
        "T\n=\n\n"
        ".. tarwatch-status:: NOPE\n   :site: ../site/\n\n"
        ".. tarwatch-chart:: ZZ/NOWHERE\n   :site: ../site\n\n"
        ".. tarwatch-badge:: ZZ/SDU\n   :site: ../no-site\n\n"
        ".. tarwatch-chart:: ZZ/SDU\n"
    )
    built = sphinx_build(src, root / "bad")  # ../site from bad/index.html: the published site
    assert built.returncode != 0
    lines = {int(m[1]): m[2] for m in re.finditer(r"index\.rst:(\d+): (.*)", built.stderr)}
    assert sorted(lines) == [4, 7, 10, 13], built.stderr
    assert (
        lines[4]
        == "WARNING: tarwatch-status: no hub 'NOPE' in the published status (its hubs: ZZ) [tarwatch.unknown]"
    )
    assert lines[7] == (
        "WARNING: tarwatch-chart: hub 'ZZ' has no node 'NOWHERE' (its nodes: IHEP, KEK, NTU, SDU, hub)"
        " [tarwatch.unknown]"
    )
    assert lines[10].startswith(
        "WARNING: tarwatch-badge: cannot check the hubs and nodes named: cannot read "
    )
    assert "no-site/data/status.json" in lines[10] and lines[10].endswith("[tarwatch.unreadable]")
    assert lines[13].startswith(
        "ERROR: tarwatch-chart: give the published site's URL as :site: or set tarwatch_site"
    )


def test_a_node_gone_from_the_site_fails_the_next_incremental_build(tmp_path: Path) -> None:
    status = tmp_path / "site" / "data" / "status.json"
    status.parent.mkdir(parents=True)
    status.write_text('{"hubs": [{"hub": "ZZ", "nodes": [{"node": "SDU"}]}]}')
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(  # names read from tarwatch_status (from conf.py's folder), not the site
        'extensions = ["tarwatch.sphinx"]\n'
        'tarwatch_site = "https://example.invalid/tw/"\n'
        'tarwatch_status = "../site"\n'
    )
    (src / "index.rst").write_text("T\n=\n\n.. tarwatch-chart:: ZZ/SDU\n")
    first = sphinx_build(src, tmp_path / "out")
    assert first.returncode == 0, first.stderr
    status.write_text('{"hubs": [{"hub": "ZZ", "nodes": [{"node": "NTU"}]}]}')  # no page changed
    again = sphinx_build(src, tmp_path / "out")
    assert again.returncode != 0
    assert "index.rst:4: WARNING: tarwatch-chart: hub 'ZZ' has no node 'SDU' (its nodes: NTU)" in again.stderr


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


def test_the_names_of_a_site_served_over_http_are_checked(served: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(f'extensions = ["tarwatch.sphinx"]\ntarwatch_site = "{served}site/"\n')
    (src / "index.rst").write_text(
        "T\n=\n\n.. tarwatch-chart:: ZZ/SDU\n\n:tarwatch-badge:`ZZ/KEK` :tarwatch-badge:`WW`\n"
    )
    built = sphinx_build(src, tmp_path / "out")
    assert built.returncode != 0
    lines = [line for line in built.stderr.splitlines() if "WARNING" in line]
    assert len(lines) == 1 and "index.rst:6: WARNING: tarwatch-badge: no hub 'WW'" in lines[0], built.stderr
    assert f'src="{served}site/img/badge/ZZ/KEK.svg"' in (tmp_path / "out" / "index.html").read_text()


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
        assert "svn/dybsvn" in legend and "tarballs per day" in legend and "OK" not in legend
        assert page.locator(".tw-chart-title").first.text_content() == "ZZ backups on SDU"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sphinx-page.png"), full_page=True)
        assert errors == []

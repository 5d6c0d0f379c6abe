"""Benchmark: `publish` over a stored history of N nodes × M items × D nightly tarballs (default
200 × 50 × 365). Builds the store once (cached by shape in bench/results/), then times, on a copy:
a full publish into an empty folder, a publish after one node changed, the overview page showing
its table in headless Chromium, and the gzipped size of a node's series JSON.

    .venv/bin/python -m bench.publish_bench            # the targets of issue 5
    .venv/bin/python -m bench.publish_bench --quick    # a smoke run: 10 × 10 × 60
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import yes
from bench.world import DAY, T0, Shape, copies_listing, stored_config, stored_world
from tarwatch.app.site import publish_site
from tarwatch.records import Snapshot, Tarball
from tarwatch.store import Store

CHROMIUM = "/usr/bin/chromium"
TARGETS = {
    "full_publish_s": 60.0,
    "one_node_changed_s": 5.0,
    "overview_table_s": 1.5,
    "node_json_gzip_kb": 100,
}


def change_one_node(store: Store, shape: Shape, node: int) -> None:
    """Record a poll of node `node` a day later that finds one more tarball."""
    listed = copies_listing(shape, node)
    newest = max(listed, key=lambda t: t.stamp)
    stamp = newest.stamp + DAY
    path = newest.path.replace(".tar.gz", "-x.tar.gz")
    extra = Tarball(path, newest.item, stamp, newest.size, float(stamp), None)
    snap = Snapshot(root="/backup/hub", complete=True, tarballs=[*listed, extra])  # a new listing
    at = T0 + (shape.days + 1) * DAY
    run = store.begin_run(at, "bench", ["H"])
    store.record_poll(run, "H", f"N{node:04d}", at, ok=True, reason=None, duration=0.1, snap=snap)


def overview_seconds(site: Path, nodes: int) -> float | None:
    """Return the seconds from navigation until the overview's grid has every node's row, in
    headless Chromium (median of 5), or None when Chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
    ]
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        for _ in range(5):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto((site / "index.html").as_uri())
            rows = ".tw-grid .tw-grow:not(.tw-ghead)"
            page.wait_for_function(f"document.querySelectorAll('{rows}').length === {nodes}")
            times.append(page.evaluate("performance.now()") / 1000)
            page.close()
        browser.close()
    return sorted(times)[2]


def run(shape: Shape) -> dict:
    db, build_s = stored_world(shape, "publish")
    with tempfile.TemporaryDirectory(prefix="tarwatch-publish-bench-") as tmp:
        copy = Path(tmp) / "store.db"
        shutil.copyfile(db, copy)
        config = stored_config(shape, copy)
        store = Store.open(config.store.url)
        site = Path(tmp) / "site"
        now = T0 + (shape.days + 1) * DAY
        t0 = time.perf_counter()
        full = publish_site(config, store, site, now)
        full_s = time.perf_counter() - t0
        change_one_node(store, shape, 7 % shape.nodes)
        t0 = time.perf_counter()
        one = publish_site(config, store, site, now + 3600)
        one_s = time.perf_counter() - t0
        node_json = (site / "data" / "H" / "N0001.json").read_bytes()
        overview = overview_seconds(site, shape.nodes)
    return {
        "benchmark": "publish",
        "shape": f"{shape.nodes} nodes × {shape.items} items × {shape.days} days",
        "tarballs": shape.nodes * shape.items * shape.days,
        "full_publish_s": round(full_s, 2),
        "full_wrote": {"pages": full.pages, "data": full.data, "images": full.images},
        "one_node_changed_s": round(one_s, 2),
        "one_node_changed_wrote": {"nodes": one.nodes_changed, "data": one.data, "images": one.images},
        "overview_table_s": None if overview is None else round(overview, 3),
        "node_json_kb": round(len(node_json) / 1000, 1),
        "node_json_gzip_kb": round(len(gzip.compress(node_json)) / 1000, 1),
        "store_built_s": round(build_s, 1),
        "targets": TARGETS,
    }


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    t = r["targets"]
    overview = "not measured" if r["overview_table_s"] is None else f"{r['overview_table_s']:.2f} s"
    met = (
        r["full_publish_s"] <= t["full_publish_s"]
        and r["one_node_changed_s"] <= t["one_node_changed_s"]
        and r["overview_table_s"] is not None
        and r["overview_table_s"] <= t["overview_table_s"]
        and r["node_json_gzip_kb"] <= t["node_json_gzip_kb"]
    )
    return [
        f"| publish, {r['shape']} | full {r['full_publish_s']:.1f} s; one node changed "
        f"{r['one_node_changed_s']:.1f} s; overview of all nodes in Chromium {overview}; a node's JSON "
        f"{r['node_json_gzip_kb']:.0f} KB gzipped | ≤ 60 s; ≤ 5 s; ≤ 1.5 s; ≤ 100 KB | {yes(met)} |"
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=200)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--quick", action="store_true", help="a smoke run: 10 nodes × 10 items × 60 days")
    a = ap.parse_args()
    shape = Shape(10, 10, 60) if a.quick else Shape(a.nodes, a.items, a.days)
    print(json.dumps(run(shape), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Benchmark: `publish` over a stored history of N nodes × M items × D nightly tarballs (default
200 × 50 × 365). Builds the store once (cached by shape in bench/results/), then times, on a copy:
a full publish into an empty folder, a publish after one node changed (given the run's report,
as the nightly run publishes, and with its own report), a publish with nothing changed (the
unchanged night), the gzipped size of a node's series JSON, and the overview page
showing its grid in headless Chromium, of a world of its own: 1,000 nodes × 50 items (default),
a few nights each (the overview reads only the status, so its nodes' charts are not drawn).
Each publish is timed in wall seconds and in CPU seconds (this process and its workers).

    .venv/bin/python -m bench.publish_bench            # the targets of issue 14
    .venv/bin/python -m bench.publish_bench --quick    # a smoke run: 10 × 10 × 60, overview 20 × 5
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.common import load_average, yes
from bench.world import DAY, T0, Shape, copies_listing, stored_config, stored_world
from tarwatch.app.report import build_report
from tarwatch.app.site import publish_site
from tarwatch.publish.site import publish, write_overview
from tarwatch.records import Disk, Snapshot, Tarball
from tarwatch.store import Store

CHROMIUM = "/usr/bin/chromium"
TARGETS = {
    "full_publish_s": 10.0,
    "one_node_changed_s": 0.5,
    "unchanged_s": 0.3,
    "overview_table_s": 1.5,
    "node_json_gzip_kb": 100,
}
OVERVIEW = Shape(1000, 50, 3)  # the overview's world: its status is what the page reads
QUICK_OVERVIEW = Shape(20, 5, 3)


def cpu_seconds() -> float:
    """Return the CPU seconds (user and system) of this process and of its ended children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(f, *args):
    """Call f(*args); return its result, the wall seconds and the CPU seconds it took."""
    c0, t0 = cpu_seconds(), time.perf_counter()
    out = f(*args)
    return out, time.perf_counter() - t0, cpu_seconds() - c0


def change_one_node(store: Store, shape: Shape, node: int, disk: Disk | None = None) -> None:
    """Record a poll of node `node` a day later that finds one more tarball (and, given, the
    disk under its root as df saw it)."""
    listed = copies_listing(shape, node)
    newest = max(listed, key=lambda t: t.stamp)
    stamp = newest.stamp + DAY
    path = newest.path.replace(".tar.gz", "-x.tar.gz")
    extra = Tarball(path, newest.item, stamp, newest.size, float(stamp), None)
    snap = Snapshot(root="/backup/hub", complete=True, tarballs=[*listed, extra], disk=disk)  # a new listing
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


def overview_site(shape: Shape, tmp: Path) -> Path:
    """Given the overview world's shape and a folder, write that world's site without its nodes'
    data (pages, static files, status: all the overview reads) under the folder; return it."""
    db, _ = stored_world(shape, "overview")
    copy = tmp / "overview.db"  # opening a store may upgrade it: the cached one stays as built
    shutil.copyfile(db, copy)
    config = stored_config(shape, copy)
    store = Store.open(config.store.url)
    report = build_report(config, list(config.hubs), store, T0 + (shape.days + 1) * DAY)
    store.close()
    site = tmp / "overview"
    write_overview(config, report, site)
    return site


def run(shape: Shape, overview: Shape = OVERVIEW) -> dict:
    load_before = load_average()
    db, build_s = stored_world(shape, "publish")
    with tempfile.TemporaryDirectory(prefix="tarwatch-publish-bench-") as tmp:
        copy = Path(tmp) / "store.db"
        shutil.copyfile(db, copy)
        config = stored_config(shape, copy)
        store = Store.open(config.store.url)
        site = Path(tmp) / "site"
        now = T0 + (shape.days + 1) * DAY
        full, full_s, full_cpu = timed(publish_site, config, store, site, now)
        # One node changed, as the nightly run publishes it: given the report it built once for
        # check and notify (the target is judged on this one). It is the first publish drawing
        # in this process (the full one drew in workers): cold, as a run's process is.
        change_one_node(store, shape, 8 % shape.nodes)
        report, _, _ = timed(build_report, config, list(config.hubs), store, now + 1800)
        had_matplotlib = "matplotlib" in sys.modules
        one_given, one_given_s, one_given_cpu = timed(publish, config, report, store, site)
        # A real night's changed node has a new df too: its disk image is drawn (on the same
        # drawing layer as its chart; matplotlib drew it, imported here for it, until 2026-12-01)
        disk = Disk("/dev/sdb1", "/backup", 4 << 40, 3 << 40, 1 << 40)
        change_one_node(store, shape, 9 % shape.nodes, disk)
        report, _, _ = timed(build_report, config, list(config.hubs), store, now + 2700)
        one_disk, one_disk_s, one_disk_cpu = timed(publish, config, report, store, site)
        drew_matplotlib = not had_matplotlib and "matplotlib" in sys.modules
        # ... and as `publish` alone does it, the report included (warm: after the ones above)
        change_one_node(store, shape, 7 % shape.nodes)
        one, one_s, one_cpu = timed(publish_site, config, store, site, now + 3600)
        same, same_s, same_cpu = timed(publish_site, config, store, site, now + 7200)
        # The nightly run builds its report once, for check and notify too: what publish adds
        # to it is publish() given that report.
        report, report_s, report_cpu = timed(build_report, config, list(config.hubs), store, now + 10800)
        _, given_s, given_cpu = timed(publish, config, report, store, site)
        node_json = (site / "data" / "H" / "N0001.json").read_bytes()
        store.close()
        grid = overview_seconds(overview_site(overview, Path(tmp)), overview.nodes)
    return {
        "benchmark": "publish",
        "shape": f"{shape.nodes} nodes × {shape.items} items × {shape.days} days",
        "tarballs": shape.nodes * shape.items * shape.days,
        "full_publish_s": round(full_s, 2),
        "full_publish_cpu_s": round(full_cpu, 2),
        "full_wrote": {"pages": full.pages, "data": full.data, "images": full.images},
        "one_node_changed_s": round(one_s, 3),
        "one_node_changed_cpu_s": round(one_cpu, 3),
        "one_node_changed_wrote": {"nodes": one.nodes_changed, "data": one.data, "images": one.images},
        "one_node_given_report_s": round(one_given_s, 3),
        "one_node_given_report_cpu_s": round(one_given_cpu, 3),
        "one_node_given_report_wrote": {"nodes": one_given.nodes_changed, "images": one_given.images},
        "one_node_imported_matplotlib": drew_matplotlib,
        "one_node_with_df_given_report_s": round(one_disk_s, 3),
        "one_node_with_df_given_report_cpu_s": round(one_disk_cpu, 3),
        "one_node_with_df_wrote": {"nodes": one_disk.nodes_changed, "images": one_disk.images},
        "unchanged_s": round(same_s, 3),
        "unchanged_cpu_s": round(same_cpu, 3),
        "unchanged_wrote": {"nodes": same.nodes_changed, "pages": same.pages, "images": same.images},
        "report_s": round(report_s, 3),
        "report_cpu_s": round(report_cpu, 3),
        "unchanged_given_report_s": round(given_s, 3),
        "unchanged_given_report_cpu_s": round(given_cpu, 3),
        "overview_shape": f"{overview.nodes} nodes × {overview.items} items",
        "overview_nodes": overview.nodes,
        "overview_table_s": None if grid is None else round(grid, 3),
        "node_json_kb": round(len(node_json) / 1000, 1),
        "node_json_gzip_kb": round(len(gzip.compress(node_json)) / 1000, 1),
        "store_built_s": round(build_s, 1),
        "load_before": load_before,
        "load_after": load_average(),
        "targets": TARGETS,
    }


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints. The
    unchanged night's and the one changed node's targets are publish's own share of a run:
    publish given the run's report (the report is built once per run, for check and notify
    too); publish with its report is printed beside them."""
    t = r["targets"]
    overview = "not measured" if r["overview_table_s"] is None else f"{r['overview_table_s']:.2f} s"
    met = (
        r["full_publish_s"] <= t["full_publish_s"]
        and r["one_node_given_report_s"] <= t["one_node_changed_s"]
        and r["unchanged_given_report_s"] <= t["unchanged_s"]
        and r["overview_table_s"] is not None
        and r["overview_table_s"] <= t["overview_table_s"]
        and r["node_json_gzip_kb"] <= t["node_json_gzip_kb"]
    )
    load = f"{r['load_before']}; after: {r['load_after'].removeprefix('load average ')}"
    figures = "; ".join(
        [
            f"full {r['full_publish_s']:.1f} s ({r['full_publish_cpu_s']:.1f} s CPU)",
            f"one node changed: publish given the run's report {r['one_node_given_report_s']:.2f} s"
            f" ({r['one_node_given_report_cpu_s']:.2f} s CPU; the target's figure), the same with a new"
            f" df, its disk image drawn {r['one_node_with_df_given_report_s']:.2f} s"
            f" ({r['one_node_with_df_given_report_cpu_s']:.2f} s CPU), publish with its report"
            f" {r['one_node_changed_s']:.2f} s ({r['one_node_changed_cpu_s']:.2f} s CPU)",
            f"unchanged night {r['unchanged_s']:.2f} s ({r['unchanged_cpu_s']:.2f} s CPU), of which the"
            f" report {r['report_s']:.2f} s ({r['report_cpu_s']:.2f} s CPU) and publish given it"
            f" {r['unchanged_given_report_s']:.2f} s ({r['unchanged_given_report_cpu_s']:.2f} s CPU)",
            f"the overview of {r['overview_shape']} shows its grid in Chromium in {overview}",
            f"a node's JSON {r['node_json_gzip_kb']:.0f} KB gzipped",
        ]
    )
    targets = "; ".join(
        f"≤ {t[k]:g} {unit}"
        for k, unit in [
            ("full_publish_s", "s"),
            ("one_node_changed_s", "s"),
            ("unchanged_s", "s"),
            ("overview_table_s", "s"),
            ("node_json_gzip_kb", "KB"),
        ]
    )
    return [f"| publish, {r['shape']} ({load}) | {figures} | {targets} | {yes(met)} |"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=200)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--overview-nodes", type=int, default=OVERVIEW.nodes)
    ap.add_argument("--quick", action="store_true", help="a smoke run: 10 nodes × 10 items × 60 days")
    a = ap.parse_args()
    shape = Shape(10, 10, 60) if a.quick else Shape(a.nodes, a.items, a.days)
    overview = QUICK_OVERVIEW if a.quick else Shape(a.overview_nodes, OVERVIEW.items, OVERVIEW.days)
    r = run(shape, overview)
    print(json.dumps(r, indent=1, ensure_ascii=False))
    print("\n".join(rows(r)))


if __name__ == "__main__":
    main()

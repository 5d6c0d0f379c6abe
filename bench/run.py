"""Run every benchmark and print one table of figures and ratios; write them as JSON.

    .venv/bin/python -m bench.run            # the full run (about 10 minutes on 2 cores)
    .venv/bin/python -m bench.run --quick    # a smoke run with small sizes (seconds)
    .venv/bin/python -m bench.run --only listing,check

Every figure is a median over repeated runs on the same world."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from bench import (
    anomaly_bench,
    capacity_bench,
    check_bench,
    drill_bench,
    fanout,
    ingest,
    listing,
    publish_bench,
)
from bench.common import cpu_info
from bench.world import Shape

RESULTS = Path(__file__).parent / "results"


def _benchmarks(quick: bool) -> dict[str, Callable[[], dict]]:
    if quick:
        return {
            "listing": lambda: listing.run(tarballs=300, repeat=1, seed_repeat=1),
            "fanout": lambda: fanout.run(sizes=(2, 4), tarballs=100, singles=2),
            "ingest": lambda: ingest.run(nodes=2, repeat=1),
            "check": lambda: check_bench.run(Shape(20, 10, 10), repeat=1),
            "publish": lambda: publish_bench.run(Shape(10, 10, 60)),
            "anomaly": lambda: anomaly_bench.run(items=1000),
            "capacity": lambda: capacity_bench.run(nodes=200),
            "drill": lambda: drill_bench.run(items=5, nights=2),
        }
    return {
        "listing": lambda: listing.run(),
        "fanout": lambda: fanout.run(),
        "ingest": lambda: ingest.run(),
        "check": lambda: check_bench.run(Shape(1000, 50, 30)),
        "publish": lambda: publish_bench.run(Shape(200, 50, 365)),
        "anomaly": lambda: anomaly_bench.run(items=20000),
        "capacity": lambda: capacity_bench.run(nodes=4000),
        "drill": lambda: drill_bench.run(),
    }


def table(results: dict[str, dict]) -> str:
    """Given the results, return the table people read (Markdown, as in the README)."""
    rows = ["| benchmark | figure | target | met |", "|---|---|---|---|"]
    if r := results.get("listing"):
        rows.append(
            f"| listing {r['tarballs']:,} tarballs, one node over sshd | "
            f"tarwatch collect {r['tarwatch_s']:.2f} s "
            f"(steady {r['tarwatch_steady_s']:.2f} s); seed `find -exec du` {r['seed_s']:.2f} s; floor "
            f"`ssh find -printf` {r['floor_s']:.2f} s → **{r['vs_seed']:.1f}× faster than the seed, "
            f"{r['vs_floor']:.2f}× the floor** | ≥ 8× the seed, ≤ 3× the floor | {_yes(r['met'])} |"
        )
    if r := results.get("fanout"):
        parts = [
            f"{n} nodes {v['wall_s']:.1f} s = {v['vs_slowest_single']:.1f}× "
            f"(client CPU {v['client_cpu_per_node_ms']:.0f} ms/node, peak {v['peak_mb']:.0f} MB)"
            for n, v in r["sizes"].items()
        ]
        rows.append(
            f"| fan-out, {r['tarballs_per_node']:,} tarballs per node | slowest single node "
            f"{r['slowest_single_s']:.1f} s; "
            + "; ".join(parts)
            + f" | ≤ 2× the slowest single, memory flat | "
            f"{_yes(r['met'])} |"
        )
    if r := results.get("ingest"):
        rows.append(
            f"| ingest {r['tarballs']:,} tarballs | first {r['first_rows_per_s']:,.0f} rows/s "
            f"({r['first_store_s']:.1f} s, peak {r['first_peak_mb']:.0f} MB); nightly, nothing changed: "
            f"{r['steady_store_s']:.1f} s, peak {r['steady_peak_mb']:.0f} MB | "
            "≥ 100,000 rows/s; ≤ 5 s, ≤ 300 MB | "
            f"{_yes(r['met'])} |"
        )
    if r := results.get("check"):
        rows.append(
            f"| check, {r['shape']} | {r['median_s']:.2f} s ({r['items']:,} items) | < 2 s | "
            f"{_yes(r['median_s'] < r['target_s'])} |"
        )
    if r := results.get("publish"):
        t = r["targets"]
        overview = "not measured" if r["overview_table_s"] is None else f"{r['overview_table_s']:.2f} s"
        met = (
            r["full_publish_s"] <= t["full_publish_s"]
            and r["one_node_changed_s"] <= t["one_node_changed_s"]
            and r["overview_table_s"] is not None
            and r["overview_table_s"] <= t["overview_table_s"]
            and r["node_json_gzip_kb"] <= t["node_json_gzip_kb"]
        )
        rows.append(
            f"| publish, {r['shape']} | full {r['full_publish_s']:.1f} s; one node changed "
            f"{r['one_node_changed_s']:.1f} s; overview of all nodes in Chromium {overview}; a node's JSON "
            f"{r['node_json_gzip_kb']:.0f} KB gzipped | ≤ 60 s; ≤ 5 s; ≤ 1.5 s; ≤ 100 KB | {_yes(met)} |"
        )
    if r := results.get("anomaly"):
        rows.append(
            f"| anomaly, {r['items']:,} generated items ({r['planted']:,} planted anomalies; weekly "
            f"rhythm, growth, steps, noise) | precision {r['precision']:.3f}, recall {r['recall']:.3f} "
            f"({r['false_positives']} false, {r['planted'] - r['true_positives']} missed); "
            f"{r['short_warnings']} warnings on {r['short_items']:,} short histories; "
            f"{r['per_item_us']:.0f} µs per item | ≥ 0.95, ≥ 0.9; none | {_yes(r['met'])} |"
        )
    if r := results.get("capacity"):
        h14, h30 = r["history_14"], r["history_30"]
        rows.append(
            f"| capacity, {r['nodes']:,} generated nodes with a known fill date (3–200 days; nightly or "
            f"weekly purges, noise, cleanups) | from 14 days of history: {h14['within_10pct']:.1%} within "
            f"10% of the remaining days, relative error median {h14['median_relative_error']:.3f}, p95 "
            f"{h14['p95_relative_error']:.3f}; from 30 days: {h30['within_10pct']:.1%}, p95 "
            f"{h30['p95_relative_error']:.3f}; {r['per_forecast_us']:.0f} µs per forecast | error ≤ 10% "
            f"(p95) from 14 days | {_yes(r['met'])} |"
        )
    if r := results.get("drill"):
        rows.append(
            f"| restore drills, {r['items']} items × {r['nights']} nights, one node, gzip -t, "
            f"drill_share {r['drill_share']} | "
            f"`tarwatch run` {r['run_off_s']:.2f} s off, {r['run_on_s']:.2f} s on (+{r['growth']:.0%}); "
            f"promised {r['promised_runs'][1:]} runs, longest wait {r['longest_wait_runs']} runs | "
            f"≤ +20%; every item within the promise | {_yes(r['met'])} |"
        )
    return "\n".join(rows)


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    ap.add_argument(
        "--only", help="comma-separated: listing,fanout,ingest,check,publish,anomaly,capacity,drill"
    )
    ap.add_argument("--out", type=Path, help="JSON file (default bench/results/latest.json)")
    a = ap.parse_args()
    chosen = _benchmarks(a.quick)
    if a.only:
        chosen = {k: v for k, v in chosen.items() if k in a.only.split(",")}
    results: dict[str, dict] = {}
    for name, bench in chosen.items():
        t0 = time.perf_counter()
        print(f"… {name}", flush=True)
        results[name] = bench()
        print(f"  done in {time.perf_counter() - t0:.0f} s", flush=True)
    doc = {
        "machine": cpu_info(),
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "quick": a.quick,
    }
    doc["results"] = results
    out = a.out or RESULTS / ("quick.json" if a.quick else "latest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1))
    print(f"\nMachine: {doc['machine']}; {doc['when']}\n")
    print(table(results))
    print(f"\n(JSON: {out})")


if __name__ == "__main__":
    main()

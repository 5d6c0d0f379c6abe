"""Run every benchmark and print one table of figures and ratios; write them as JSON.

    .venv/bin/python -m bench.run            # the full run (about 10 minutes on 2 cores)
    .venv/bin/python -m bench.run --quick    # a smoke run with small sizes (seconds)
    .venv/bin/python -m bench.run --only listing,check   # some of them

The JSON goes to bench/results/latest.json (quick.json for --quick; latest-listing-check.json
for a partial run). Each benchmark module writes its own rows of the table (`rows`).

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
    startup,
)
from bench.common import cpu_info, load_average
from bench.world import Shape

RESULTS = Path(__file__).parent / "results"


MODULES = {
    "listing": listing,
    "fanout": fanout,
    "ingest": ingest,
    "check": check_bench,
    "publish": publish_bench,
    "anomaly": anomaly_bench,
    "capacity": capacity_bench,
    "drill": drill_bench,
    "startup": startup,
}


def _benchmarks(quick: bool) -> dict[str, Callable[[], dict]]:
    if quick:
        return {
            "listing": lambda: listing.run(tarballs=300, repeat=1, seed_repeat=1),
            "fanout": lambda: fanout.run(sizes=(2, 4), tarballs=100, singles=2, repeat=1),
            "ingest": lambda: ingest.run(nodes=2, repeat=1),
            "check": lambda: check_bench.run(Shape(20, 10, 10), repeat=1),
            "publish": lambda: publish_bench.run(Shape(10, 10, 60), publish_bench.QUICK_OVERVIEW),
            "anomaly": lambda: anomaly_bench.run(items=1000),
            "capacity": lambda: capacity_bench.run(nodes=200),
            "drill": lambda: drill_bench.run(items=5, nights=2),
            "startup": lambda: startup.run(repeat=3),
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
        "startup": lambda: startup.run(),
    }


def table(results: dict[str, dict]) -> str:
    """Given the results, return the table people read (Markdown, as in the README): each
    benchmark module writes its own rows."""
    rows = ["| benchmark | figure | target | met |", "|---|---|---|---|"]
    for name, r in results.items():
        rows += MODULES[name].rows(r)
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    ap.add_argument(
        "--only", help="comma-separated: listing,fanout,ingest,check,publish,anomaly,capacity,drill,startup"
    )
    ap.add_argument("--out", type=Path, help="JSON file (default bench/results/latest.json)")
    a = ap.parse_args()
    chosen = _benchmarks(a.quick)
    if a.only:
        chosen = {k: v for k, v in chosen.items() if k in a.only.split(",")}
    load_before = load_average()
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
        "load_before": load_before,
    }
    doc["results"] = results
    doc["load_after"] = load_average()
    # latest.json holds the last full run; a partial one goes beside it
    name = "quick" if a.quick else "latest"
    if a.only:
        name = f"{name}-{'-'.join(chosen)}"
    out = a.out or RESULTS / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1))
    print(f"\nMachine: {doc['machine']}; {doc['when']}")
    print(f"{doc['load_before']} at the start, {doc['load_after']} at the end\n")
    print(table(results))
    print(f"\n(JSON: {out})")


if __name__ == "__main__":
    main()

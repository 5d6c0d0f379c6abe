"""Benchmark: `check` over a stored history of N nodes × M items × D tarballs (default 1,000 ×
50 × 30). Builds the store once (cached by shape in bench/results/), then times the verdicts
(store read + every check + the JSON document) as a median over repeated runs."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.world import DAY, T0, Shape, snapshot_for
from tarwatch.checks import to_json
from tarwatch.cli.check import build_report
from tarwatch.config.load import validate
from tarwatch.store import Store

RESULTS = Path(__file__).parent / "results"
SCHEMA = "0001d"  # bump when the store's tables change, so that a cached store is rebuilt


def config_for(shape: Shape, db: Path):
    nodes = {f"N{n:04d}": {} for n in range(shape.nodes)}
    return validate(
        {
            "store": {"url": f"sqlite:///{db}"},
            "defaults": {"keep_max": 40},
            "hubs": {"H": {"srvnode": "h", "source": "N0000", "nodes": list(nodes)[1:]}},
            "nodes": nodes,
        },
        "bench",
    )


def build_store(shape: Shape, db: Path) -> float:
    """Make the store for `shape` unless it exists; return the seconds it took (0 if cached)."""
    if db.exists():
        return 0.0
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_suffix(".building")
    for p in tmp.parent.glob(tmp.name + "*"):
        p.unlink()
    store = Store.open(f"sqlite:///{tmp}")
    run = store.begin_run(T0, "bench", ["H"])
    t0 = time.perf_counter()
    at = T0 + shape.days * DAY
    for n in range(shape.nodes):
        # Every node holds a copy of the source's tarballs; one in fifty misses the newest night.
        snap = snapshot_for(shape, 0)
        if n % 50 == 49:
            newest = max(t.stamp for t in snap.tarballs)
            snap.tarballs = [t for t in snap.tarballs if t.stamp < newest - DAY]
        store.record_poll(run, "H", f"N{n:04d}", at, ok=True, reason=None, duration=0.1, snap=snap)
        if n % 100 == 99:
            print(f"  stored {n + 1}/{shape.nodes} nodes", file=sys.stderr)
    store.engine.dispose()
    tmp.rename(db)
    for suffix in ("-wal", "-shm"):
        p = Path(str(tmp) + suffix)
        if p.exists():
            p.unlink()
    return time.perf_counter() - t0


def run(shape: Shape, repeat: int = 5) -> dict:
    db = RESULTS / f"check-{shape.nodes}x{shape.items}x{shape.days}-{SCHEMA}.db"
    build_s = build_store(shape, db)
    config = config_for(shape, db)
    store = Store.open(config.store.url)
    now = T0 + shape.days * DAY + 3600
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        report = build_report(config, ["H"], store, now)
        doc = json.dumps(to_json(report))
        times.append(time.perf_counter() - t0)
    items = sum(len(n.items) for h in report.hubs for n in h.nodes)
    return {
        "benchmark": "check",
        "shape": f"{shape.nodes} nodes × {shape.items} items × {shape.days} tarballs",
        "tarballs": shape.nodes * shape.items * shape.days,
        "items": items,
        "median_s": statistics.median(times),
        "runs": times,
        "json_bytes": len(doc),
        "store_built_s": build_s,
        "target_s": 2.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    print(json.dumps(run(Shape(a.nodes, a.items, a.days), a.repeat), indent=1))


if __name__ == "__main__":
    main()

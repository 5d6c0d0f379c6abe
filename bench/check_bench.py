"""Benchmark: `check` over a stored history of N nodes × M items × D tarballs (default 1,000 ×
50 × 30). Builds the store once (cached by shape in bench/results/), then times the verdicts
(store read + every check + the JSON document) as a median over repeated runs."""

from __future__ import annotations

import argparse
import json
import statistics
import time

from bench.common import load_average, yes
from bench.world import DAY, T0, Shape, stored_config, stored_world
from tarwatch.app.report import build_report
from tarwatch.formats.document import to_json
from tarwatch.store import Store


def run(shape: Shape, repeat: int = 5) -> dict:
    db, build_s = stored_world(shape, "check")
    config = stored_config(shape, db)
    store = Store.open(config.store.url)
    now = T0 + shape.days * DAY + 3600
    times, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        report = build_report(config, ["H"], store, now)
        doc = json.dumps(to_json(report))
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    items = sum(len(n.items) for h in report.hubs for n in h.nodes)
    read = _recent_reads(store, config, now, repeat)
    return {
        "benchmark": "check",
        "shape": f"{shape.nodes} nodes × {shape.items} items × {shape.days} tarballs",
        "tarballs": shape.nodes * shape.items * shape.days,
        "items": items,
        "median_s": statistics.median(times),
        "cpu_s": statistics.median(cpus),
        "runs": times,
        "json_bytes": len(doc),
        "store_built_s": build_s,
        "target_s": 2.0,
        **read,
        "load": load_average(),
    }


def _recent_reads(store: Store, config, now: float, repeat: int) -> dict:
    """The anomaly baseline's read side by side, medians: from the one `recent_sizes` row per
    node kept at collect time (schema 0006), and from the tarballs as before 0006 (the read a
    node without such a row still gets); both give the same."""
    from tarwatch.app.report import anomaly_since
    from tarwatch.store.ingest import placeholder
    from tarwatch.store.store import _recent_from_tarballs

    since = anomaly_since(config, ["H"], now)
    assert since is not None
    nodes = list(store.item_histories(["H"]))
    rows_s, tarballs_s, rows_cpu, tarballs_cpu = [], [], [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        kept = store.recent_sizes(nodes, since)
        rows_s.append(time.perf_counter() - t0)
        rows_cpu.append(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        with store._engine.connect() as conn:
            cur = conn.connection.cursor()
            old = _recent_from_tarballs(conn, cur, placeholder(conn), nodes, int(since))
            cur.close()
        tarballs_s.append(time.perf_counter() - t0)
        tarballs_cpu.append(time.process_time() - c0)
    assert kept == old, "the recent sizes kept differ from the tarballs'"
    return {
        "recent_rows_s": statistics.median(rows_s),
        "recent_rows_cpu_s": statistics.median(rows_cpu),
        "recent_tarballs_s": statistics.median(tarballs_s),
        "recent_tarballs_cpu_s": statistics.median(tarballs_cpu),
    }


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    return [
        f"| check, {r['shape']} | {r['median_s']:.2f} s, CPU {r['cpu_s']:.2f} s ({r['items']:,} items; "
        f"the anomaly baseline's read {r['recent_rows_s']:.2f} s (CPU {r['recent_rows_cpu_s']:.2f} s) "
        f"from the recent sizes kept, {r['recent_tarballs_s']:.2f} s (CPU "
        f"{r['recent_tarballs_cpu_s']:.2f} s) from the tarballs as before 0006; {r['load']}) | < 2 s | "
        f"{yes(r['median_s'] < r['target_s'])} |"
    ]


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

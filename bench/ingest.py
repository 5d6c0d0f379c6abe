"""Ingest: the first ingest of a million tarballs (50 nodes × 20,000) into a new SQLite store,
in rows per second of store work; then the steady-state nightly run over that store (the same
listings again: nothing changed), in seconds of store work, and its peak memory. Each phase runs
in a child process of its own, so that its peak memory is its own."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import yes
from bench.world import DAY, T0, Shape, snapshot_for

SHAPE = Shape(nodes=50, items=200, days=101, seed=11)


def _phase(db: str, phase: str, nodes: int) -> dict:
    """In the child: record one poll per node; return seconds of store work and rows."""
    from tarwatch.store import Store

    store = Store.open(f"sqlite:///{db}")
    run = store.begin_run(T0, "bench", ["H"])
    at = T0 + SHAPE.days * DAY + (0 if phase == "first" else DAY)
    work, rows = 0.0, 0
    for n in range(nodes):
        snap = snapshot_for(SHAPE, n)  # what a listing gives: not store work
        t0 = time.perf_counter()
        store.record_poll(run, "H", f"N{n:02d}", at, ok=True, reason=None, duration=0.1, snap=snap)
        work += time.perf_counter() - t0
        rows += len(snap.tarballs)
        del snap
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"store_s": work, "rows": rows, "peak_mb": peak}


def _child(db: str, phase: str, nodes: int) -> dict:
    p = subprocess.run(
        [sys.executable, "-m", "bench.ingest", "--child", db, phase, str(nodes)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(p.stdout)


def run(nodes: int = SHAPE.nodes, repeat: int = 3) -> dict:
    firsts, steadies = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="tarwatch-ingest-") as tmp:
            db = str(Path(tmp) / "ingest.db")
            firsts.append(_child(db, "first", nodes))
            steadies.append(_child(db, "steady", nodes))
    firsts.sort(key=lambda r: r["store_s"])
    steadies.sort(key=lambda r: r["store_s"])
    first, steady = firsts[len(firsts) // 2], steadies[len(steadies) // 2]
    rate = first["rows"] / first["store_s"]
    return {
        "benchmark": "ingest",
        "tarballs": first["rows"],
        "first_rows_per_s": rate,
        "first_store_s": first["store_s"],
        "first_peak_mb": first["peak_mb"],
        "steady_store_s": steady["store_s"],
        "steady_peak_mb": steady["peak_mb"],
        "targets": "first ≥ 100,000 rows/s; steady ≤ 5 s of store work, peak ≤ 300 MB",
        "met": rate >= 100_000 and steady["store_s"] <= 5 and steady["peak_mb"] <= 300,
        "runs": {"first_s": [r["store_s"] for r in firsts], "steady_s": [r["store_s"] for r in steadies]},
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_phase(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    else:
        print(json.dumps(run(), indent=1))


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    return [
        f"| ingest {r['tarballs']:,} tarballs | first {r['first_rows_per_s']:,.0f} rows/s "
        f"({r['first_store_s']:.1f} s, peak {r['first_peak_mb']:.0f} MB); nightly, nothing changed: "
        f"{r['steady_store_s']:.1f} s, peak {r['steady_peak_mb']:.0f} MB | "
        "≥ 100,000 rows/s; ≤ 5 s, ≤ 300 MB | "
        f"{yes(r['met'])} |"
    ]

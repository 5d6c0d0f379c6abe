"""Ingest: the first ingest of a million tarballs (50 nodes × 20,000) into a new store, against
the floor: the database alone inserting the same rows (prepared tuples, sorted as tarwatch
sorts them) into the same fresh table with a bare `executemany`, one transaction per node as
tarwatch does, measured in the same run; then the steady-state nightly run over that store (the
same listings again: nothing changed), in seconds of store work, and its peak memory. Wall and
CPU time (this process's; PostgreSQL's server works in processes of its own) for each. Each
phase runs in a child process of its own, so that its peak memory is its own. SQLite always;
PostgreSQL too (tests/support/postgres.py starts a real server) unless told otherwise
(--quick: SQLite only).

    .venv/bin/python -m bench.ingest [--nodes 50] [--repeat 3] [--no-postgres]"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, load_average, yes
from bench.world import DAY, T0, Shape, snapshot_for

SHAPE = Shape(nodes=50, items=200, days=101, seed=11)
RATIO = 1.3  # the first ingest within this many times the bare executemany
STEADY_S = 0.5  # the unchanged night over the million: seconds of store work at most
COLUMNS = "node, path, hub, item, stamp, size, mtime, revision, digest, dna_size, md5, first_seen, last_seen"


def _bare(url: str, nodes: int, at: float) -> tuple[float, float, int]:
    """In the child: the floor. A fresh store's empty `tarballs` table (the same schema, made
    by tarwatch), the driver's own connection with the store's settings (SQLite's PRAGMAs),
    and one executemany of each node's prepared, sorted rows and a commit; return (wall, CPU,
    rows)."""
    from tarwatch.store import Store

    store = Store.open(url)
    raw = store._engine.raw_connection()  # the pooled driver connection: the store's PRAGMAs
    qmark = store._engine.dialect.paramstyle == "qmark"
    ph = ", ".join(["?" if qmark else "%s"] * 13)
    sql = f"INSERT INTO tarballs ({COLUMNS}) VALUES ({ph})"
    wall = cpu = 0.0
    rows = 0
    for n in range(nodes):
        snap = snapshot_for(SHAPE, n)
        node = f"N{n:02d}"
        prepared = [
            (
                node,
                t.path,
                "H",
                t.item,
                t.stamp,
                t.size,
                t.mtime,
                t.revision,
                t.digest,
                t.dna_size,
                None,
                at,
                at,
            )
            for t in snap.tarballs
        ]
        prepared.sort(key=lambda r: r[1])  # as tarwatch sorts them
        t0, c0 = time.perf_counter(), time.process_time()
        cur = raw.cursor()
        cur.executemany(sql, prepared)
        cur.close()
        raw.commit()
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        rows += len(prepared)
    raw.close()
    store.close()
    return wall, cpu, rows


def _phase(url: str, phase: str, nodes: int) -> dict:
    """In the child: the bare floor, or record one poll per node; return seconds of store work
    (wall and CPU) and rows."""
    at = T0 + SHAPE.days * DAY + (DAY if phase == "steady" else 0)
    if phase == "bare":
        wall, cpu, rows = _bare(url, nodes, at)
    else:
        from tarwatch.store import Store

        store = Store.open(url)
        run = store.begin_run(T0, "bench", ["H"])
        wall = cpu = 0.0
        rows = 0
        for n in range(nodes):
            snap = snapshot_for(SHAPE, n)  # what a listing gives: not store work
            t0, c0 = time.perf_counter(), time.process_time()
            store.record_poll(run, "H", f"N{n:02d}", at, ok=True, reason=None, duration=0.1, snap=snap)
            wall += time.perf_counter() - t0
            cpu += time.process_time() - c0
            rows += len(snap.tarballs)
            del snap
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"store_s": wall, "cpu_s": cpu, "rows": rows, "peak_mb": peak}


def _child(url: str, phase: str, nodes: int) -> dict:
    p = subprocess.run(
        [sys.executable, "-m", "bench.ingest", "--child", url, phase, str(nodes)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(p.stdout)


def _median(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["store_s"])[len(runs) // 2]


def _database(name: str, nodes: int, repeat: int, fresh) -> dict:
    """The three phases `repeat` times, each on fresh stores (`fresh(tag)` gives a URL): the
    bare floor, the first ingest, the unchanged night; their medians and the ratio."""
    bares, firsts, steadies = [], [], []
    for i in range(repeat):
        bares.append(_child(fresh(f"bare{i}"), "bare", nodes))
        url = fresh(f"store{i}")
        firsts.append(_child(url, "first", nodes))
        steadies.append(_child(url, "steady", nodes))
    bare, first, steady = _median(bares), _median(firsts), _median(steadies)
    ratios = [f["store_s"] / b["store_s"] for b, f in zip(bares, firsts, strict=True)]
    cpu_ratios = [f["cpu_s"] / b["cpu_s"] for b, f in zip(bares, firsts, strict=True)]
    return {
        "database": name,
        "tarballs": first["rows"],
        "bare_s": bare["store_s"],
        "bare_cpu_s": bare["cpu_s"],
        "first_s": first["store_s"],
        "first_cpu_s": first["cpu_s"],
        "first_rows_per_s": first["rows"] / first["store_s"],
        "first_vs_bare": first["store_s"] / bare["store_s"],
        # each repetition's first ingest against the bare floor measured just before it
        "first_vs_bare_runs": ratios,
        "first_vs_bare_cpu": first["cpu_s"] / bare["cpu_s"],
        "first_vs_bare_cpu_runs": cpu_ratios,
        "first_peak_mb": first["peak_mb"],
        "steady_s": steady["store_s"],
        "steady_cpu_s": steady["cpu_s"],
        "steady_peak_mb": steady["peak_mb"],
        "runs": {
            "bare_s": [r["store_s"] for r in bares],
            "first_s": [r["store_s"] for r in firsts],
            "bare_cpu_s": [r["cpu_s"] for r in bares],
            "first_cpu_s": [r["cpu_s"] for r in firsts],
            "steady_s": [r["store_s"] for r in steadies],
        },
    }


def run(nodes: int = SHAPE.nodes, repeat: int = 3, postgres: bool | None = None) -> dict:
    """The figures of SQLite, and of PostgreSQL when `postgres` (by default: for ten nodes or
    more, not for bench.run --quick's two)."""
    if postgres is None:
        postgres = nodes >= 10
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="tarwatch-ingest-") as tmp:
        sqlite = _database("SQLite", nodes, repeat, lambda tag: f"sqlite:///{Path(tmp) / tag}.db")
    pg = None
    if postgres:
        sys.path.insert(0, str(ROOT / "tests"))
        from support.postgres import Postgres

        server = Postgres()
        try:
            pg = _database("PostgreSQL", nodes, repeat, server.fresh_database)
        finally:
            server.stop()
    scale = 1_000_000 / sqlite["tarballs"]  # the unchanged night's target is for a million
    met = sqlite["first_vs_bare"] <= RATIO and sqlite["steady_s"] * scale <= STEADY_S
    return {
        "benchmark": "ingest",
        "tarballs": sqlite["tarballs"],
        # the figures of earlier runs, under their names (SQLite)
        "first_rows_per_s": sqlite["first_rows_per_s"],
        "first_store_s": sqlite["first_s"],
        "first_peak_mb": sqlite["first_peak_mb"],
        "steady_store_s": sqlite["steady_s"],
        "steady_peak_mb": sqlite["steady_peak_mb"],
        "bare_s": sqlite["bare_s"],
        "first_vs_bare": sqlite["first_vs_bare"],
        "sqlite": sqlite,
        "postgres": pg,
        "load_before": load_before,
        "load_after": load_average(),
        "targets": f"first ≤ {RATIO}× the bare executemany; unchanged night over 1 M ≤ {STEADY_S} s",
        "met": met,
    }


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    out = []
    for d in (r["sqlite"], r.get("postgres")):
        if d is None:
            continue
        target = f"≤ {RATIO}×; ≤ {STEADY_S} s for 1 M" if d["database"] == "SQLite" else "reported"
        met = yes(r["met"]) if d["database"] == "SQLite" else "—"
        each = ", ".join(f"{x:.2f}×" for x in d["first_vs_bare_runs"])
        each_cpu = ", ".join(f"{x:.2f}×" for x in d["first_vs_bare_cpu_runs"])
        out.append(
            f"| ingest {d['tarballs']:,} tarballs, {d['database']} | first {d['first_s']:.2f} s "
            f"(CPU {d['first_cpu_s']:.2f} s, {d['first_rows_per_s']:,.0f} rows/s) = "
            f"{d['first_vs_bare']:.2f}× the bare executemany's {d['bare_s']:.2f} s (CPU "
            f"{d['bare_cpu_s']:.2f} s; each repetition {each}, in CPU {each_cpu}), "
            f"peak {d['first_peak_mb']:.0f} MB; nightly, nothing changed: "
            f"{d['steady_s']:.2f} s (CPU {d['steady_cpu_s']:.2f} s), peak {d['steady_peak_mb']:.0f} MB; "
            f"{r['load_before']} | {target} | {met} |"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=SHAPE.nodes)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-postgres", action="store_true")
    a = ap.parse_args()
    r = run(a.nodes, a.repeat, not a.no_postgres)
    print(json.dumps(r, indent=1))
    print("\n".join(rows(r)))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_phase(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
    else:
        main()

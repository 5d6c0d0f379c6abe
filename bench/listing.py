"""Listing one node behind a real sshd holding 20,000 tarballs, three ways, on the same tree,
side by side (each repetition runs them one after the other, so the machine's load is shared):

seed    the original's remote command, `find ROOT -name '*.gz' -exec du --block-size=1M {} \\;`
floor   one bare `ssh node find ROOT -printf …` to /dev/null: the least any tool can do
fresh   tarwatch collect into a new store (interpreter start, SSH, parsing and storing included)
nightly tarwatch collect again, nothing changed on the node

and tarwatch's own CPU time (user + system of its process, the SSH client in it included) per
tarball listed. A node holding a handful of tarballs, collected the same way, gives the fixed
part of it (the interpreter, the imports, one SSH connection): what is left is per tarball.

Beside them, warm: the same collects made inside one Python process that has already imported
everything and loaded its configuration (what a hub daemon would be), calling the collect the
CLI calls (collect.run.run_collect, under the run lock, into a Store.open'ed store): a first
collect into a store of its own warms it; then a collect into a new store is timed (warm fresh)
and one more into the same store (warm nightly). Their distance from the floor is what is left
once the interpreter's start and the imports are gone.

    .venv/bin/python -m bench.listing --tarballs 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Measured, SshLab, lab_env, medians, run_measured, tarwatch_argv, yes
from bench.world import Shape, write_tree

FLOOR_PRINTF = "%s %T@ %p\\n"
TARGETS = {"vs_floor": 1.3, "vs_seed": 20.0, "us_fresh": 20.0, "us_nightly": 10.0}


def _config(path: Path, db: Path, node: str) -> Path:
    path.write_text(
        f'[store]\nurl = "sqlite:///{db}"\n[defaults]\ntimeout = "300s"\n'
        f'[hubs.H]\nsrvnode = "hub"\nnodes = ["{node}"]\n[nodes.{node}]\n'
    )
    return path


def warm_collects(config_path: str, warm_up_db: str) -> dict[str, dict[str, float]]:
    """In this process: import and load everything, collect once into the store at `warm_up_db`
    (untimed), then into the configuration's own store twice (it must not exist yet): return
    the wall and CPU seconds (this process, the SSH client in it included) of those two, "fresh"
    and "nightly"."""
    from tarwatch.app.progress import Quiet
    from tarwatch.collect.run import run_collect
    from tarwatch.config import load_config
    from tarwatch.store.lock import acquire
    from tarwatch.store.store import Store

    config, _ = load_config(config_path)
    hubs = list(config.hubs)

    def collect(url: str) -> dict[str, float]:
        cpu, t0 = time.process_time(), time.perf_counter()
        lock = acquire(url, "collect", 0.0, hubs)  # as `tarwatch collect` does
        try:

            def opened() -> Store:
                store = Store.open(url)
                store.guard_writes(lock.check)
                return store

            outcomes = run_collect(config, hubs, opened, time.time(), Quiet())
        finally:
            lock.release()
        if not all(o.ok for o in outcomes):
            raise RuntimeError(f"a warm collect failed: {[o.reason for o in outcomes if not o.ok]}")
        return {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - cpu}

    collect(f"sqlite:///{warm_up_db}")  # imports, SSH files read, code paths run once: untimed
    return {"fresh": collect(config.store.url), "nightly": collect(config.store.url)}


def _warm_run(config: Path, base: Path, env: dict[str, str]) -> tuple[Measured, Measured]:
    """Given the big node's configuration (its store removed), run warm_collects in a new
    process; return its fresh and nightly collects as Measured (peak: that process's)."""
    load = os.getloadavg()[0]
    for old in base.glob("warm-up.db*"):
        old.unlink()
    p = subprocess.run(
        [sys.executable, "-m", "bench.listing", "--warm-child", str(config), str(base / "warm-up.db")],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if p.returncode != 0:
        raise RuntimeError(f"the warm collects failed: {p.stderr[-2000:]}")
    got = json.loads(p.stdout)
    fresh, nightly = (
        Measured(got[k]["wall_s"], got[k]["cpu_s"], got["peak_mb"], load) for k in ("fresh", "nightly")
    )
    return fresh, nightly


def run(tarballs: int = 20_000, repeat: int = 5, seed_repeat: int = 3) -> dict:
    days = 100
    shape = Shape(nodes=1, items=max(1, tarballs // days), days=days, seed=7)
    with tempfile.TemporaryDirectory(prefix="tarwatch-bench-") as tmp:
        base = Path(tmp)
        root = base / "fold" / "backup" / "hub"
        n = write_tree(shape, 0, root)
        small = write_tree(Shape(nodes=1, items=1, days=10, seed=7), 0, base / "small" / "backup" / "hub")
        lab = SshLab(base / "lab")
        runs: dict[str, list[Measured]] = {
            k: [] for k in ("floor", "seed", "fresh", "nightly", "small", "warm_fresh", "warm_nightly")
        }
        try:
            lab.add_node("N", env={"SCM_FOLD": str(base / "fold")})
            lab.add_node("S", env={"SCM_FOLD": str(base / "small")})
            env = lab_env(lab, XDG_DATA_HOME=str(base / "data"))
            db = base / "tw.db"
            big = tarwatch_argv("--config", str(_config(base / "n.toml", db, "N")), "-q", "collect")
            tiny = tarwatch_argv(
                "--config", str(_config(base / "s.toml", base / "s.db", "S")), "-q", "collect"
            )
            ssh = ["ssh", "-F", str(lab.ssh_config), "N"]
            floor = [*ssh, f"find {root} -printf '{FLOOR_PRINTF}'"]
            seed = [*ssh, f"find {root} -name '*.gz' -exec du --block-size=1M {{}} \\;"]
            run_measured(tiny, env)  # the small node's store exists: its runs are nightly ones
            for i in range(repeat):
                runs["floor"].append(run_measured(floor, env))
                for p in base.glob("tw.db*"):
                    p.unlink()
                runs["fresh"].append(run_measured(big, env))
                runs["nightly"].append(run_measured(big, env))
                runs["small"].append(run_measured(tiny, env))
                for p in base.glob("tw.db*"):
                    p.unlink()
                warm_fresh, warm_nightly = _warm_run(base / "n.toml", base, env)
                runs["warm_fresh"].append(warm_fresh)
                runs["warm_nightly"].append(warm_nightly)
                if i < seed_repeat:
                    runs["seed"].append(run_measured(seed, env))
        finally:
            lab.stop()
            shutil.rmtree(base / "lab", ignore_errors=True)
    m = {k: medians(v) for k, v in runs.items()}
    # ratios of the runs side by side (the same repetition), then their median
    vs_floor = statistics.median(f.wall / o.wall for f, o in zip(runs["fresh"], runs["floor"], strict=True))
    vs_floor_nightly = statistics.median(
        f.wall / o.wall for f, o in zip(runs["nightly"], runs["floor"], strict=True)
    )
    warm_vs_floor = {
        k: statistics.median(w.wall / o.wall for w, o in zip(runs[f"warm_{k}"], runs["floor"], strict=True))
        for k in ("fresh", "nightly")
    }
    fixed = m["small"]["cpu_s"]
    us = {k: 1e6 * m[k]["cpu_s"] / n for k in ("fresh", "nightly")}
    us_beyond = {k: 1e6 * max(0.0, m[k]["cpu_s"] - fixed) / max(1, n - small) for k in ("fresh", "nightly")}
    r = {
        "benchmark": "listing",
        "tarballs": n,
        "small_tarballs": small,
        "floor_s": m["floor"]["wall_s"],
        "seed_s": m["seed"]["wall_s"],
        "tarwatch_s": m["fresh"]["wall_s"],
        "tarwatch_steady_s": m["nightly"]["wall_s"],
        "vs_seed": m["seed"]["wall_s"] / m["fresh"]["wall_s"],
        "vs_seed_steady": m["seed"]["wall_s"] / m["nightly"]["wall_s"],
        "vs_floor": vs_floor,
        "vs_floor_steady": vs_floor_nightly,
        # the same collects in a process already warm (imports done, configuration loaded)
        "warm_s": m["warm_fresh"]["wall_s"],
        "warm_steady_s": m["warm_nightly"]["wall_s"],
        "warm_vs_floor": warm_vs_floor["fresh"],
        "warm_vs_floor_steady": warm_vs_floor["nightly"],
        "warm_us_per_tarball": 1e6 * m["warm_fresh"]["cpu_s"] / n,
        "warm_us_per_tarball_steady": 1e6 * m["warm_nightly"]["cpu_s"] / n,
        "tarwatch_peak_mb": m["fresh"]["peak_mb"],
        # tarwatch's CPU (its process, SSH client included) per tarball listed, and beyond the
        # fixed part (interpreter, imports, connection: the small node's CPU)
        "us_per_tarball": us["fresh"],
        "us_per_tarball_steady": us["nightly"],
        "us_per_tarball_beyond_start": us_beyond["fresh"],
        "us_per_tarball_beyond_start_steady": us_beyond["nightly"],
        "start_cpu_s": fixed,
        "figures": m,
        "targets": "≤ 1.3× the floor and ≥ 20× faster than the seed, fresh and nightly; "
        "≤ 20 µs of tarwatch CPU per tarball fresh, ≤ 10 µs nightly",
        "runs": {k: [(x.wall, x.cpu, x.load) for x in v] for k, v in runs.items()},
    }
    r["met_wall"] = (
        max(vs_floor, vs_floor_nightly) <= TARGETS["vs_floor"]
        and min(r["vs_seed"], r["vs_seed_steady"]) >= TARGETS["vs_seed"]
    )
    r["met_cpu"] = us["fresh"] <= TARGETS["us_fresh"] and us["nightly"] <= TARGETS["us_nightly"]
    r["met"] = r["met_wall"] and r["met_cpu"]
    return r


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    f = r["figures"]

    def cell(k: str) -> str:
        return f"{f[k]['wall_s']:.2f} s (CPU {f[k]['cpu_s']:.2f} s, load {f[k]['load']:.1f})"

    return [
        f"| listing {r['tarballs']:,} tarballs, one node over sshd | "
        f"tarwatch collect into a new store {cell('fresh')}, nightly (nothing changed) "
        f"{cell('nightly')}; the seed's `find -exec du` {cell('seed')}; the floor, one bare "
        f"`ssh find -printf` {cell('floor')} → **{r['vs_floor']:.2f}× the floor "
        f"({r['vs_floor_steady']:.2f}× nightly), {r['vs_seed']:.1f}× faster than the seed "
        f"({r['vs_seed_steady']:.1f}× nightly)** | ≤ 1.3× the floor, ≥ 20× the seed, fresh and "
        f"nightly | {yes(r['met_wall'])} |",
        f"| client cost per listed tarball (the same runs) | tarwatch's CPU "
        f"{r['us_per_tarball']:.1f} µs per tarball fresh, {r['us_per_tarball_steady']:.1f} µs "
        f"nightly; of which start-up (interpreter, imports, one connection: a "
        f"{r['small_tarballs']}-tarball node) {r['start_cpu_s']:.2f} s, beyond it "
        f"{r['us_per_tarball_beyond_start']:.1f} / {r['us_per_tarball_beyond_start_steady']:.1f} µs "
        f"| ≤ 20 µs fresh, ≤ 10 µs nightly | {yes(r['met_cpu'])} |",
        f"| listing, the same collects in a warm process (imports done, configuration loaded: what "
        f"a hub daemon would be; the same runs) | fresh {cell('warm_fresh')}, nightly "
        f"{cell('warm_nightly')} → **{r['warm_vs_floor']:.2f}× the floor "
        f"({r['warm_vs_floor_steady']:.2f}× nightly)**; tarwatch's CPU "
        f"{r['warm_us_per_tarball']:.1f} / {r['warm_us_per_tarball_steady']:.1f} µs per tarball "
        "| — (the target is the cold rows') | — |",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarballs", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed-repeat", type=int, default=3)
    ap.add_argument("--warm-child", nargs=2, metavar=("CONFIG", "WARM_UP_DB"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.warm_child:  # the warm process of _warm_run: its figures as JSON on stdout
        import resource

        got: dict = warm_collects(*a.warm_child)
        got["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(got))
        return
    r = run(a.tarballs, a.repeat, a.seed_repeat)
    print("\n".join(rows(r)))
    print(json.dumps({k: v for k, v in r.items() if k != "runs"}, indent=1))


if __name__ == "__main__":
    main()

"""Fan-out: `tarwatch collect` over 8, 16 and 64 nodes, each a real sshd on its own 127.0.0.x
(they list the same tree), against the slowest of a few single nodes collected alone; and the
peak memory of the collecting process, which should not grow with the number of nodes.

On one machine the nodes' sshd and find run on the same two cores as tarwatch, which remote
nodes would not: the client's own CPU time per node is reported too."""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import SshLab, lab_env, run_timed, tarwatch_argv, yes
from bench.world import Shape, write_tree


def _config(path: Path, db: Path, nodes: list[str]) -> Path:
    body = "\n".join(f"[nodes.{n}]" for n in nodes)
    path.write_text(
        f'[store]\nurl = "sqlite:///{db}"\n[defaults]\ntimeout = "120s"\n'
        f'[hubs.H]\nsrvnode = "hub"\nnodes = {nodes!r}\n{body}\n'.replace("'", '"')
    )
    return path


def _collect(config: Path, env: dict[str, str], base: Path) -> tuple[float, float, float]:
    """Run collect into a fresh store; return (wall s, peak RSS MB, client CPU s)."""
    for p in base.glob("fan.db*"):
        p.unlink()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    secs, _ = run_timed(tarwatch_argv("--config", str(config), "-q", "collect"), env)
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return secs, cpu1.ru_maxrss / 1024, cpu


def run(sizes: tuple[int, ...] = (8, 16, 64), tarballs: int = 2_000, singles: int = 4) -> dict:
    shape = Shape(nodes=1, items=max(1, tarballs // 50), days=50, seed=3)
    out: dict = {"benchmark": "fanout", "tarballs_per_node": 0, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="tarwatch-fanout-") as tmp:
        base = Path(tmp)
        out["tarballs_per_node"] = write_tree(shape, 0, base / "fold" / "backup" / "hub")
        lab = SshLab(base / "lab")
        try:
            names = [f"n{i:02d}" for i in range(max(sizes))]
            for n in names:
                lab.add_node(n, env={"SCM_FOLD": str(base / "fold")})
            env = lab_env(lab, XDG_DATA_HOME=str(base / "data"))
            db = base / "fan.db"
            step = max(1, len(names) // singles)
            single = []
            for n in names[::step][:singles]:
                single.append(_collect(_config(base / "one.toml", db, [n]), env, base)[0])
            slowest = max(single)
            out["slowest_single_s"] = slowest
            for size in sizes:
                config = _config(base / f"fan{size}.toml", db, names[:size])
                runs = [_collect(config, env, base) for _ in range(3)]
                runs.sort()
                wall, peak, cpu = runs[1]
                out["sizes"][size] = {
                    "wall_s": wall,
                    "vs_slowest_single": wall / slowest,
                    "client_cpu_s": cpu,
                    "client_cpu_per_node_ms": 1000 * cpu / size,
                    "peak_mb": peak,
                }
                time.sleep(0.5)
        finally:
            lab.stop()
            shutil.rmtree(base / "lab", ignore_errors=True)
    out["targets"] = "wall ≤ 2× the slowest single node; memory flat"
    walls = [v["vs_slowest_single"] for v in out["sizes"].values()]
    out["met"] = all(w <= 2 for w in walls)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    parts = [
        f"{n} nodes {v['wall_s']:.1f} s = {v['vs_slowest_single']:.1f}× "
        f"(client CPU {v['client_cpu_per_node_ms']:.0f} ms/node, peak {v['peak_mb']:.0f} MB)"
        for n, v in r["sizes"].items()
    ]
    return [
        f"| fan-out, {r['tarballs_per_node']:,} tarballs per node | slowest single node "
        f"{r['slowest_single_s']:.1f} s; " + "; ".join(parts) + f" | ≤ 2× the slowest single, memory flat | "
        f"{yes(r['met'])} |"
    ]

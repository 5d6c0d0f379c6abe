"""Listing one node behind a real sshd holding 20,000 tarballs, three ways, on the same tree:

seed   the original's remote command, `find ROOT -name '*.gz' -exec du --block-size=1M {} \\;`
floor  one bare `ssh node find ROOT -printf …` to /dev/null: the least any tool can do
tarwatch collect into a fresh store (interpreter start, SSH, parsing and storing included)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.common import SshLab, lab_env, median_of, run_timed, tarwatch_argv, yes
from bench.world import Shape, write_tree

FLOOR_PRINTF = "%s %T@ %p\\n"


def run(tarballs: int = 20_000, repeat: int = 5, seed_repeat: int = 3) -> dict:
    days = 100
    shape = Shape(nodes=1, items=max(1, tarballs // days), days=days, seed=7)
    with tempfile.TemporaryDirectory(prefix="tarwatch-bench-") as tmp:
        base = Path(tmp)
        root = base / "fold" / "backup" / "hub"
        n = write_tree(shape, 0, root)
        lab = SshLab(base / "lab")
        try:
            lab.add_node("N", env={"SCM_FOLD": str(base / "fold")})
            env = lab_env(lab, XDG_DATA_HOME=str(base / "data"))
            config = base / "tarwatch.toml"
            db = base / "tw.db"
            config.write_text(
                f'[store]\nurl = "sqlite:///{db}"\n[defaults]\ntimeout = "300s"\n'
                f'[hubs.H]\nsrvnode = "hub"\nnodes = ["N"]\n[nodes.N]\n'
            )
            ssh = ["ssh", "-F", str(lab.ssh_config), "N"]
            floor = median_of(repeat, lambda: run_timed([*ssh, f"find {root} -printf '{FLOOR_PRINTF}'"], env))
            seed = median_of(
                seed_repeat,
                lambda: run_timed([*ssh, f"find {root} -name '*.gz' -exec du --block-size=1M {{}} \\;"], env),
            )

            def fresh() -> None:
                for p in base.glob("tw.db*"):
                    p.unlink()

            ours = median_of(
                repeat, lambda: run_timed(tarwatch_argv("--config", str(config), "-q", "collect"), env), fresh
            )
            steady = median_of(
                repeat, lambda: run_timed(tarwatch_argv("--config", str(config), "-q", "collect"), env)
            )
        finally:
            lab.stop()
            shutil.rmtree(base / "lab", ignore_errors=True)
    return {
        "benchmark": "listing",
        "tarballs": n,
        "floor_s": floor.median,
        "seed_s": seed.median,
        "tarwatch_s": ours.median,
        "tarwatch_steady_s": steady.median,
        "vs_seed": seed.median / ours.median,
        "vs_floor": ours.median / floor.median,
        "tarwatch_peak_mb": ours.peak_mb,
        "targets": "≥ 8× faster than the seed, ≤ 3× the floor",
        "met": seed.median / ours.median >= 8 and ours.median / floor.median <= 3,
        "runs": {"floor": floor.runs, "seed": seed.runs, "tarwatch": ours.runs, "steady": steady.runs},
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    return [
        f"| listing {r['tarballs']:,} tarballs, one node over sshd | "
        f"tarwatch collect {r['tarwatch_s']:.2f} s "
        f"(steady {r['tarwatch_steady_s']:.2f} s); seed `find -exec du` {r['seed_s']:.2f} s; floor "
        f"`ssh find -printf` {r['floor_s']:.2f} s → **{r['vs_seed']:.1f}× faster than the seed, "
        f"{r['vs_floor']:.2f}× the floor** | ≥ 8× the seed, ≤ 3× the floor | {yes(r['met'])} |"
    ]

"""Benchmark: start-up. The wall and CPU time of `tarwatch --help`, `tarwatch --version` and
`tarwatch check` on a small stored site (default 5 nodes × 5 items × 10 tarballs), interpreter
start included, run as a user runs them: the venv's console script, its bytecode cached (as an
installed package has it: PYTHONDONTWRITEBYTECODE, if set, is dropped and the bytecode kept in
the benchmark's temporary folder, written by an untimed first run of each command); side by
side, round by round, with a bare `python -c pass`, the floor no Python command goes below. Also how many
modules each command imports (`-X importtime`) and whether the heavy libraries are among them;
with --instructions, the instructions each executes (valgrind's cachegrind): a count that, unlike
times, does not change with the machine's load."""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import load_average, tarwatch_argv, yes
from bench.world import DAY, T0, Shape, stored_world

# What a command that does not use them must not import (the guard test: tests/unit/cli/test_imports.py)
HEAVY = ("sqlalchemy", "alembic", "pydantic", "jinja2", "matplotlib", "asyncssh", "apprise", "rich")
TARGETS = {"help": 0.3, "check": 0.5}
SMALL = Shape(5, 5, 10)


def site_toml(shape: Shape, db: Path) -> str:
    """Given a shape and its stored world, return a tarwatch.toml for it (as bench.world's
    stored_config has it)."""
    nodes = [f"N{n:04d}" for n in range(shape.nodes)]
    lines = [
        f'[store]\nurl = "sqlite:///{db}"',
        f"[defaults]\nkeep_max = {shape.days + 10}",
        f'[hubs.H]\nsrvnode = "h"\nsource = "{nodes[0]}"\nnodes = {json.dumps(nodes[1:])}',
        *(f"[nodes.{n}]" for n in nodes),
    ]
    return "\n".join(lines) + "\n"


def timed(argv: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Run a command to completion; return (wall seconds, its CPU seconds: user + system).
    Fail loudly on an exit status not in `ok`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in ok:
        raise RuntimeError(f"{argv[:6]}… exited {p.returncode}: {p.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def imported(argv: list[str], env: dict[str, str]) -> list[str]:
    """Given a Python command line (python -m …), return the modules it imports (-X importtime)."""
    p = subprocess.run(
        [sys.executable, "-X", "importtime", *argv], env=env, capture_output=True, text=True, check=False
    )
    return [
        line.rsplit("|", 1)[1].strip()
        for line in p.stderr.splitlines()
        if line.startswith("import time:") and "self [us]" not in line
    ]


def instructions(argv: list[str], env: dict[str, str]) -> int:
    """Given a command, return the instructions it executes (valgrind --tool=cachegrind)."""
    p = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", p.stderr)
    if found is None:
        raise RuntimeError(f"valgrind said no instruction count: {p.stderr[-1000:]}")
    return int(found.group(1).replace(",", ""))


def run(shape: Shape = SMALL, repeat: int = 15, count_instructions: bool = False) -> dict:
    db, _ = stored_world(shape, "startup")
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(T0 + shape.days * DAY + 3600))
    with tempfile.TemporaryDirectory(prefix="tw-startup-") as tmp:
        config = Path(tmp) / "tarwatch.toml"
        config.write_text(site_toml(shape, db))
        env = dict(os.environ, HOME=tmp, NO_COLOR="1", PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"))
        env.pop("CI", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        commands = {
            "floor": ([sys.executable, "-c", "pass"], (0,)),
            "help": (tarwatch_argv("--help"), (0,)),
            "version": (tarwatch_argv("--version"), (0,)),
            # 0 ok, 1 warn, 2 alarm: the verdict of the site, all of them a finished check
            "check": (tarwatch_argv("--config", str(config), "--now", now, "check"), (0, 1, 2)),
        }
        load_before = load_average()
        walls: dict[str, list[float]] = {k: [] for k in commands}
        cpus: dict[str, list[float]] = {k: [] for k in commands}
        for argv, ok in commands.values():  # the bytecode written, the page cache warm: untimed
            timed(argv, env, ok)
        for _ in range(repeat):  # round by round, so that a burst of load falls on all of them
            for name, (argv, ok) in commands.items():
                wall, cpu = timed(argv, env, ok)
                walls[name].append(wall)
                cpus[name].append(cpu)
        load_after = load_average()
        modules = {
            "help": imported(["-m", "tarwatch", "--help"], env),
            "check": imported(["-m", "tarwatch", "--config", str(config), "--now", now, "check"], env),
        }
        counted = {}
        if count_instructions and shutil.which("valgrind"):
            counted = {name: instructions(argv, env) for name, (argv, _ok) in commands.items()}
    floor = statistics.median(walls["floor"])
    figures = {
        name: {
            "median_s": statistics.median(walls[name]),
            "cpu_s": statistics.median(cpus[name]),
            "vs_floor": statistics.median(walls[name]) / floor,
            "runs": walls[name],
        }
        for name in commands
    }
    return {
        "benchmark": "startup",
        "shape": f"{shape.nodes} nodes × {shape.items} items × {shape.days} tarballs",
        "repeat": repeat,
        "floor_s": floor,
        **figures,
        "modules": {k: len(v) for k, v in modules.items()},
        "heavy": {k: sorted({m.split(".")[0] for m in v} & set(HEAVY)) for k, v in modules.items()},
        "instructions": counted,
        "load_before": load_before,
        "load_after": load_after,
        "targets_s": TARGETS,
    }


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    floor = f"`python -c pass` {r['floor_s'] * 1000:.0f} ms"

    def figure(name: str) -> str:
        f = r[name]
        return f"{f['median_s']:.2f} s, CPU {f['cpu_s']:.2f} s ({f['vs_floor']:.1f}× {floor})"

    heavy = {k: ", ".join(v) or "none of " + "/".join(HEAVY[:3]) + "…" for k, v in r["heavy"].items()}
    return [
        f"| start-up, `tarwatch --help` | {figure('help')}; {r['modules']['help']} modules, "
        f"heavy: {heavy['help']} | ≤ 0.3 s | {yes(r['help']['median_s'] <= TARGETS['help'])} |",
        f"| start-up, `tarwatch --version` | {figure('version')} | — | — |",
        f"| start-up, `tarwatch check`, {r['shape']} | {figure('check')}; {r['modules']['check']} "
        f"modules, heavy: {heavy['check']} | ≤ 0.5 s | {yes(r['check']['median_s'] <= TARGETS['check'])} |",
        f"| start-up: load | {r['load_before']} before, {r['load_after']} after | — | — |",
    ] + [
        f"| start-up, instructions of `{name}` | {n / 1e6:,.0f} M ({n / r['instructions']['floor']:.1f}× the "
        "floor's) | — | — |"
        for name, n in r.get("instructions", {}).items()
        if name != "floor"
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nodes", type=int, default=5)
    ap.add_argument("--items", type=int, default=5)
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--instructions", action="store_true", help="also count instructions (valgrind; slow)")
    a = ap.parse_args()
    r = run(Shape(a.nodes, a.items, a.days), a.repeat, a.instructions)
    print("\n".join(rows(r)))
    print(json.dumps({k: v for k, v in r.items() if k != "runs"}, indent=1))


if __name__ == "__main__":
    main()

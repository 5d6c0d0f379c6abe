"""What the benchmarks share: timing commands as medians, peak memory of a child process, the
sshd lab from the tests, and tarwatch's own command line as a user runs it."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the sshd lab lives with the tests: one lab for both

from support.sshd import SshLab  # noqa: E402

__all__ = ["ROOT", "SshLab", "Timing", "load_average", "median_of", "run_timed", "tarwatch_argv", "yes"]


@dataclass
class Timing:
    """Seconds of repeated runs and their median; peak RSS of the child in MB (the largest)."""

    runs: list[float]
    peak_mb: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def run_timed(
    argv: Sequence[str], env: dict[str, str] | None = None, stdout=subprocess.DEVNULL
) -> tuple[float, float]:
    """Run a command to completion; return (wall seconds, its peak RSS in MB). Fail loudly."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{argv[:4]}… exited {p.returncode}: {p.stderr.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: only a rise is this one's.
    return secs, max(after, before) / 1024


def median_of(
    repeat: int, once: Callable[[], tuple[float, float]], before: Callable[[], None] | None = None
) -> Timing:
    """Call `before` (untimed) and `once` `repeat` times; return the timings."""
    runs, peak = [], 0.0
    for _ in range(repeat):
        if before:
            before()
        secs, mb = once()
        runs.append(secs)
        peak = max(peak, mb)
    return Timing(runs, peak)


def tarwatch_argv(*args: str) -> list[str]:
    """The command a user runs: the installed console script in this venv."""
    exe = Path(sys.executable).parent / "tarwatch"
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "tarwatch", *args]


def lab_env(lab: SshLab, **extra: str) -> dict[str, str]:
    env = lab.env() | extra
    env.pop("CI", None)
    return env


def cpu_info() -> str:
    """A line about the machine the numbers come from."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB, Python {sys.version.split()[0]}"


def load_average() -> str:
    """The machine's load averages (1, 5, 15 min): figures measured under load run slower."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def yes(ok: bool) -> str:
    """A table's "met" cell."""
    return "yes" if ok else "**no**"

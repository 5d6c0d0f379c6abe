"""What the benchmarks share: timing commands as medians, peak memory of a child process, the
sshd lab from the tests, and tarwatch's own command line as a user runs it."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the sshd lab lives with the tests: one lab for both

from support.sshd import SshLab  # noqa: E402

__all__ = [
    "ROOT",
    "Measured",
    "SshLab",
    "Timing",
    "load_average",
    "median_of",
    "medians",
    "run_measured",
    "run_timed",
    "tarwatch_argv",
    "yes",
]


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


@dataclass(frozen=True)
class Measured:
    """One run of a command: wall seconds, CPU seconds (user + system, of it and the children it
    waited for: an SSH client in the process counts, the node's sshd does not), its own peak RSS
    in MB, and the machine's 1-minute load average when it started."""

    wall: float
    cpu: float
    peak_mb: float
    load: float


def run_measured(
    argv: Sequence[str], env: dict[str, str] | None = None, stdout=subprocess.DEVNULL
) -> Measured:
    """Run a command to completion; return how long it took, its CPU time and its own peak RSS
    (from its rusage, the same as RUSAGE_CHILDREN's deltas, but of this child alone). Fail loudly."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, env=env, stdout=stdout, stderr=err, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        secs = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        if p.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{argv[:4]}… exited {p.returncode}: {err.read().decode()[-2000:]}")
    return Measured(secs, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, load)


def medians(runs: Sequence[Measured]) -> dict[str, float]:
    """Given runs of one command, return the median wall and CPU seconds, the largest peak RSS
    and the mean load average, as JSON figures."""
    return {
        "wall_s": statistics.median(r.wall for r in runs),
        "cpu_s": statistics.median(r.cpu for r in runs),
        "peak_mb": max(r.peak_mb for r in runs),
        "load": statistics.mean(r.load for r in runs),
    }


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

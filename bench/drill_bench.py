"""Restore drills' cost: the same generated world run night after night (`tarwatch run`: collect,
check, notify, publish) with verify = "size" and with verify = "gzip" at the default drill_bytes
and drill_time, and whether every item's newest tarball is verified within the runs `check`
promises.

The world: one local node, `items` items with 60 older tarballs kept each, and each night one
new real gzip tarball per item (0.1 to 4 MiB; a new file each night, but hard links of a few
made once, so writing the world costs nothing; `gzip -t` reads them from the page cache: what
is measured is the node's CPU, the part a drill adds). Each night is run twice, in two stores
(drills off, on), and the medians of the nights after the first are compared.

    .venv/bin/python -m bench.drill_bench [--items 300] [--nights 6]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
import zlib
from pathlib import Path

from bench.common import tarwatch_argv, yes

SIZES_MIB = (0.1, 0.25, 0.5, 1, 2, 4)
KEPT = 60  # older tarballs per item, kept from before the first run
START = 1_700_000_000 - 1_700_000_000 % 86400 + 3 * 3600  # 03:00 UTC, a night


def _blob(path: Path, mib: float, rng: random.Random) -> None:
    """A real gzip of about `mib` MiB: text-like data that compresses about 3:1."""
    words = [bytes(rng.choices(b"abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))) for _ in range(5000)]
    target = int(mib * 1024 * 1024)
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    out = bytearray()
    while len(out) < target:
        chunk = b" ".join(rng.choices(words, k=20000)) + os.urandom(20000)
        out += c.compress(chunk)
    out += c.flush()
    path.write_bytes(bytes(out))


def _config(base: Path, root: Path, verify: str, share: float) -> Path:
    cfg = base / f"{verify}.toml"
    cfg.write_text(
        f'[store]\nurl = "sqlite:///{base / verify}.db"\n'
        f'[publish]\nout = "{base / verify}-site"\n'
        f'[defaults]\ntimezone = "UTC"\nverify = "{verify}"\nanomaly = false\ndrill_share = {share}\n'
        '[hubs.B]\nsrvnode = "b"\nnodes = ["n"]\n'
        f'[nodes.n]\ntransport = "local"\nroot = "{root}"\n'
    )
    return cfg


def _night(root: Path, blobs: list[Path], items: int, night: int, rng: random.Random) -> None:
    when = time.gmtime(START + night * 86400)
    day = time.strftime("%Y/%m/%d/%H%M%S", when)
    for i in range(items):
        d = root / "repos" / f"r{i:04d}" / day
        d.mkdir(parents=True, exist_ok=True)
        os.link(blobs[(i * 7 + night) % len(blobs)], d / f"r{i:04d}-{night}.tar.gz")


def _run(cfg: Path, night: int, env: dict[str, str]) -> float:
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(START + night * 86400 + 3600))
    t0 = time.perf_counter()
    p = subprocess.run(
        tarwatch_argv("--config", str(cfg), "--now", now, "run"),
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    secs = time.perf_counter() - t0
    if p.returncode not in (0, 1, 2, 3):
        raise RuntimeError(f"tarwatch run exited {p.returncode}: {p.stderr.decode()[-2000:]}")
    return secs


def run(items: int = 30, nights: int = 12, share: float = 1.0, seed: int = 13) -> dict:
    """Given the world's size and drill_share, run it night after night with drills off and on;
    return the figures: median run times, the growth, the promised runs and the runs it took.
    drill_share is of the previous collect (the listing part of a run: here ~0.3 s of a ~2.8 s
    run), so 1.0 here keeps the whole run's growth near a tenth; the default 0.2 is far below."""
    rng = random.Random(seed)
    base = Path(tempfile.mkdtemp(prefix="tarwatch-drill-bench-"))
    env = {**os.environ, "HOME": str(base), "XDG_DATA_HOME": str(base / "data"), "NO_COLOR": "1"}
    env.pop("CI", None)
    try:
        root = base / "root"
        blobs = []
        for k, mib in enumerate(SIZES_MIB * 2):
            blobs.append(base / f"blob{k}.gz")
            _blob(blobs[-1], mib, rng)
        for old in range(-KEPT, 0):
            _night(root, blobs, items, old, rng)
        off, on = _config(base, root, "size", share), _config(base, root, "gzip", share)
        times: dict[str, list[float]] = {"off": [], "on": []}
        drilled: dict[str, list[int]] = {}  # item → the nights its newest tarball was drilled
        promised: list[int] = []
        for night in range(nights):
            _night(root, blobs, items, night, rng)
            for name, cfg in (("off", off), ("on", on)) if night % 2 else (("on", on), ("off", off)):
                times[name].append(_run(cfg, night, env))
            now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(START + night * 86400 + 3600))
            out = subprocess.run(
                tarwatch_argv("--config", str(on), "--now", now, "check", "--format", "json"),
                env=env, capture_output=True, stdin=subprocess.DEVNULL,
            ).stdout  # fmt: skip
            doc = json.loads(out)
            node = doc["hubs"][0]["nodes"][0]
            promised.append(node["drill_nights"])
            db = sqlite3.connect(base / "gzip.db")
            for (item,) in db.execute(
                "SELECT item FROM drills WHERE ok AND path LIKE ?", (f"%-{night}.tar.gz",)
            ):
                drilled.setdefault(item, []).append(night)
            db.close()
        bytes_per_night = sum(b.stat().st_size for b in blobs) / len(blobs) * items
        off_s, on_s = statistics.median(times["off"][1:]), statistics.median(times["on"][1:])
        growth = on_s / off_s - 1
        # The steady state, after the first run (bounded by drill_time alone): the most runs an
        # item waited for its newest tarball to be drilled, against the most runs promised.
        waits = []
        for i in range(items):
            seen = [n for n in drilled.get(f"repos/r{i:04d}", []) if n >= 1]
            marks = [0, *seen, nights]  # from the first run to the last, or to the end
            waits.append(max(b - a for a, b in itertools.pairwise(marks)))
        kept_promises = [p for p in promised[1:] if p is not None]
        promise = max(kept_promises) if len(kept_promises) == len(promised) - 1 else None
        return {
            "items": items,
            "nights": nights,
            "drill_share": share,
            "newest_bytes_per_node": int(bytes_per_night),
            "run_off_s": round(off_s, 3),
            "run_on_s": round(on_s, 3),
            "growth": round(growth, 4),
            "promised_runs": promised,
            "longest_wait_runs": max(waits),
            "drills_per_run": [sum(n in v for v in drilled.values()) for n in range(nights)],
            "times": {k: [round(x, 3) for x in v] for k, v in times.items()},
            "met": growth <= 0.20 and promise is not None and max(waits) <= promise,
        }
    finally:
        shutil.rmtree(base, ignore_errors=True)


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    return [
        f"| restore drills, {r['items']} items × {r['nights']} nights, one node, gzip -t, "
        f"drill_share {r['drill_share']} | "
        f"`tarwatch run` {r['run_off_s']:.2f} s off, {r['run_on_s']:.2f} s on (+{r['growth']:.0%}); "
        f"promised {r['promised_runs'][1:]} runs, longest wait {r['longest_wait_runs']} runs | "
        f"≤ +20%; every item within the promise | {yes(r['met'])} |"
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--nights", type=int, default=12)
    ap.add_argument("--share", type=float, default=1.0, help="drill_share")
    a = ap.parse_args()
    print(json.dumps(run(a.items, a.nights, a.share), indent=1))


if __name__ == "__main__":
    main()

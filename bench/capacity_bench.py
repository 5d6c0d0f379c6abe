"""Benchmark: the accuracy of `capacity`'s forecast on a generated world of N nodes, each with
a known fill date. Each node's disk (100 GiB to 20 TiB) holds other files and the tarballs kept
under its root; what it holds grows linearly (0.05% to 2% of the disk a night), with day-to-day
noise (up to a fifth of a night's growth), and its tarballs are purged by retention either
every night (the steady case: a flat sawtooth) or once a week (a sawtooth of up to three
nights' growth and as much as one night's new tarballs); one node in five also had other files
deleted two to three weeks ago. The known fill date is the first day the noiseless series
(peaks included) reaches the disk's size; nodes fill between 3 and 200 days after the newest
poll.

The forecast is made exactly as `check` makes it (checks.capacity.forecast with the default
`capacity_days`), from 14 days and from 30 days of nightly history, and its error is measured
in days against the remaining days: the target is an error of at most 10% of the remaining
days once 14 days of history exist (the figure: the share of nodes within it, and the median
and 95th percentile of the relative error)."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from bench.common import yes
from tarwatch.checks import capacity
from tarwatch.records import DiskPoint

DAY = 86400
GiB = 2**30
T0 = 1_764_540_000


def _node(rng: random.Random, history: int) -> tuple[list[DiskPoint], float]:
    """Return one node's nightly disk points (the newest last, `history` days of them) and how
    many days after the newest it truly fills."""
    total = rng.uniform(100, 20_480) * GiB
    remaining = rng.uniform(3, 200)
    # net growth of what it holds; the disk a fifth full or more when the history starts
    per_day = total * min(rng.uniform(0.0005, 0.02), 0.75 / (remaining + history + 7))
    weekly = rng.random() < 0.4
    tarballs = per_day * rng.uniform(0.5, 3)  # a night's new tarballs (weekly: piled up until the purge)
    tarball_share = rng.uniform(0.3, 0.9)  # of the growth, the tarballs'
    noise = per_day * rng.uniform(0, 0.2)
    cleanup = rng.uniform(0.05, 0.2) * total if rng.random() < 0.2 else 0.0
    cleanup_ago = rng.randrange(14, 22)
    offset = rng.randrange(7)  # the weekly purge's weekday

    def saw(day: int) -> float:
        """The tarballs piled up since the last weekly purge, on `day` (0: the newest poll)."""
        return tarballs * ((day + offset) % 7) if weekly else 0.0

    used_now = total - per_day * remaining
    # the truth: the first moment the series, growing through each day and piling up tarballs
    # each night until the purge, reaches the disk's size
    true_days = remaining
    for d in range(0, 1000):
        t = (total - used_now - saw(d) + saw(0)) / per_day
        if t < d + 1:
            true_days = max(float(d), t)
            break
    points = []
    for ago in range(history - 1, -1, -1):
        day = -ago
        used = used_now + per_day * day + saw(day) - saw(0) + rng.gauss(0, noise / 2)
        kept = tarball_share * (used_now * 0.5 + per_day * day) + saw(day)
        if cleanup and ago >= cleanup_ago:
            used += cleanup
        used = min(max(0.0, used), total)
        points.append(
            DiskPoint(
                T0 - ago * DAY, "/b", int(total), int(used), int(total - used), int(max(0.0, kept)), "/b"
            )
        )
    return points, true_days


def run(nodes: int = 4000, seed: int = 1) -> dict:
    """Return the forecast errors on `nodes` generated nodes, from 14 and 30 days of history."""
    rng = random.Random(seed)
    out: dict = {"nodes": nodes, "seed": seed, "target_relative_error": 0.10}
    t0 = time.perf_counter()
    for history in (14, 30):
        errors, none = [], 0
        for _ in range(nodes):
            points, true_days = _node(rng, history)
            fc = capacity.forecast(points, points[-1].at)
            if fc is None or fc.days is None:
                none += 1
                errors.append(1.0)
                continue
            errors.append(abs(fc.days - true_days) / true_days)
        errors.sort()
        out[f"history_{history}"] = {
            "within_10pct": sum(e <= 0.10 for e in errors) / len(errors),
            "median_relative_error": statistics.median(errors),
            "p95_relative_error": errors[int(0.95 * (len(errors) - 1))],
            "max_relative_error": errors[-1],
            "no_forecast": none,
        }
    out["per_forecast_us"] = (time.perf_counter() - t0) / (2 * nodes) * 1e6
    h14 = out["history_14"]
    out["met"] = h14["p95_relative_error"] <= 0.10
    return out


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    h14, h30 = r["history_14"], r["history_30"]
    return [
        f"| capacity, {r['nodes']:,} generated nodes with a known fill date (3–200 days; nightly or "
        f"weekly purges, noise, cleanups) | from 14 days of history: {h14['within_10pct']:.1%} within "
        f"10% of the remaining days, relative error median {h14['median_relative_error']:.3f}, p95 "
        f"{h14['p95_relative_error']:.3f}; from 30 days: {h30['within_10pct']:.1%}, p95 "
        f"{h30['p95_relative_error']:.3f}; {r['per_forecast_us']:.0f} µs per forecast | error ≤ 10% "
        f"(p95) from 14 days | {yes(r['met'])} |"
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(json.dumps(run(a.nodes, a.seed), indent=1))


if __name__ == "__main__":
    main()

"""Benchmark: the `anomaly` check's precision and recall on a generated world of N items (22 to 45
nights each) with normal noise (levels from 1 MiB to 8 GiB, noise from none to 3%, growth and
slow shrinking, a weekly rhythm with a weekend dip, occasional legitimate steps before the
newest night, missed nights) and anomalies planted on the newest night (too small, too large,
and a weekend dip on a weekday of a weekly item). Each item is judged as `check` judges it (checks.anomaly
with the default thresholds, or those given); also: items with a history too short to judge
(they must never warn)."""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from dataclasses import dataclass

from bench.common import yes
from tarwatch.checks import anomaly
from tarwatch.config.models import Defaults

DAY = 86400
T0 = 1_764_540_000  # 2025-11-30 22:00 UTC, a Sunday night


@dataclass
class Item:
    series: list[tuple[int, int]]
    planted: str | None  # "small", "large", "dip" or None (normal)
    weekly: bool


def _item(rng: random.Random, nights: int, plant_rate: float) -> Item:
    """Return one generated item: `nights` tarballs, the newest last, maybe an anomaly on it."""
    base = math.exp(rng.uniform(math.log(1 << 20), math.log(8 << 30)))
    noise = rng.choice((0.0, 0.001, 0.005, 0.01, 0.02, 0.03))
    growth = rng.choice((0.0, 0.0, 0.001, 0.003, 0.01, -0.002))  # per night, relative
    weekly = rng.random() < 0.3
    dip = rng.uniform(0.5, 0.85)  # weekend size as a fraction of a weekday's
    step_at = rng.randrange(1, nights - 1) if rng.random() < 0.3 else None  # nights before the newest
    step = rng.choice((rng.uniform(0.6, 0.85), rng.uniform(1.2, 2.0)))
    newest_at = T0 + rng.randrange(0, 7) * DAY + rng.randrange(0, 3600)
    series = []
    for ago in range(nights - 1, -1, -1):
        if ago > 0 and rng.random() < 0.02:
            continue  # a missed night
        at = newest_at - ago * DAY
        x = base * (1 + growth) ** (nights - ago)
        if step_at is not None and ago <= step_at:
            x *= step
        if weekly and time.gmtime(at).tm_wday >= 5:
            x *= dip
        x *= 1 + rng.gauss(0, noise)
        series.append((at, max(1, int(x))))
    planted = None
    if rng.random() < plant_rate:
        at, x = series[-1]
        weekday_night = time.gmtime(at).tm_wday < 5
        kinds = ["small", "large"] + (["dip"] if weekly and weekday_night and dip <= 0.8 else [])
        planted = rng.choice(kinds)
        factor = {
            "small": rng.uniform(0.05, 0.7),
            "large": rng.uniform(1.4, 5.0),
            "dip": dip,
        }[planted]
        series[-1] = (at, max(1, int(x * factor)))
    return Item(series, planted, weekly)


def run(items: int = 5000, seed: int = 13, thresholds: Defaults | None = None) -> dict:
    """Generate the world, judge every item, return the figures."""
    t = thresholds or Defaults()
    rng = random.Random(seed)
    world = [_item(rng, rng.randrange(anomaly.MIN_NIGHTS + 1, 46), 0.2) for _ in range(items)]
    short = [_item(rng, rng.randrange(3, anomaly.MIN_NIGHTS + 1), 0.5) for _ in range(items // 10)]
    t0 = time.perf_counter()
    tp = fp = fn = tn = 0
    missed: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    false_weekly = 0
    for it in world:
        warned = anomaly.check(it.series, t) is not None
        if it.planted:
            by_kind[it.planted] = by_kind.get(it.planted, 0) + 1
            if warned:
                tp += 1
            else:
                fn += 1
                missed[it.planted] = missed.get(it.planted, 0) + 1
        elif warned:
            fp += 1
            false_weekly += it.weekly
        else:
            tn += 1
    secs = time.perf_counter() - t0
    short_warnings = sum(anomaly.check(it.series, t) is not None for it in short)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "benchmark": "anomaly",
        "items": items,
        "planted": tp + fn,
        "planted_by_kind": by_kind,
        "missed_by_kind": missed,
        "true_positives": tp,
        "false_positives": fp,
        "false_positives_weekly": false_weekly,
        "precision": precision,
        "recall": recall,
        "short_items": len(short),
        "short_warnings": short_warnings,
        "per_item_us": secs / items * 1e6,
        "thresholds": {
            "anomaly_nights": t.anomaly_nights,
            "anomaly_k": t.anomaly_k,
            "anomaly_floor": t.anomaly_floor,
        },
        "targets": {"precision": 0.95, "recall": 0.9},
        "met": precision >= 0.95 and recall >= 0.9 and short_warnings == 0,
    }


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    return [
        f"| anomaly, {r['items']:,} generated items ({r['planted']:,} planted anomalies; weekly "
        f"rhythm, growth, steps, noise) | precision {r['precision']:.3f}, recall {r['recall']:.3f} "
        f"({r['false_positives']} false, {r['planted'] - r['true_positives']} missed); "
        f"{r['short_warnings']} warnings on {r['short_items']:,} short histories; "
        f"{r['per_item_us']:.0f} µs per item | ≥ 0.95, ≥ 0.9; none | {yes(r['met'])} |"
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--k", type=float, help="anomaly_k (default: the configuration's default)")
    ap.add_argument("--floor", type=float, help="anomaly_floor")
    ap.add_argument("--nights", type=int, help="anomaly_nights")
    a = ap.parse_args()
    given = {"anomaly_k": a.k, "anomaly_floor": a.floor, "anomaly_nights": a.nights}
    t = Defaults(**{k: v for k, v in given.items() if v is not None})
    print(json.dumps(run(a.items, a.seed, t), indent=1))


if __name__ == "__main__":
    main()

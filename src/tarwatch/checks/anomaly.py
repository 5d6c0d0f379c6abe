"""anomaly: the newest tarball is strangely small or large for its item, judged against a robust
baseline of the item's last `anomaly_nights` tarballs on the node (gone ones included).

The baseline models the log sizes as level + trend (+ a weekday effect when the history shows
a weekly rhythm) and gives two expected ranges, each a centre ± max(k·σ, log(1 + floor)) with
σ the MAD scaled to a standard deviation (1.4826·MAD):

- the level: the sizes, detrended to the newest's time (and by weekday), around their median;
- the change: the previous tarball plus the usual night-to-night change (trend, weekday).

The newest tarball is a warning when it lies outside both (outside their hull). So a legitimate
step (a big import a week ago) warns on its own night only, not for the weeks the level's
median needs to catch up; a steady growth does not widen the range; a regular weekend dip
is expected in weekday mode. Pure functions; `check` adapts them to findings."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from tarwatch.checks.model import Finding
from tarwatch.config.models import Defaults
from tarwatch.human import size
from tarwatch.records import Status

NAME = "anomaly"
DAY = 86400.0
# Tarballs before the newest, at least: no warning on a shorter history. Three weeks, so that a
# weekly rhythm (MIN_PER_WEEKDAY of each weekday) is seen before anything is judged: judged from
# 14 on, one in ten weekly items warned on its regular weekend dip (bench/anomaly_bench.py).
MIN_NIGHTS = 21
MIN_PER_WEEKDAY = 3  # weekday mode: tarballs of each weekday present, at least
RHYTHM_K = 4.0  # a weekly rhythm: weekday medians spread by more than this many σ (within weekdays)
MAD_SIGMA = 1.4826  # MAD × this estimates σ of a normal distribution


@dataclass(frozen=True, slots=True)
class Baseline:
    """What the newest tarball is judged against: the expected range [low, high] in bytes, the
    median of the sizes it comes from, how many tarballs, and whether weekday-aware."""

    low: float
    high: float
    median: float
    nights: int
    weekly: bool


def _mad(xs: Sequence[float], centre: float) -> float:
    return statistics.median([abs(x - centre) for x in xs])


def _slope(days: Sequence[float], xs: Sequence[float]) -> float:
    """Given times (days) and sizes, return a robust growth per day: the median of the slopes
    between tarballs a week apart (by position). A week: a weekly rhythm cancels, the noise of
    a pair is divided by seven days, and a step in the level moves only the seven pairs that
    straddle it (fewer than half of them from MIN_NIGHTS tarballs on)."""
    lag = 7
    slopes = [
        (xs[i] - xs[i - lag]) / (days[i] - days[i - lag])
        for i in range(lag, len(xs))
        if days[i] > days[i - lag]
    ]
    return statistics.median(slopes) if slopes else 0.0


def _weekday_effect(
    groups: Sequence[int], logs: Sequence[float], newest_group: int, sigma_floor: float
) -> dict[int, float] | None:
    """Given each tarball's weekday, its detrended log size, the newest's weekday and the
    smallest σ to use, return each weekday's effect (its median log size above the week around
    it) when the history shows a weekly rhythm, else None.

    Each tarball is compared with the median of the seven around it (a week: a step in the
    level moves a few of these, not the weekday medians). A rhythm: every weekday present (the
    newest's among them) has MIN_PER_WEEKDAY tarballs or more, and the weekday effects spread by
    more than RHYTHM_K σ of the tarballs around their weekday's effect."""
    n = len(logs)
    by_day: dict[int, list[float]] = {}
    offsets = []
    for i, (g, x) in enumerate(zip(groups, logs, strict=True)):
        lo = max(0, min(i - 3, n - 7))
        off = x - statistics.median(logs[lo : lo + 7])
        offsets.append(off)
        by_day.setdefault(g, []).append(off)
    if len(by_day) < 2 or newest_group not in by_day:
        return None
    if min(len(v) for v in by_day.values()) < MIN_PER_WEEKDAY:
        return None
    effects = {g: statistics.median(v) for g, v in by_day.items()}
    within = statistics.median([abs(o - effects[g]) for g, o in zip(groups, offsets, strict=True)])
    sigma = max(MAD_SIGMA * within, sigma_floor)
    if max(effects.values()) - min(effects.values()) <= RHYTHM_K * sigma:
        return None
    return effects


def baseline(
    stamps: Sequence[float],
    sizes: Sequence[float],
    weekdays: Sequence[int],
    k: float,
    floor: float,
) -> Baseline | None:
    """Given the stamps, sizes and weekdays of the tarballs before the newest (oldest first)
    and the newest's stamp and weekday (the last of `stamps` and `weekdays`, one longer), the
    width `k` in σ and the relative `floor` of a half-width, return the baseline the newest is
    judged against; None when fewer than MIN_NIGHTS tarballs come before it.

    Computed on log sizes: growth, steps and a weekend dip are proportional, and scaling every
    size scales the range."""
    n = len(sizes)
    if n < MIN_NIGHTS or len(stamps) != n + 1 or len(weekdays) != n + 1:
        return None
    newest_at = stamps[-1]
    days = [(t - newest_at) / DAY for t in stamps[:n]]
    xs = [math.log(max(float(x), 1.0)) for x in sizes]
    tolerance = math.log1p(floor)  # the least half-width, relative
    s = _slope(days, xs)
    resid = [x - s * d for x, d in zip(xs, days, strict=True)]  # each carried to the newest's time
    effect = _weekday_effect(weekdays[:n], resid, weekdays[n], tolerance / k)
    w = [effect[g] for g in weekdays] if effect else [0.0] * (n + 1)
    # level: detrended (and deseasonalized) sizes around their median
    level = [r - w[i] for i, r in enumerate(resid)]
    lc = statistics.median(level)
    level_centre = lc + w[n]
    level_half = max(k * MAD_SIGMA * _mad(level, lc), tolerance)
    # change: the previous tarball plus the usual change from one tarball to the next
    steps = [xs[i] - xs[i - 1] - s * (days[i] - days[i - 1]) - (w[i] - w[i - 1]) for i in range(1, n)]
    sc = statistics.median(steps)
    change_centre = xs[-1] - s * days[-1] + (w[n] - w[n - 1]) + sc
    change_half = max(k * MAD_SIGMA * _mad(steps, sc), tolerance)
    low = min(level_centre - level_half, change_centre - change_half)
    high = max(level_centre + level_half, change_centre + change_half)
    return Baseline(math.exp(low), math.exp(high), statistics.median(sizes), n, effect is not None)


def outside(newest: float, b: Baseline) -> bool:
    """Given the newest size and its baseline, return True when it lies outside the expected
    range (exactly at a bound is still fine)."""
    return newest < b.low or newest > b.high


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def weekday(stamp: float, tz: ZoneInfo) -> int:
    """Given a stamp and the time zone of the dated folders, return its weekday (Monday 0)."""
    return datetime.fromtimestamp(stamp, tz).weekday()


@lru_cache(maxsize=4096)
def _judge(
    series: tuple[tuple[int, int], ...], k: float, floor: float, zone: str
) -> tuple[Baseline, int] | None:
    """Given the (stamp, size)s judged (the newest last), the thresholds and the time zone's
    name, return the baseline and the newest size when the newest lies outside it; else None.
    Memoized: copies of a hub's tarballs on several nodes have the same series."""
    if len(series) < MIN_NIGHTS + 1:
        return None
    before = series[:-1]
    newest = series[-1]
    tz = _zone(zone)
    stamps = [t for t, _ in before] + [newest[0]]
    b = baseline(stamps, [x for _, x in before], [weekday(t, tz) for t in stamps], k, floor)
    if b is None or not outside(newest[1], b):
        return None
    return b, newest[1]


def span(low: float, high: float) -> str:
    """Given a range in bytes, return it for people: "1.9–2.1 GiB", "980 MiB–1.1 GiB"."""
    lo, hi = size(int(low)), size(math.ceil(high))
    lo_n, _, lo_unit = lo.partition(" ")
    hi_unit = hi.partition(" ")[2]
    return f"{lo_n}–{hi}" if lo_unit == hi_unit else f"{lo}–{hi}"


def check(series: Sequence[tuple[int, int]] | None, t: Defaults) -> Finding | None:
    """Given an item's (stamp, size) tarballs up to the newest judged (oldest first, the newest
    not stamped in the future last) and thresholds, return a warning when the newest lies
    outside the expected range of the last `anomaly_nights` before it; else None. No warning
    before MIN_NIGHTS tarballs precede it, nor for a zero-size one (`shrink`'s alarm)."""
    if not t.anomaly or series is None or len(series) < MIN_NIGHTS + 1 or series[-1][1] == 0:
        return None
    last = tuple(series[-t.anomaly_nights - 1 :])  # the newest and anomaly_nights before it
    judged = _judge(last, t.anomaly_k, t.anomaly_floor, t.timezone)
    if judged is None:
        return None
    b, new = judged
    how = "smaller" if new < b.low else "larger"
    by = " by weekday" if b.weekly else ""
    return Finding(
        NAME,
        Status.WARN,
        f"newest tarball {size(new)} is {how} than expected: {span(b.low, b.high)} "
        f"from the last {b.nights} tarballs{by} (median {size(int(b.median))}; "
        f"anomaly_k {t.anomaly_k:g})",
    )

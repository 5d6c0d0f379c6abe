"""capacity: when does the disk under a node's root fill? A forecast from the history of `df`
(kept per poll) and of the bytes of the tarballs kept there, and a check of it.

The history is taken one point a day (the newest poll of each UTC day) over the last
`capacity_days`. Used space is split in two: the kept tarballs, fitted by Theil–Sen (the median
of the slopes between days a whole number of weeks apart: 7, 14, 21 … days; between every two
days while fewer than three such pairs exist), which a few odd days do not move and which nets
retention's purges out (a nightly purge that removes what the night added is flat; a weekly
purge's sawtooth cancels between days a week apart); and everything else on that disk (used −
kept), growing by the median of its day-to-day changes, so that a cleanup or a big copy of
other files is one day's change, not a new level the line is drawn through. The growth is the
sum; without the kept bytes (incomplete listings), used space itself is fitted by Theil–Sen.

No forecast before MIN_DAYS days of history (MIN_POINTS days with a poll at least): a week, so
that weekly rhythms are seen once. Then `days` is how long, at that growth, until the space used
reaches the filesystem's (used + free, what the node's user may fill): counted from the highest
of the last week's days carried forward to now (envelope), so a disk purged weekly is judged by
its peaks. A disk that is not growing has no fill date. Pure functions; `check` adapts them to
findings."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tarwatch.checks.model import Finding
from tarwatch.history import ItemHistory
from tarwatch.human import size
from tarwatch.records import DiskForecast, DiskPoint, Status

NAME = "capacity"
DAY = 86400.0
MIN_DAYS = 7.0  # days of history (newest day − oldest), at least, before a forecast
MIN_POINTS = 5  # days with a poll in them, at least
WEEK = 7.0  # days: the slopes are taken between days a whole number of weeks apart
MIN_PAIRS = 3  # such pairs at least, else between every two days
ENVELOPE_DAYS = 7  # the fill is judged from the highest of this many last days (a weekly purge)


def theil_sen(xs: Sequence[float], ys: Sequence[float], period: float | None = None) -> float:
    """Given points (xs strictly increasing), return the Theil–Sen slope: the median of the
    slopes between every two of them. With a `period` (in the xs' unit), only pairs a whole
    number of periods apart (to a quarter of a unit) count, which cancels a rhythm of that
    period (a weekly purge's sawtooth), unless fewer than MIN_PAIRS are: then every pair does."""
    n = len(xs)
    if period:
        slopes = []
        for i in range(n):
            j = i + 1
            for k in range(1, int((xs[-1] - xs[i]) / period + 0.5) + 1):
                target = xs[i] + k * period
                while j < n and xs[j] < target - 0.25:
                    j += 1
                if j < n and xs[j] <= target + 0.25:
                    slopes.append((ys[j] - ys[i]) / (xs[j] - xs[i]))
        if len(slopes) >= MIN_PAIRS:
            return statistics.median(slopes)
    slopes = [(ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(n) for j in range(i + 1, n)]
    return statistics.median(slopes) if slopes else 0.0


def daily(points: Sequence[DiskPoint]) -> list[DiskPoint]:
    """Given disk points oldest first, return the newest of each UTC day, oldest first."""
    out: dict[int, DiskPoint] = {}
    for p in points:
        out[int(p.at // DAY)] = p
    return [out[d] for d in sorted(out)]


@dataclass(frozen=True, slots=True)
class Fit:
    """The growth of what a disk holds, in bytes a day: `rate` in all; of it, the kept
    tarballs' (`kept`) and the other files' (`other`), where the kept bytes are known."""

    rate: float
    kept: float | None = None
    other: float | None = None


def fit(points: Sequence[DiskPoint]) -> tuple[Fit | None, float]:
    """Given daily disk points, oldest first, return the fit of their growth (None: too little
    history) and the days of history it was fitted on. Where MIN_POINTS days over MIN_DAYS know
    the kept tarballs' bytes, used space is split in two: the tarballs, fitted by Theil–Sen
    (retention's purges netted out), and the other files (used − kept), fitted by the median of
    their day-to-day changes, so that a one-off cleanup or copy of other files is one day among
    many, not a level the line is drawn through. Elsewhere used space itself is fitted."""
    if not points:
        return None, 0.0
    span = (points[-1].at - points[0].at) / DAY
    if span < MIN_DAYS or len(points) < MIN_POINTS:
        return None, span
    known = [p for p in points if p.kept is not None]
    if len(known) >= MIN_POINTS and (known[-1].at - known[0].at) / DAY >= MIN_DAYS:
        xs = [p.at / DAY for p in known]
        kept = theil_sen(xs, [float(p.kept or 0) for p in known], WEEK)
        others = [float(p.used - (p.kept or 0)) for p in known]
        other = statistics.median(
            (others[i + 1] - others[i]) / (xs[i + 1] - xs[i]) for i in range(len(xs) - 1)
        )
        return Fit(kept + other, kept, other), span
    return Fit(theil_sen([p.at / DAY for p in points], [float(p.used) for p in points], WEEK)), span


def growth(points: Sequence[DiskPoint]) -> tuple[float | None, float]:
    """Given daily disk points, oldest first, return the growth of what the disk holds in bytes
    per day (None: too little history) and the days of history it was fitted on."""
    f, span = fit(points)
    return (None if f is None else f.rate), span


def forecast(
    points: Sequence[DiskPoint], now: float, window_days: int = 30, largest_night: int | None = None
) -> DiskForecast | None:
    """Given a (hub, node)'s disk points oldest first, `now`, the days of history to fit on and
    the largest night's new bytes, return its forecast (None: no disk figures at all)."""
    points = [p for p in points if p.at <= now]  # a --now in the past sees only what was then
    if not points:
        return None
    newest = points[-1]
    recent = daily([p for p in points if p.at >= newest.at - window_days * DAY])
    f, span = fit(recent)
    days = None
    if f is not None and f.rate > 0:
        days = max(0.0, (newest.used + newest.free - envelope(recent, f, now)) / f.rate)
    return DiskForecast(
        newest.mount or newest.root, newest.total, newest.used, newest.free, newest.at, span,
        None if f is None else f.rate, days, largest_night,
    )  # fmt: skip


def envelope(points: Sequence[DiskPoint], f: Fit, now: float) -> float:
    """Given daily points, their fit and `now`, return the bytes used at `now` the disk must
    expect: the newest other files carried to `now` at their growth, and the highest of the
    last ENVELOPE_DAYS' kept tarballs carried to `now` at theirs (without the kept bytes: the
    highest of those days' used space, likewise). A disk whose purges come weekly fills at its
    peaks, not on average."""
    last = points[-1]
    week = [p for p in points if p.at > last.at - ENVELOPE_DAYS * DAY]
    if f.kept is not None and f.other is not None and last.kept is not None:
        peak = max(p.kept + f.kept * (now - p.at) / DAY for p in week if p.kept is not None)
        return last.used - last.kept + f.other * (now - last.at) / DAY + peak
    return max(p.used + f.rate * (now - p.at) / DAY for p in week)


def largest_night(
    items: Mapping[str, ItemHistory], recent: Mapping[str, Sequence[tuple[int, int]]], tz: ZoneInfo
) -> int | None:
    """Given a node's item histories, their recent (stamp, size)s (anomaly's read; may be
    empty) and the dated folders' time zone, return the bytes of the largest night's new
    tarballs: the sizes stamped on one date summed, the largest such sum, over the recent
    sizes and the newest two tarballs of each item (None: no tarball)."""
    nights: dict[tuple[str, int], int] = {}
    for item, h in items.items():
        for t in (h.newest, h.previous):
            if t is not None:
                nights[(item, t.stamp)] = t.size
    for item, sizes in recent.items():
        for stamp, n in sizes:
            nights[(item, stamp)] = n
    per_date: dict[str, int] = {}
    for (_item, stamp), n in nights.items():
        date = datetime.fromtimestamp(stamp, tz).date().isoformat()
        per_date[date] = per_date.get(date, 0) + n
    return max(per_date.values()) if per_date else None


def check(node: str, fc: DiskForecast | None, warn_days: int, alarm_days: int) -> Finding | None:
    """Given a node, its disk forecast and the thresholds (days), return capacity's finding:
    an alarm when the free space is below the largest night's new tarballs or the disk fills
    within `alarm_days`, a warning within `warn_days`; None otherwise."""
    if fc is None:
        return None
    disk = f"disk {fc.mount} on {node}"
    if fc.largest_night is not None and fc.free < fc.largest_night:
        return Finding(
            NAME,
            Status.ALARM,
            f"{disk} has {size(fc.free)} free, less than the largest night's new tarballs "
            f"({size(fc.largest_night)})",
        )
    if fc.days is None or fc.growth is None:
        return None
    status = Status.ALARM if fc.days < alarm_days else Status.WARN if fc.days < warn_days else None
    if status is None:
        return None
    return Finding(
        NAME,
        status,
        f"{disk} fills in {fill_days(fc.days)} ({size(fc.free)} free, growing {size(int(fc.growth))}/day)",
    )


def tenths(days: float) -> float:
    """Given days until full (from the report's `now`), return them to a tenth, rounded down
    (12.96 → 12.9): the JSON document's `fill_days`, which the browser's disk chart reads, so
    that the check, the chart and the disk image say the same whole days (fill_days)."""
    return math.floor(days * 10) / 10


def fill_days(days: float) -> str:
    """Given days until full (from the report's `now`), return them for people in whole days
    rounded down (of tenths(days), as the browser's chart counts): "12 days", "1 day", "less
    than a day"."""
    n = int(tenths(days))
    if n < 1:
        return "less than a day"
    return f"{n} day" if n == 1 else f"{n} days"

"""capacity: when does the disk under a node's root fill? A forecast from the history of `df`
(kept per poll) and of the bytes of the tarballs kept there, and a check of it.

The history is taken one point a day (the newest poll of each UTC day) over the last
`capacity_days`; each series is fitted by Theil–Sen (the median of the slopes between every two
days), which a few odd days (a big file copied in and out, a failed listing's gap) do not move,
and which nets retention's purges out: a node whose nightly purge removes what the night added
does not grow. The two series are combined by taking the faster growth: the tarballs live on
that disk, so it fills at least as fast as they grow, even when other files were cleaned away
meanwhile; and it fills as fast as df shows, when something else grows there too.

No forecast before MIN_DAYS days of history (MIN_POINTS days with a poll at least): a week, so
that weekly rhythms are seen once. Then `days` = free space / growth (from now); a disk that is
not growing has no fill date. Pure functions; `check` adapts them to findings."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
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


def theil_sen(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Given points (xs strictly increasing), return the Theil–Sen slope: the median of the
    slopes between every two of them."""
    slopes = [(ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(len(xs)) for j in range(i + 1, len(xs))]
    return statistics.median(slopes) if slopes else 0.0


def daily(points: Sequence[DiskPoint]) -> list[DiskPoint]:
    """Given disk points oldest first, return the newest of each UTC day, oldest first."""
    out: dict[int, DiskPoint] = {}
    for p in points:
        out[int(p.at // DAY)] = p
    return [out[d] for d in sorted(out)]


def growth(points: Sequence[DiskPoint]) -> tuple[float | None, float]:
    """Given daily disk points, oldest first, return the growth of what the disk holds in bytes
    per day (None: too little history) and the days of history it was fitted on: the faster of
    the Theil–Sen growths of df's used space and of the kept tarballs' bytes (that one only
    where MIN_POINTS days over MIN_DAYS know it)."""
    if not points:
        return None, 0.0
    span = (points[-1].at - points[0].at) / DAY
    if span < MIN_DAYS or len(points) < MIN_POINTS:
        return None, span
    used = theil_sen([p.at / DAY for p in points], [float(p.used) for p in points])
    known = [p for p in points if p.kept is not None]
    if len(known) >= MIN_POINTS and (known[-1].at - known[0].at) / DAY >= MIN_DAYS:
        kept = theil_sen([p.at / DAY for p in known], [float(p.kept or 0) for p in known])
        return max(used, kept), span
    return used, span


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
    rate, span = growth(recent)
    days = None
    if rate is not None and rate > 0:
        days = max(0.0, newest.free / rate - max(0.0, now - newest.at) / DAY)
    return DiskForecast(
        newest.mount or newest.root, newest.total, newest.used, newest.free, newest.at, span,
        rate, days, largest_night,
    )  # fmt: skip


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


def fill_days(days: float) -> str:
    """Given days until full, return them for people: "12 days", "1 day", "less than a day"."""
    if days < 1:
        return "less than a day"
    n = int(days)
    return f"{n} day" if n == 1 else f"{n} days"

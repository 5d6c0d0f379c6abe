"""The time axis of the server-drawn charts: ticks at round moments of the hub's time zone (whole
hours, midnights, firsts of months, new years), as few steps as keep at most `most` ticks, and
concise labels: the finest unit that changes, the coarser one where it rolls over ("22", "Dec",
"08" for days; "Nov", "2024", "Mar" for months; "06:00", "Nov 16" for hours). Month names are
English whatever the locale, as the rest of tarwatch's output is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MOST = 8
HOUR, DAY = 3600, 86400
# (unit, step, about how many seconds a step is): the first that gives at most MOST ticks wins
STEPS = (
    *(("hour", n, n * HOUR) for n in (1, 2, 3, 6, 12)),
    *(("day", n, n * DAY) for n in (1, 2, 7, 14)),
    *(("month", n, n * 30.4 * DAY) for n in (1, 2, 3, 6)),
    *(("year", n, n * 365.2 * DAY) for n in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)),
)


def zone(name: str) -> ZoneInfo:
    """Given a time zone's name, return it (UTC for a name this machine does not know)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def time_ticks(lo: float, hi: float, tz: str, most: int = MOST) -> list[tuple[float, str]]:
    """Given a range of epoch seconds, a time zone's name and the most ticks wanted, return the
    ticks inside the range as (epoch seconds, label), oldest first."""
    if hi <= lo:
        return []
    zi = zone(tz)
    ticks: list[tuple[float, str]] = []
    for unit, n, seconds in STEPS:
        if (hi - lo) / seconds <= most:
            ticks = [(t, _label(unit, d)) for t, d in _moments(unit, n, lo, hi, zi)]
            if len(ticks) <= most:
                break
    return ticks


def _moments(unit: str, n: int, lo: float, hi: float, zi: ZoneInfo) -> Iterator[tuple[float, datetime]]:
    """Yield the round moments of a step in the range, with their local times."""
    start = datetime.fromtimestamp(lo, zi).date()
    end = datetime.fromtimestamp(hi, zi).date()
    last = None
    for day in _days(unit, n, start, end):
        hours = range(0, 24, n) if unit == "hour" else (0,)
        for h in hours:
            t = datetime(day.year, day.month, day.day, h, tzinfo=zi).timestamp()
            # a local time skipped by a clock change is the moment after it: once, named as it is
            if lo <= t <= hi and t != last:
                last = t
                yield t, datetime.fromtimestamp(t, zi)


def _days(unit: str, n: int, start: date, end: date) -> Iterator[date]:
    """Yield the days from start to end (local dates) on which a tick of the step may fall."""
    if unit in ("month", "year"):
        y, m = start.year, start.month
        while (y, m) <= (end.year, end.month):
            if (unit == "month" and (m - 1) % n == 0) or (unit == "year" and m == 1 and y % n == 0):
                yield date(y, m, 1)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return
    d = start
    last = 30 if n <= 2 else 28  # every other day skips the 31st; weeks fall on 1, 8, 15, 22
    while d <= end:
        if unit == "hour" or ((d.day - 1) % n == 0 and d.day <= last):
            yield d
        d += timedelta(days=1)


def _label(unit: str, t: datetime) -> str:
    """Given a step's unit and a tick's local time, return its concise label."""
    if t.month == 1 and t.day == 1 and t.hour == 0:
        return str(t.year)
    if unit == "hour":
        return f"{MONTHS[t.month - 1]} {t.day:02d}" if t.hour == 0 else f"{t.hour:02d}:00"
    if unit == "day" and t.day != 1:
        return f"{t.day:02d}"
    return MONTHS[t.month - 1] if unit != "year" else str(t.year)

"""Recurring maintenance windows: "sun 02:00-06:00", "mon-fri 12:00-13:00", "sat 23:00-01:00"
(crossing midnight: it ends the next day), as wall-clock times in a time zone. Pure: parsing,
and whether an instant is inside one (with zoneinfo's DST rules: a window starting at 02:00 on
the night the clocks spring forward starts when the clock shows 03:00)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WINDOWS = 'a day or a day range and a time range, e.g. "sun 02:00-06:00", "mon-fri 12:00-13:00"'
_WINDOW = re.compile(r"^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(\d\d):(\d\d)-(\d\d):(\d\d)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Window:
    """The days it starts on (0: Monday), and its start and end in minutes after midnight; an end
    at or before the start is on the next day."""

    days: frozenset[int]
    start: int
    end: int


def parse_window(text: str) -> Window:
    """Given "sun 02:00-06:00", "mon-fri 12:00-13:00" or "sat 23:00-01:00", return its Window;
    raise ValueError saying what is expected."""
    m = _WINDOW.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValueError(f"expected {WINDOWS}, got {text!r}")
    first, last = (d.lower() if d else None for d in m.group(1, 2))
    if first not in DAYS or (last is not None and last not in DAYS):
        raise ValueError(f"expected days as {', '.join(DAYS)}, got {text!r}")
    h1, m1, h2, m2 = (int(x) for x in m.group(3, 4, 5, 6))
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"expected times from 00:00 to 24:00, got {text!r}")
    a = DAYS.index(first)
    b = a if last is None else DAYS.index(last)
    days = frozenset(d % 7 for d in range(a, a + (b - a) % 7 + 1))
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise ValueError(f"a window must last a while, got {text!r}")
    return Window(days, start, end)


def window_end(window: Window, now: float, timezone: str) -> tuple[float, float] | None:
    """Given a window, an instant (epoch seconds) and the time zone of its wall clock, return the
    (start, end) of the occurrence `now` is inside, as epoch seconds, or None when it is in
    none. An end at or before the start is the next day's."""
    tz = ZoneInfo(timezone)
    today = datetime.fromtimestamp(now, tz).date()
    for back in (0, 1):
        day = today - timedelta(days=back)
        if day.weekday() not in window.days:
            continue
        midnight = datetime(day.year, day.month, day.day)
        start = _at(midnight + timedelta(minutes=window.start), tz)
        length = window.end - window.start if window.end > window.start else window.end + 1440 - window.start
        end = _at(midnight + timedelta(minutes=window.start + length), tz)
        if start <= now < end:
            return start, end
    return None


def _at(wall: datetime, tz: ZoneInfo) -> float:
    """Given a naive wall-clock time and a zone, return its instant: a time skipped by a DST
    change is read with the offset before it (02:30 on a spring-forward night is 03:30), a
    repeated one as its first occurrence."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC).timestamp()

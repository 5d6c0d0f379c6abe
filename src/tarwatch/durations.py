"""Durations as people write them in configuration: "30s", "26h", "8d", "1h30m"."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
ALLOWED = 'a number with a unit s, m, h, d or w, e.g. "30s", "26h", "8d", "1h30m"'


def parse_duration(text: str | int | float) -> timedelta:
    """Given "26h", "8d", "1h30m" or a number of seconds, return the timedelta; raise ValueError."""
    if isinstance(text, bool):
        raise ValueError(f"expected {ALLOWED}, got {text!r}")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError(f"expected {ALLOWED}, not negative, got {text!r}")
        return timedelta(seconds=text)
    s = text.strip().lower().replace(" ", "")
    pos, total = 0, 0.0
    for m in _PART.finditer(s):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not s or pos != len(s):
        raise ValueError(f"expected {ALLOWED}, got {text!r}")
    return timedelta(seconds=total)


def format_duration(d: timedelta) -> str:
    """Given a timedelta, return the shortest exact form parse_duration reads back ("26h", "1h30m")."""
    secs = d.total_seconds()
    if secs == 0:
        return "0s"
    if secs != int(secs):
        return f"{secs:g}s"
    secs = int(secs)
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if secs % size == 0 and (unit != "w" or secs >= 2 * size):
            return f"{secs // size}{unit}"
    if secs % 3600 == 0:
        return f"{secs // 3600}h"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, secs = divmod(secs, size)
        if n:
            out.append(f"{n}{unit}")
    return "".join(out)


def humanize(d: timedelta) -> str:
    """Given a timedelta, return a rounded phrase for people: "45 minutes", "3.2 days", "50 hours"."""
    secs = abs(d.total_seconds())
    if secs < 120:
        return f"{secs:.0f} seconds"
    if secs < 7200:
        return f"{secs / 60:.0f} minutes"
    if secs < 72 * 3600:
        return _num(secs / 3600, "hours")
    return _num(secs / 86400, "days")


def _num(x: float, unit: str) -> str:
    x = round(x) if x >= 10 else round(x, 1)
    text = f"{x:.0f}" if x == int(x) else f"{x:.1f}"
    return f"{text} {unit}"

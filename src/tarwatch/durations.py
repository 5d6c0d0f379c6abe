"""Durations as people write them in configuration: "30s", "26h", "8d", "1h30m"."""

from __future__ import annotations

import math
import re
from datetime import timedelta

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# ASCII digits only (\d would take any script's digits)
_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)([smhdw])")
# The longest duration tarwatch takes: 100 years (36525 days). Far beyond any threshold or
# timeout a person means, and well inside what timedelta, asyncio and `now + it` handle.
MAX_DURATION = timedelta(days=36525)
_MAX_S = MAX_DURATION.total_seconds()
ALLOWED = 'a number with a unit s, m, h, d or w, e.g. "30s", "26h", "8d", "1h30m"'
RANGE = "from 0s up to 100 years (36525d)"


def parse_duration(text: str | int | float) -> timedelta:
    """Given "26h", "8d", "1h30m" or a number of seconds, return the timedelta; raise ValueError
    for anything else, a negative duration or one longer than MAX_DURATION."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"expected {ALLOWED}, got {text!r}")
    if isinstance(text, int | float):
        if text != text:  # NaN
            raise ValueError(f"expected {ALLOWED}, got {text!r}")
        if text < 0:
            raise ValueError(f"expected {ALLOWED}, not negative, got {text!r}")
        return _bounded(float(text) if text <= _MAX_S else math.inf, text)
    s = text.strip().lower().replace(" ", "")
    pos, total = 0, 0.0
    for m in _PART.finditer(s):
        if m.start() != pos:
            break
        # float() of thousands of digits is inf, never an error; the sum is checked below
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not s or pos != len(s):
        raise ValueError(f"expected {ALLOWED}, got {_short(text)!r}")
    return _bounded(total, text)


def _bounded(seconds: float, text: str | int | float) -> timedelta:
    if not seconds <= _MAX_S:
        raise ValueError(f"expected a duration {RANGE}, got {_short(text)!r}")
    return timedelta(seconds=seconds)


def _short(text: str | int | float) -> str | int | float:
    """Given what was written, return it cut to a length an error message can show."""
    if isinstance(text, str) and len(text) > 60:
        return text[:60] + "…"
    if isinstance(text, int) and text.bit_length() > 200:
        return float("inf")  # str() of a huge int is slow, and refused past 4300 digits
    return text


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

"""How tarwatch shows times, ages, durations, sizes and statuses to people: the one place. The
table, nagios, the checks' messages, mail and the CLI call these functions; the page gets the
same facts (FACTS, embedded in every page as JSON) and its format.js applies the same rules to
them, checked against the same CASES by a Python test and a Chromium test.

One rendering per fact:

- a moment: UTC to the minute, seconds cut off: "2026-11-20 03:00 UTC" (`when`); a column
  headed "(UTC)" drops the zone: "2026-11-20 03:00".
- a duration in words: below 2 minutes in seconds, below 2 hours in minutes, below 72 hours in
  hours, else in days: "45 seconds", "45 minutes", "50 hours", "3.2 days" (`duration`). Hours
  and days have one decimal below 10 ("2.5 hours"), none from 10 on; a ".0" is dropped; seconds
  and minutes are whole. The sign is dropped ("ahead by …" and "… ago" say it).
- an age in a few characters: the same steps and rounding, units s, m, h, d, the sign kept
  (a tarball from the future): "45m", "30h", "3.2d", "-2h" (`age`).
- a size: binary units B, KiB, MiB, GiB, TiB, bytes whole, the others to one decimal:
  "512 B", "4.0 GiB" (`size`); with the exact count: "4.0 GiB (4,299,161,600 bytes)", or
  "512 bytes" below 1 KiB (`exact_size`).
- nothing to show (no tarball, no size): NONE, "-".
- rounding: half to even, of the float's exact value (Python's own formatting).
- a status: its word, an icon (ICONS: ✔ ok, ▲ warn, ✖ alarm, ? unknown; ✔ also for recovered)
  and a colour: COLORS (text and background, on the page and in mail), COLORS_DARK (the same on
  the page's dark theme; both at least CONTRAST_MIN, `contrast`) and TERMINAL (named colours, so
  that the terminal's own theme applies). Snoozed is marked SNOOZED (‖).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

NONE = "-"
ICONS = {"ok": "✔", "warn": "▲", "alarm": "✖", "unknown": "?"}
INFO = "ℹ"  # the banner of fresh data
SNOOZED = "‖"
COLORS = {  # (text, background)
    "ok": ("#1e7d34", "#e6f4ea"),
    "warn": ("#8a5a00", "#fff4d6"),
    "alarm": ("#b3261e", "#fde7e5"),
    "unknown": ("#4b5563", "#eceff3"),
}
COLORS_DARK = {  # (text, background) on a dark page: the same contrast rules (CONTRAST_MIN)
    "ok": ("#6fd08a", "#12301c"),
    "warn": ("#f0c054", "#372a08"),
    "alarm": ("#ff8a80", "#3d1512"),
    "unknown": ("#b4bfcc", "#262e38"),
}
CONTRAST_MIN = 4.5  # WCAG AA for text: every status's text on its background, light and dark
TERMINAL = {"ok": "green", "warn": "yellow", "alarm": "bold red", "unknown": "magenta"}

# (below this many seconds, the unit's seconds, its word, its letter, one decimal below)
STEPS: tuple[tuple[float | None, int, str, str, float], ...] = (
    (120, 1, "seconds", "s", 0),
    (7200, 60, "minutes", "m", 0),
    (72 * 3600, 3600, "hours", "h", 10),
    (None, 86400, "days", "d", 10),
)
SIZE_BASE = 1024
SIZE_UNITS = (("B", 0), ("KiB", 1), ("MiB", 1), ("GiB", 1), ("TiB", 1))  # (unit, decimals)


def when(t: float, zone: bool = True, seconds: bool = False) -> str:
    """Given epoch seconds, return the moment for people, "2026-11-20 03:00 UTC" ("2026-11-20
    03:00" without the zone, "2026-11-20 03:00:04 UTC" with seconds, for moments seconds
    apart such as two runs), or "?" for a stamp no datetime can hold."""
    try:
        text = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    except (ValueError, OverflowError, OSError):
        return "?"
    return text + " UTC" if zone else text


def duration(d: timedelta | float) -> str:
    """Given a timedelta or seconds, return it in words: "45 minutes", "3.2 days", "50 hours"."""
    number, word, _ = _step(abs(d.total_seconds() if isinstance(d, timedelta) else d))
    return f"{number} {word}"


def age(seconds: float) -> str:
    """Given an age in seconds, return it in a few characters: "45m", "30h", "3.2d", "-2h"."""
    number, _, letter = _step(abs(seconds))
    return ("-" if seconds < 0 else "") + number + letter


def _step(secs: float) -> tuple[str, str, str]:
    for below, unit, word, letter, fine in STEPS:
        if below is None or secs < below:
            x = secs / unit
            text = f"{x:.1f}".removesuffix(".0") if x < fine else f"{x:.0f}"
            return text, word, letter
    raise AssertionError("the last step has no bound")


def size(n: int | None) -> str:
    """Given bytes, return a short size ("4.0 GiB", "512 B"), or NONE for None."""
    if n is None:
        return NONE
    x = float(n)
    for i, (unit, decimals) in enumerate(SIZE_UNITS):
        if abs(x) < SIZE_BASE or i == len(SIZE_UNITS) - 1:
            return f"{x:.{decimals}f} {unit}"
        x /= SIZE_BASE
    raise AssertionError("the last unit has no bound")


def exact_size(n: int) -> str:
    """Given bytes, return the short size and the exact count ("4.0 GiB (4,299,161,600 bytes)"),
    or only the count below 1 KiB ("512 bytes")."""
    return f"{size(n)} ({n:,} bytes)" if n >= SIZE_BASE else f"{n} bytes"


def contrast(a: str, b: str) -> float:
    """Given two colours "#rrggbb", return their contrast ratio as WCAG 2 defines it, from 1
    (the same) to 21 (black on white)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _luminance(color: str) -> float:
    channels = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def facts() -> dict[str, Any]:
    """Return the facts the page's format.js renders with: icons, colours, steps, units."""
    return {
        "none": NONE,
        "icons": ICONS,
        "info": INFO,
        "snoozed": SNOOZED,
        "colors": {s: {"text": fg, "background": bg} for s, (fg, bg) in COLORS.items()},
        "colors_dark": {s: {"text": fg, "background": bg} for s, (fg, bg) in COLORS_DARK.items()},
        "steps": [
            {"below": below, "unit": unit, "word": word, "letter": letter, "fine_below": fine}
            for below, unit, word, letter, fine in STEPS
        ],
        "size": {"base": SIZE_BASE, "units": [{"unit": u, "decimals": d} for u, d in SIZE_UNITS]},
    }


# The cases both implementations are tested on (tests/unit/formats/test_human.py and the page's
# format.js in tests/e2e/test_human_in_chromium.py): (function, argument, text).
CASES: tuple[tuple[str, float | None, str], ...] = (
    ("duration", 0, "0 seconds"),
    ("duration", 45, "45 seconds"),
    ("duration", 119.4, "119 seconds"),
    ("duration", 120, "2 minutes"),
    ("duration", 150, "2 minutes"),  # 2.5: half to even
    ("duration", 210, "4 minutes"),  # 3.5: half to even
    ("duration", 2700, "45 minutes"),
    ("duration", 7200, "2 hours"),
    ("duration", 9000, "2.5 hours"),
    ("duration", 8100, "2.2 hours"),  # 2.25: half to even
    ("duration", 35999, "10 hours"),
    ("duration", 108000, "30 hours"),
    ("duration", 180000, "50 hours"),
    ("duration", 259200, "3 days"),
    ("duration", 276480, "3.2 days"),
    ("duration", 8553600, "99 days"),
    ("duration", -7200, "2 hours"),
    ("age", 90, "90s"),
    ("age", 2700, "45m"),
    ("age", 108000, "30h"),
    ("age", 276480, "3.2d"),
    ("age", 1062720, "12d"),
    ("age", -7200, "-2h"),
    ("size", None, "-"),
    ("size", 0, "0 B"),
    ("size", 512, "512 B"),
    ("size", 1023, "1023 B"),
    ("size", 1024, "1.0 KiB"),
    ("size", 1536, "1.5 KiB"),
    ("size", 1048575, "1024.0 KiB"),
    ("size", 4299161600, "4.0 GiB"),
    ("size", 10737418240, "10.0 GiB"),
    ("size", -1536, "-1.5 KiB"),
    ("size", 5 * 1024**5, "5120.0 TiB"),
    ("exact_size", 512, "512 bytes"),
    ("exact_size", 4299161600, "4.0 GiB (4,299,161,600 bytes)"),
    ("when", 1353380400, "2012-11-20 03:00 UTC"),
    ("when", 1353380459.9, "2012-11-20 03:00 UTC"),
)

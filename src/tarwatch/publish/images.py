"""What the chart images drawn on the server share: the size axis's rules, the colours of the
stale marks and of muted text, the note of an unreachable node, and the PNG's compression.

A node's chart (chart.py; drawn without matplotlib) shows per item the size over time and the
tarballs per day on a second axis, in the colours the browser charts use, as SVG (written by
hand: svg.py) and PNG (drawn with Pillow: raster.py), both from one layout. For e-mail, pages
without JavaScript and overviews of many nodes; drawn only when data changed.

Sizes are ticked at round binary steps (a power of two bytes: 512 MiB, 1 GiB, 2 GiB …) and
labelled in binary units, as the browser's charts are (binary_ticks, binary_label; chart.js
has the same rules); the time axis is in the hub's time zone and names it (timeaxis.py). Past
each item's newest tarball a dotted line runs to where it would be stale_warn (▲) and
stale_alarm (✖) old. A node whose newest poll failed says so in the title, and one without a
tarball draws no axes (no 1970): only what there is to say. Names are XML-escaped in the SVG,
their control characters shown escaped; each item's line carries its name as a tooltip. The
same data gives the same bytes. The disk image (diskimage.py) is drawn the same way, on the
same axes (drawing.Plot), as PNG only."""

from __future__ import annotations

import math
from typing import Any

from tarwatch import human

UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
MOST_TICKS = 6
WARN_COLOR, ALARM_COLOR = human.COLORS["warn"][0], human.COLORS["alarm"][0]
MUTED = "#5f6b7a"
PNG_LEVEL = 3  # zlib's level for the PNG images: 6 (the default) takes twice as long for ~10% less


def binary_step(span: float, most: int = MOST_TICKS) -> int:
    """Given a span of bytes and the most ticks wanted, return the smallest power of two
    (bytes, at least 1) that cuts the span into at most that many steps."""
    step = 1
    while span / step > most:
        step *= 2
    return step


def binary_ticks(lo: float, hi: float, most: int = MOST_TICKS) -> list[int]:
    """Given a range of bytes and the most ticks wanted, return the ticks inside it: the
    multiples of binary_step(hi - lo)."""
    if hi <= lo:
        return [int(lo)]
    step = binary_step(hi - lo, most)
    first = math.ceil(lo / step) * step
    return list(range(int(first), int(hi) + 1, step))


def binary_label(n: float) -> str:
    """Given bytes, return them in the largest binary unit that holds them with at most two
    decimals, which a multiple of a quarter of that unit has: "512 MiB", "1.5 GiB", "1026 MiB",
    "0 B"."""
    n = int(n)
    for k in range(len(UNITS) - 1, 0, -1):
        unit = 1024**k
        if abs(n) >= unit and (n * 4) % unit == 0:
            return f"{n / unit:.2f}".rstrip("0").rstrip(".") + " " + UNITS[k]
    return f"{n} B"


def down_text(doc: dict[str, Any]) -> str | None:
    """Given a node's series document, return what its chart says of a node that could not be
    listed ("unreachable since …, last listed …"), or None when it was."""
    down = doc.get("down")
    if not down:
        return None
    listed = down.get("last_listed")
    last = f"last listed {human.when(listed)}" if listed is not None else "never listed"
    return f"unreachable since {human.when(down['since'])}, {last}"

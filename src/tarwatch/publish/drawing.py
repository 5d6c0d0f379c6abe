"""What a server-drawn chart is made of, whatever draws it: lines, marks and texts in pixels of
a canvas (y downwards), in the order they are drawn, and the axes the charts share (Plot: a box
showing a time range across and bytes upwards, its grid, frame and ticks: times in the hub's
zone, sizes at binary steps). A chart is laid out once (chart.py, diskimage.py) and written as
SVG (svg.py) and as PNG (raster.py): both show the same thing."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from tarwatch.publish.images import binary_label, binary_step, binary_ticks
from tarwatch.publish.timeaxis import time_ticks

Point = tuple[float, float]
Anchor = Literal["start", "middle", "end"]


@dataclass(frozen=True, slots=True)
class Line:
    """A polyline: its points, colour, width (px), dashes (on, off px; None: solid), opacity
    and a title (an item's name: the SVG's tooltip)."""

    points: list[Point]
    color: str
    width: float = 1.0
    dash: tuple[float, float] | None = None
    opacity: float = 1.0
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """A marker centred on (x, y): a "triangle" (▲, stale_warn), a "cross" (✖, stale_alarm)
    or a "dot" (●, a day's reading) of `size` px across."""

    kind: Literal["triangle", "cross", "dot"]
    x: float
    y: float
    color: str
    size: float = 8.0


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text: (x, y) is its anchor on the baseline; rotated -90 it reads upwards."""

    x: float
    y: float
    text: str
    size: float
    color: str = "#000000"
    anchor: Anchor = "start"
    rotate: int = 0


Shape = Line | Mark | Text


@dataclass
class Drawing:
    """A canvas of width × height px (white), a description for people, and its shapes."""

    width: int
    height: int
    description: str
    shapes: list[Shape] = field(default_factory=list)


INK, GRID = "#000000", "#e5e7eb"
TICK, TICK_TEXT = 3.5, 13.0  # px: a tick's length, its label's size


def size_top(most: float) -> int:
    """Given the largest size a chart shows (bytes), return the top of its size axis: a tenth
    above it, rounded up to a binary step (at least 1)."""
    step = binary_step((most or 1) * 1.1)
    return math.ceil((most or 1) * 1.1 / step) * step


@dataclass(frozen=True, slots=True)
class Plot:
    """A chart's plot: its box in px (left, right, top, bottom), the time range it shows across
    (lo..hi, epoch seconds) in the hub's time zone and the bytes upwards (0..top)."""

    left: float
    right: float
    top: float
    bottom: float
    lo: float
    hi: float
    size_top: float
    tz: str = "UTC"

    @property
    def kx(self) -> float:
        """px a second across."""
        return (self.right - self.left) / (self.hi - self.lo)

    @property
    def ky(self) -> float:
        """px a byte upwards."""
        return (self.bottom - self.top) / self.size_top

    def x(self, t: float) -> float:
        """Given epoch seconds, return where they are across (px)."""
        return self.left + (t - self.lo) * self.kx

    def y(self, size: float) -> float:
        """Given bytes, return where they are upwards (px)."""
        return self.bottom - size * self.ky

    def time_ticks(self) -> list[tuple[float, str]]:
        """Return the time axis's ticks: (epoch seconds, label), round moments of the zone."""
        return time_ticks(self.lo, self.hi, self.tz)

    def size_ticks(self) -> list[int]:
        """Return the size axis's ticks: bytes at a binary step."""
        return binary_ticks(0, self.size_top)

    def grid(self) -> list[Shape]:
        """Return the grid: a line across at each size tick and up at each time tick (drawn
        first, behind the data)."""
        top, bottom, left, right = self.top, self.bottom, self.left, self.right
        shapes: list[Shape] = [
            Line([(self.x(t), top), (self.x(t), bottom)], GRID, 0.8) for t, _ in self.time_ticks()
        ]
        shapes += [Line([(left, self.y(v)), (right, self.y(v))], GRID, 0.8) for v in self.size_ticks()]
        return shapes

    def axes(self) -> list[Shape]:
        """Return the frame and the ticks with their labels: times below, sizes on the left
        (drawn over the data)."""
        box = [(self.left, self.top), (self.right, self.top), (self.right, self.bottom)]
        shapes: list[Shape] = [Line([*box, (self.left, self.bottom), (self.left, self.top)], INK, 1.0)]
        for t, label in self.time_ticks():
            x, below = self.x(t), self.bottom + TICK
            shapes.append(Line([(x, self.bottom), (x, below)], INK, 1.0))
            shapes.append(Text(x, below + 14, label, TICK_TEXT, INK, "middle"))
        for v in self.size_ticks():
            y = self.y(v)
            shapes.append(Line([(self.left - TICK, y), (self.left, y)], INK, 1.0))
            shapes.append(Text(self.left - TICK - 3, y + 4.5, binary_label(v), TICK_TEXT, INK, "end"))
        return shapes

"""What a server-drawn chart is made of, whatever draws it: lines, marks and texts in pixels of
a canvas (y downwards), in the order they are drawn. A chart is laid out once (chart.py) and
written twice, as SVG (svg.py) and as PNG (raster.py): both show the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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
    """A marker centred on (x, y): a "triangle" (▲, stale_warn) or a "cross" (✖, stale_alarm)
    of `size` px across."""

    kind: Literal["triangle", "cross"]
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

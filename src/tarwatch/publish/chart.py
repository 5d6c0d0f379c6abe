"""A node's chart, drawn without matplotlib: laid out once as a Drawing (900 × 360 px): per
item its size over time, a dotted line past its newest tarball to where it would be stale_warn
(▲) and stale_alarm (✖) old, the tarballs per day as a step line on a second axis (right),
sizes ticked at round binary steps and labelled in binary units (images.binary_ticks,
binary_label), the time axis in the hub's time zone and named (timeaxis), a title, the
"unreachable since …" note of a node whose newest poll failed, a legend when there are at
most LEGEND_MAX items. A node without a tarball gets one sentence and no axes (no 1970).
Lines are simplified: points within TOLERANCE px of a straight run are dropped (invisible, and
a year of 50 items draws in a few hundred points instead of 18,000). The layout is pure (the
same document gives the same drawing); render() writes it as SVG (svg.py) and PNG (raster.py)."""

from __future__ import annotations

import math
from itertools import accumulate
from typing import Any

from tarwatch.publish import raster, svg
from tarwatch.publish.drawing import (
    INK,
    TICK,
    TICK_TEXT,
    Drawing,
    Line,
    Mark,
    Plot,
    Point,
    Shape,
    Text,
    size_top,
)
from tarwatch.publish.images import ALARM_COLOR, MUTED, WARN_COLOR, down_text
from tarwatch.publish.palette import COUNT_COLOR

WIDTH, HEIGHT = 900, 360
LEFT, RIGHT, TOP, BOTTOM = 90.0, 828.0, 43.0, 310.0  # the plot's box
LEGEND_MAX = 12  # more items than this: no legend (the browser chart has one that toggles)
COUNT_TICKS = 4  # at most this many steps on the tarballs-per-day axis
LABEL_TEXT = 13.0
DAY = 86400
TOLERANCE = 0.2  # px: how far a simplified line may pass from a point it drops


def render(doc: dict[str, Any]) -> tuple[bytes, bytes]:
    """Given a node's series document, return its chart as (SVG, PNG) bytes."""
    drawing = layout(doc)
    return svg.svg(drawing), raster.png(drawing)


def layout(
    doc: dict[str, Any], warn: str = WARN_COLOR, alarm: str = ALARM_COLOR, muted: str = MUTED
) -> Drawing:
    """Given a node's series document (and the colours of the stale marks and of muted
    text), return its chart as a Drawing."""
    name = f"{doc['hub']} / {doc['node']}"
    drawing = Drawing(WIDTH, HEIGHT, f"{name}: size per item and tarballs per day")
    shapes = drawing.shapes
    down = down_text(doc)
    t0, items, counts = doc["t0"], doc["items"], doc["days"]
    hub_stale = doc.get("stale") or {}
    columns = [(list(accumulate(i["t"], initial=t0))[1:], list(accumulate(i["s"]))) for i in items]
    drawn = [(ts, ss) for ts, ss in columns if ts]
    if not drawn and not counts:
        color = alarm if down else muted
        text = f"{name}: {down or 'no tarballs seen on this node'}"
        shapes.append(Text(WIDTH / 2, HEIGHT / 2 + 6, text, 17.0, color, "middle"))
        return drawing
    due: list[tuple[str, float, int, float, float]] = []  # colour, newest, size, warn at, alarm at
    for item, (ts, ss) in zip(items, columns, strict=True):
        stale = item.get("stale") or hub_stale
        if ts and stale:
            due.append((item["color"], ts[-1], ss[-1], ts[-1] + stale["warn"], ts[-1] + stale["alarm"]))
    xs = [t for ts, _ in drawn for t in (ts[0], ts[-1])]
    xs += [t0, t0 + len(counts) * DAY] if counts else []
    xs += [d[4] for d in due]
    lo, hi = float(min(xs)) - DAY, float(max(xs)) + DAY
    ymax = max((max(ss) for _, ss in drawn), default=0) or 1
    tz = doc.get("tz") or "UTC"
    plot = Plot(LEFT, RIGHT, TOP, BOTTOM, lo, hi, size_top(ymax), tz)
    count_top = max([1, *counts]) * 1.3  # headroom: the legend sits above the line
    kx, ky, kc = plot.kx, plot.ky, (BOTTOM - TOP) / count_top
    x, y = plot.x, plot.y
    shapes += plot.grid()
    # the tarballs per day, behind the items: each day's count across its day
    if counts:
        steps = [(x(t0 + d * DAY + e), BOTTOM - c * kc) for d, c in enumerate(counts) for e in (0, DAY)]
        steps = simplified(steps)
        shapes.append(Line(steps, COUNT_COLOR, 1.2, opacity=0.8, title="tarballs per day"))
    for item, (ts, ss) in zip(items, columns, strict=True):
        if ts:
            x0, y0 = LEFT - lo * kx, BOTTOM  # x(t) = x0 + t * kx, y(s) = y0 - s * ky, inlined
            points = simplified([(x0 + t * kx, y0 - s * ky) for t, s in zip(ts, ss, strict=True)])
            shapes.append(Line(points, item["color"], 1.6, title=item["item"]))
    for color, newest, size, warn_at, alarm_at in due:
        shapes.append(Line([(x(newest), y(size)), (x(alarm_at), y(size))], color, 1.2, dash=(1.5, 2.5)))
        shapes.append(Mark("triangle", x(warn_at), y(size), warn))
        shapes.append(Mark("cross", x(alarm_at), y(size), alarm))
    shapes += plot.axes()
    for c in _count_ticks(count_top):
        yc = BOTTOM - c * kc
        shapes.append(Line([(RIGHT, yc), (RIGHT + TICK, yc)], COUNT_COLOR, 1.0))
        shapes.append(Text(RIGHT + TICK + 3, yc + 4.5, str(c), TICK_TEXT, COUNT_COLOR))
    shapes.append(Text(20, (TOP + BOTTOM) / 2, "size", LABEL_TEXT, INK, "middle", -90))
    shapes.append(Text(878, (TOP + BOTTOM) / 2, "tarballs per day", LABEL_TEXT, COUNT_COLOR, "middle", -90))
    shapes.append(Text((LEFT + RIGHT) / 2, HEIGHT - 8, f"time ({tz})", 12.0, muted, "middle"))
    shapes.append(Text(LEFT, 26, name, 15.0, INK))
    if down:
        shapes.append(Text(RIGHT, 26, down, 13.5, alarm, "end"))
    if 0 < len(items) <= LEGEND_MAX:
        shapes += _legend(items)
    return drawing


def simplified(points: list[Point], tolerance: float = TOLERANCE) -> list[Point]:
    """Given a polyline (px), return it without the points that lie within `tolerance` px of
    the straight run through their neighbours (a year of nightly sizes is mostly such runs):
    a point is kept where the line turns away from the run, or back along it."""
    if len(points) < 3:
        return points
    out = [points[0]]
    ax, ay = points[0]
    dx = dy = norm = reach = 0.0
    prev = points[0]
    limit = 0.0  # tolerance × the run's length: the bound of the products below
    for p in points[1:]:
        px, py = p
        if norm == 0.0:  # the run's direction: towards the first point that is not the anchor
            dx, dy = px - ax, py - ay
            norm = math.hypot(dx, dy)
            limit, reach = tolerance * norm, norm * norm
        else:
            rx, ry = px - ax, py - ay
            cross, along = rx * dy - ry * dx, rx * dx + ry * dy  # px, both × the run's length
            if cross > limit or cross < -limit or along < reach - limit:
                out.append(prev)
                ax, ay = prev
                dx, dy = px - ax, py - ay
                norm = math.hypot(dx, dy)
                limit, reach = tolerance * norm, norm * norm
            elif along > reach:
                reach = along
        prev = p
    out.append(prev)
    return out


def _count_ticks(top: float) -> list[int]:
    """Given the top of the tarballs-per-day axis, return its ticks: whole numbers, a step of
    1, 2 or 5 times a power of ten, at most COUNT_TICKS steps."""
    step, k = 1, 0
    while top / step > COUNT_TICKS:
        k += 1
        step = (1, 2, 5)[k % 3] * 10 ** (k // 3)
    return list(range(0, int(top) + 1, step))


def _legend(items: list[dict[str, Any]]) -> list[Shape]:
    """The items' colours and names in rows of three (fewer when long names need the room), in
    the plot's upper left corner."""
    size, sample, gap, row = 11.0, 20.0, 6.0, 15.0
    width = max(raster.text_width(i["item"], size) for i in items) + sample + gap + 18
    per_row = 3
    while per_row > 1 and per_row * width > RIGHT - LEFT - 16:
        per_row -= 1
    shapes: list[Shape] = []
    for k, item in enumerate(items):
        left, base = LEFT + 8 + (k % per_row) * width, TOP + 16 + (k // per_row) * row
        shapes.append(Line([(left, base - 4), (left + sample, base - 4)], item["color"], 1.6))
        shapes.append(Text(left + sample + gap, base, item["item"], size, INK))
    return shapes

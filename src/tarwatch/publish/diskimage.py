"""A node's disk chart as a PNG drawn on the server (laid out as a Drawing on the axes the node's
chart uses, drawing.Plot, and drawn by raster.py: no matplotlib), for pages without JavaScript
and for embedding: `img/<hub>/disk/<node>.png`. Used space a day (the node's series
document's "disk": [[t, used, total], …]), the total (the level where the disk is full), and the
forecast as a dashed line from the newest df to the fill date; its title says what the browser's
chart says: "fills in 12 days", "not filling", "no forecast yet (needs 7 days of history, has
2)". The forecast comes from the report (facts_of: its state, the day the disk fills and the
whole days until then, counted from the report's `now` as the capacity check and the browser's
chart count them, capacity.fill_days; they join the node's facts, and a quiet night rewrites
nothing unless that count moves); so do the whole days of history of a forecast not yet made
(the forecast's, status.json's history_days, which the browser's chart says too, not the days
drawn: those leave out days where the disk barely moved), which move only while a node has
less than a week of history. Sizes are ticked and labelled as images.py does.

Written only when its bytes change: a publish that redraws a node whose disk did not move
writes no disk image."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tarwatch.atomic import write_bytes
from tarwatch.checks import Report
from tarwatch.checks.capacity import MIN_DAYS, fill_days, tenths
from tarwatch.publish import paths, raster
from tarwatch.publish.drawing import INK, Drawing, Line, Mark, Plot, Text, size_top
from tarwatch.publish.images import MUTED, WARN_COLOR
from tarwatch.publish.series import DAY
from tarwatch.publish.timeaxis import zone
from tarwatch.records import DiskForecast

USED_COLOR = "#1f2933"  # the light page's text colour (tarwatch.css --tw-fg), as the browser draws used
NO_FIGURES = "no disk figures yet (df under the root runs with each listing)"
HORIZON = 31  # days: the forecast is drawn at most a month ahead, or as far as the history reaches back
WIDTH, HEIGHT = 900, 320
LOOK = 2  # the layout's revision (1 was matplotlib's): in each image's key, so a new one redraws them
LEFT, RIGHT, TOP, BOTTOM = 90.0, 870.0, 43.0, 268.0  # the plot's box

# the state (STATES), the day it fills (its start), whole days until then (of history: "short")
DiskFacts = tuple[str, int | None, int | None]
STATES = ("none", "short", "flat", "fills")  # no df yet, too little history, not filling, filling


def image_path(hub: str, node: str) -> str:
    """Given a (hub, node), return the site path of its disk image (beside its chart images, in
    a folder of their own: no node's name can make it another node's file)."""
    folder, name = paths.node_image(hub, node, "png").rsplit("/", 1)
    return f"{folder}/disk/{name}"


def state(fc: DiskForecast | None, now: float, tz: str = "UTC") -> DiskFacts:
    """Given a node's disk forecast (or None), the report's time and the hub's time zone, return
    its state (STATES), the day the disk fills (the day's start in that zone) and the whole days
    from `now` until full (as the check says them; both None: no forecast). Both come from the
    days to a tenth (capacity.tenths) that the browser's chart reads in status.json, and the day
    is the one the browser's chart names. Too little history: ("short", None, its whole days),
    as status.json's history_days (to two decimals) floored, which the browser's chart says."""
    if fc is None:
        return "none", None, None
    if fc.growth is None:
        return "short", None, math.floor(round(fc.history, 2))
    if fc.days is None:
        return "flat", None, None
    days = tenths(fc.days)
    day = datetime.fromtimestamp(now + days * DAY, zone(tz)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return "fills", int(day.timestamp()), int(days)


def title(facts: DiskFacts | None, rows: Sequence[Sequence[int]]) -> str:
    """Given a node's disk facts and the history drawn ([t, used, total] a day), return the
    image's title: "fills in 12 days" (from the report's `now`, as the check and the browser's
    chart say it), "not filling", "no forecast yet (needs 7 days of history, has 2)" (the
    forecast's days of history), or that there are no disk figures yet."""
    kind, _, days = facts or ("none", None, None)
    if kind == "none" or not rows:
        return NO_FIGURES
    if kind == "short":
        return f"no forecast yet (needs {MIN_DAYS:g} days of history, has {days or 0})"
    if kind == "fills" and days is not None:
        return f"fills in {fill_days(days)}"
    return "not filling"


def facts_of(report: Report, zones: Mapping[str, str] | None = None) -> dict[tuple[str, str], DiskFacts]:
    """Given the report and each hub's time zone (UTC where none is given), return per (hub,
    node) its disk image's facts (state)."""
    zones = zones or {}
    return {
        (h.hub, n.node): state(n.disk, report.generated, zones.get(h.hub, "UTC"))
        for h in report.hubs
        for n in h.nodes
    }


def full_text(fill: int | None, reached: bool, tz: str) -> str:
    """Given the day the disk fills (its start; None: no forecast), whether the forecast drawn
    reaches it and the hub's time zone, return the total's label: "full", "full on 2026-12-07"
    (that day in the zone), or "full on 2026-12-07 →" for a day beyond the chart's end."""
    if fill is None:
        return "full"
    day = datetime.fromtimestamp(fill, zone(tz)).date().isoformat()
    return f"full on {day}" + ("" if reached else " \u2192")


def write(out: Path, hub: str, node: str, doc: dict[str, Any], facts: DiskFacts | None) -> bool:
    """Given the site folder, a (hub, node), its series document and its disk facts, write its
    disk image unless the file holds those bytes already; return whether it was written."""
    path = paths.within(out, image_path(hub, node))
    png = render(doc, facts)
    try:
        if path.read_bytes() == png:
            return False
    except OSError:
        pass  # missing or unreadable: written
    write_bytes(path, png)
    return True


def render(doc: dict[str, Any], facts: DiskFacts | None) -> bytes:
    """Given a node's series document and its disk facts, return its disk chart as PNG bytes
    (the same bytes for the same data)."""
    rows = doc.get("disk") or []
    if not rows:
        return _empty()
    return raster.png(layout(doc, facts))


@functools.cache
def _empty() -> bytes:
    """One image for every node without disk figures: it names no node, so it is drawn once."""
    drawing = Drawing(WIDTH, HEIGHT, NO_FIGURES)
    drawing.shapes.append(Text(WIDTH / 2, HEIGHT / 2 + 6, NO_FIGURES, 15.0, MUTED, "middle"))
    return raster.png(drawing)


def layout(doc: dict[str, Any], facts: DiskFacts | None) -> Drawing:
    """Given a node's series document with disk figures and its disk facts, return its disk
    chart as a Drawing: the used space a day (a dot each), the total (its level where the disk
    is full, labelled with the fill day), the forecast dashed from the newest day to the fill
    day (at most HORIZON days ahead, or as far as the history reaches back: past that it stops
    at the plot's edge and the label says "→"), the title and the state's words."""
    rows: Sequence[Sequence[int]] = doc["disk"]
    fill = facts[1] if facts and facts[0] == "fills" else None
    tz = doc.get("tz") or "UTC"
    first, newest, (_, used, total) = rows[0][0], rows[-1][0], rows[-1]
    end, reached = float(newest), False
    if fill is not None:
        full_at = max(fill, newest)
        end = min(full_at, newest + max(HORIZON * DAY, newest - first))
        reached = end == full_at
    pad = max(end - first, DAY) * 0.02
    plot = Plot(LEFT, RIGHT, TOP, BOTTOM, first - pad, end + pad, size_top(max(r[2] for r in rows)), tz)
    x, y = plot.x, plot.y
    name = f"{doc['hub']} / {doc['node']}"
    drawing = Drawing(WIDTH, HEIGHT, f"{name}: disk space used a day, the total and the forecast")
    shapes = drawing.shapes
    shapes += plot.grid()
    totals = [(x(t), y(tot)) for t, _, tot in rows]
    shapes.append(Line([*totals, (x(end), y(total))], MUTED, 1.4))
    warn = WARN_COLOR if fill is not None else MUTED
    if fill is not None:
        share = (end - newest) / (full_at - newest) if full_at > newest else 1.0
        ahead = [(x(newest), y(used)), (x(end), y(used + (total - used) * share))]
        shapes.append(Line(ahead, WARN_COLOR, 1.9, dash=(8.0, 5.5)))
    shapes.append(Line([(x(t), y(u)) for t, u, _ in rows], USED_COLOR, 1.9))
    shapes += [Mark("dot", x(t), y(u), USED_COLOR, 3.5) for t, u, _ in rows]
    if reached:
        shapes.append(Mark("dot", x(end), y(total), WARN_COLOR, 7.0))
    shapes += plot.axes()
    shapes.append(Text(x(newest) - 5.5, y(used) - 8, "used", 11.0, USED_COLOR, "end"))
    shapes.append(Text(x(end) - 8, y(total) - 5, full_text(fill, reached, tz), 11.0, warn, "end"))
    shapes.append(Text(20, (TOP + BOTTOM) / 2, "disk space", 13.0, INK, "middle", -90))
    shapes.append(Text((LEFT + RIGHT) / 2, HEIGHT - 8, f"time ({tz})", 12.0, MUTED, "middle"))
    shapes.append(Text(LEFT, 26, f"{name}: disk", 15.0, INK))
    shapes.append(Text(RIGHT, 26, title(facts, rows), 13.5, warn, "end"))
    return drawing

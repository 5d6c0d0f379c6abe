"""A node's disk chart as a PNG rendered on the server (matplotlib, Agg), for pages without
JavaScript and for embedding: `img/<hub>/disk/<node>.png`. Used space a day (the node's series
document's "disk": [[t, used, total], …]), the total (the level where the disk is full), and the
forecast as a dashed line from the newest df to the fill date; its title says what the browser's
chart says: "fills in 12 days", "not filling", "no forecast yet (needs 7 days of history, has
2)". The forecast comes from the report (facts_of: its state, the day the disk fills and the
whole days until then, counted from the report's `now` as the capacity check and the browser's
chart count them, capacity.fill_days; they join the node's facts, and a quiet night rewrites
nothing unless that count moves); the days of history are counted from the history the image
draws. Sizes are ticked and labelled as images.py does.

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
from tarwatch.publish import paths
from tarwatch.publish.images import MUTED, WARN_COLOR, binary_label, binary_step, binary_ticks, png_of
from tarwatch.publish.series import DAY
from tarwatch.publish.timeaxis import zone
from tarwatch.records import DiskForecast

USED_COLOR = "#1f2933"  # the light page's text colour (tarwatch.css --tw-fg), as the browser draws used
NO_FIGURES = "no disk figures yet (df under the root runs with each listing)"
HORIZON = 31  # days: the forecast is drawn at most a month ahead, or as far as the history reaches back

DiskFacts = tuple[str, int | None, int | None]  # the state (STATES), the day it fills (UTC), whole days
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
    is the one the browser's chart names."""
    if fc is None:
        return "none", None, None
    if fc.growth is None:
        return "short", None, None
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
    chart say it), "not filling", "no forecast yet (needs 7 days of history, has 2)", or that
    there are no disk figures yet."""
    kind, _, days = facts or ("none", None, None)
    if kind == "none" or not rows:
        return NO_FIGURES
    if kind == "short":
        has = math.floor((rows[-1][0] - rows[0][0]) / DAY)
        return f"no forecast yet (needs {MIN_DAYS:g} days of history, has {has})"
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
    fill = facts[1] if facts and facts[0] == "fills" else None
    return _chart().render(doc, rows, title(facts, rows), fill)


@functools.cache
def _empty() -> bytes:
    """One image for every node without disk figures: it names no node, so it is drawn once."""
    return _chart().render({}, [], NO_FIGURES, None)


@functools.cache
def _chart() -> _DiskChart:
    return _DiskChart()


class _DiskChart:
    """One figure with fixed margins, made once per process: the used line (labelled at its
    newest day: a legend's layout costs a quarter of a draw), the total, the forecast and the
    "full" label, given each node's data; drawn by Agg and saved as RGB at images.PNG_LEVEL."""

    def __init__(self) -> None:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(9, 3.2), dpi=100)
        self.fig.subplots_adjust(left=0.1, right=0.95, top=0.84, bottom=0.16)
        self.ax = ax = self.fig.add_subplot()
        ax.set_ylabel("disk space")
        ax.grid(True, color="#e5e7eb", lw=0.6)
        (self.used,) = ax.plot([], [], color=USED_COLOR, lw=1.4, marker="o", ms=2.5, label="used")
        (self.total,) = ax.plot([], [], color=MUTED, lw=1, label="total")
        (self.forecast,) = ax.plot([], [], color=WARN_COLOR, lw=1.4, ls=(0, (6, 4)), label="forecast")
        (self.mark,) = ax.plot([], [], ls="none", marker="o", ms=5, color=WARN_COLOR)
        self.label = ax.annotate(
            "used",
            (0, 0),
            xytext=(-4, 6),
            textcoords="offset points",
            fontsize=8,
            ha="right",
            color=USED_COLOR,
        )
        self.full = ax.annotate(
            "", (0, 0), xytext=(-6, 3), textcoords="offset points", fontsize=8, ha="right", va="bottom"
        )
        self.head = self.fig.text(0.1, 0.92, "", fontsize=11)
        self.sub = self.fig.text(0.95, 0.92, "", fontsize=10, ha="right")
        self.empty = self.fig.text(0.5, 0.5, "", fontsize=11, ha="center", va="center", color=MUTED)
        ax.yaxis.set_label_coords(-0.085, 0.5)
        ax.xaxis.set_label_coords(0.5, -0.13)
        self.canvas = FigureCanvasAgg(self.fig)

    def render(
        self, doc: dict[str, Any], rows: Sequence[Sequence[int]], text: str, fill: int | None
    ) -> bytes:
        from matplotlib import dates as mdates

        ax = self.ax
        shown = bool(rows)
        ax.set_visible(shown)
        self.empty.set_text("" if shown else text)
        self.head.set_text(f"{doc['hub']} / {doc['node']}: disk" if shown else "")
        self.sub.set_text(text if shown else "")
        self.sub.set_color(WARN_COLOR if fill is not None else MUTED)
        if shown:
            xs = [r[0] / DAY for r in rows]
            total = rows[-1][2]
            self.used.set_data(xs, [r[1] for r in rows])
            self.label.xy = (xs[-1], rows[-1][1])
            end, fx, fy = xs[-1], [], []
            reached = False
            if fill is not None:
                horizon = xs[-1] + max(HORIZON, xs[-1] - xs[0])
                full_at = max(fill / DAY, xs[-1])
                end = min(full_at, horizon)
                reached = end == full_at
                used = rows[-1][1]
                share = (end - xs[-1]) / max(full_at - xs[-1], 1e-9)
                fx, fy = [xs[-1], end], [used, used + (total - used) * share]
            self.forecast.set_data(fx, fy)
            self.total.set_data([*xs, end], [*(r[2] for r in rows), total])
            self.mark.set_data([end] if reached else [], [total] if reached else [])
            self.full.set_text(full_text(fill, reached, doc.get("tz") or "UTC"))
            self.full.set_color(WARN_COLOR if fill is not None else MUTED)
            self.full.xy = (end, total)
            pad = max(end - xs[0], 1.0) * 0.02
            ax.set_xlim(xs[0] - pad, end + pad)
            step = binary_step(max(r[2] for r in rows) * 1.1)
            top = math.ceil(max(r[2] for r in rows) * 1.1 / step) * step
            ax.set_ylim(0, top)
            ticks = binary_ticks(0, top)
            ax.set_yticks(ticks, [binary_label(t) for t in ticks])
            tz = doc.get("tz") or "UTC"
            locator = mdates.AutoDateLocator(tz=tz)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz, show_offset=False))
            ax.set_xlabel(f"time ({tz})", fontsize=9, color=MUTED)
        return png_of(self.canvas, self.fig.dpi)

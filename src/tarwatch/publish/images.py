"""Chart images rendered on the server (matplotlib, Agg): per node the size of each item over
time and the tarballs per day on a second axis, in the colours the browser charts use. For
e-mail, pages without JavaScript and overviews of many nodes. Rendered only when data changed.

Sizes are ticked at round binary steps (a power of two bytes: 512 MiB, 1 GiB, 2 GiB …) and
labelled in binary units, as the browser's charts are (binary_ticks, binary_label; chart.js
has the same rules); the time axis is in the hub's time zone and names it. Past each item's
newest tarball a dotted line runs to where it would be stale_warn (▲) and stale_alarm (✖) old.
A node whose newest poll failed says so in the title, and one without a tarball draws no axes
(no 1970): only what there is to say.

A process draws every node on one figure, made once and given each node's data: making the
axes, ticks and texts anew costs more than drawing them."""

from __future__ import annotations

import functools
import io
import math
from typing import Any

from tarwatch import human
from tarwatch.publish.palette import COUNT_COLOR
from tarwatch.publish.series import DAY

LEGEND_MAX = 12  # more items than this: no legend (the browser chart has one that toggles)
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


def render(doc: dict[str, Any]) -> tuple[bytes, bytes]:
    """Given a node's series document, return its chart as (SVG, PNG) bytes."""
    return _chart().render(doc)


@functools.cache
def _chart() -> _Chart:
    return _Chart()


class _Chart:
    """One figure (fixed margins: a layout engine costs a draw of its own), its two axes, one
    LineCollection for every item, one for the dotted lines to the thresholds, their markers
    and a step line for the counts."""

    def __init__(self) -> None:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import LineCollection
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        self.mpl = matplotlib
        self.fig = Figure(figsize=(9, 3.6), dpi=100)
        self.fig.subplots_adjust(left=0.1, right=0.92, top=0.88, bottom=0.14)
        self.ax = ax = self.fig.add_subplot()
        ax.set_ylabel("size")
        ax.grid(True, color="#e5e7eb", lw=0.6)
        self.lines = LineCollection([], linewidths=1.2)
        ax.add_collection(self.lines)
        self.due = LineCollection([], linewidths=0.9, linestyles=(0, (1, 2)))
        ax.add_collection(self.due)
        (self.warns,) = ax.plot([], [], ls="none", marker="^", ms=5, color=WARN_COLOR)
        (self.alarms,) = ax.plot([], [], ls="none", marker="X", ms=5, color=ALARM_COLOR)
        self.ax2 = ax2 = ax.twinx()
        (self.steps,) = ax2.step([], [], where="mid", color=COUNT_COLOR, lw=1, alpha=0.8)
        ax2.set_ylabel("tarballs per day", color=COUNT_COLOR)
        ax2.tick_params(axis="y", colors=COUNT_COLOR)
        ax2.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))  # each tick is 5 artists to draw
        # Axis labels at fixed places: placing them beside the tick labels measures every tick
        # label's box again on each draw.
        ax.yaxis.set_label_coords(-0.095, 0.5)
        ax2.yaxis.set_label_coords(1.06, 0.5)
        ax.xaxis.set_label_coords(0.5, -0.12)
        self.canvas = FigureCanvasAgg(self.fig)
        self.title = self.fig.text(0.1, 0.93, "", fontsize=11)
        self.note = self.fig.text(0.92, 0.93, "", fontsize=10, ha="right", color=ALARM_COLOR)
        self.empty = self.fig.text(0.5, 0.5, "", fontsize=12, ha="center", va="center", color=MUTED)

    def render(self, doc: dict[str, Any]) -> tuple[bytes, bytes]:
        import numpy as np
        from matplotlib import dates as mdates
        from matplotlib.lines import Line2D

        ax, ax2, t0, items = self.ax, self.ax2, doc["t0"], doc["items"]
        hub_stale = doc.get("stale") or {}
        segments, colors, due, due_colors, warns, alarms = [], [], [], [], [], []
        for item in items:
            # x in matplotlib's dates (days since 1970), so no datetime conversion is needed
            xy = np.column_stack(
                (np.cumsum(item["t"], dtype=np.int64) + t0, np.cumsum(item["s"], dtype=np.int64))
            )
            segments.append(xy / (DAY, 1))
            colors.append(item["color"])
            stale = item.get("stale") or hub_stale
            if len(xy) and stale:
                last, size = float(xy[-1, 0]) / DAY, int(xy[-1, 1])
                due.append([(last, size), (last + stale["alarm"] / DAY, size)])
                due_colors.append(item["color"])
                warns.append((last + stale["warn"] / DAY, size))
                alarms.append((last + stale["alarm"] / DAY, size))
        self.lines.set_segments(segments)
        self.lines.set_colors(colors)
        self.due.set_segments(due)
        self.due.set_colors(due_colors)
        self.warns.set_data([x for x, _ in warns], [y for _, y in warns])
        self.alarms.set_data([x for x, _ in alarms], [y for _, y in alarms])
        counts = doc["days"]
        days = [t0 / DAY + d + 0.5 for d in range(len(counts))]
        self.steps.set_data(days, counts)
        drawn = [seg for seg in segments if len(seg)]
        xs = [*(float(seg[:, 0].min()) for seg in drawn), *(float(seg[:, 0].max()) for seg in drawn)]
        xs += days + [x for x, _ in alarms]
        shown = bool(drawn or counts)
        tz = doc.get("tz") or "UTC"
        if shown:
            ax.set_xlim(min(xs) - 1, max(xs) + 1)
            ymax = max((float(seg[:, 1].max()) for seg in drawn), default=0) or 1
            step = binary_step(ymax * 1.1)
            top = math.ceil(ymax * 1.1 / step) * step
            ax.set_ylim(0, top)
            ticks = binary_ticks(0, top)
            ax.set_yticks(ticks, [binary_label(t) for t in ticks])
            ax2.set_ylim(0, max([1, *counts]) * 1.3)  # headroom: the legend sits above the line
            locator = mdates.AutoDateLocator(tz=tz)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz, show_offset=False))
            ax.set_xlabel(f"time ({tz})", fontsize=9, color=MUTED)
        for a in (ax, ax2):
            a.set_visible(shown)
        down = down_text(doc)
        self.title.set_text(f"{doc['hub']} / {doc['node']}")
        self.note.set_text(down if down and shown else "")
        self.empty.set_text(
            "" if shown else f"{doc['hub']} / {doc['node']}: {down or 'no tarballs seen on this node'}"
        )
        self.empty.set_color(ALARM_COLOR if down else MUTED)
        self.title.set_visible(shown)
        legend = ax.get_legend()
        if legend:
            legend.remove()
        if 0 < len(items) <= LEGEND_MAX:
            handles = [Line2D([], [], color=c, lw=1.2) for c in colors]
            ax.legend(
                handles, [i["item"] for i in items], loc="upper left", fontsize=8, frameon=False, ncols=3
            )
        svg = io.BytesIO()
        # A fixed hash salt and no date: the same data gives the same SVG bytes.
        with self.mpl.rc_context({"svg.hashsalt": "tarwatch", "svg.fonttype": "none"}):
            self.fig.savefig(svg, format="svg", metadata={"Date": None})
        return svg.getvalue(), self._png()

    def _png(self) -> bytes:
        return png_of(self.canvas, self.fig.dpi)


def png_of(canvas: Any, dpi: float) -> bytes:
    """Given an Agg canvas (matplotlib's FigureCanvasAgg) and its figure's dpi, draw it and
    return a PNG of its RGB pixels (the figures are opaque: no alpha channel to encode), quickly
    compressed."""
    from PIL import Image

    canvas.draw()
    width, height = canvas.get_width_height()
    rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    png = io.BytesIO()
    rgba.convert("RGB").save(png, format="png", compress_level=PNG_LEVEL, dpi=(dpi, dpi))
    return png.getvalue()

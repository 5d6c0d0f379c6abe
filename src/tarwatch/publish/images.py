"""Chart images rendered on the server (matplotlib, Agg): per node the size of each item over
time and the tarballs per day on a second axis, in the colours the browser charts use. For
e-mail, pages without JavaScript and overviews of many nodes. Rendered only when data changed.

A process draws every node on one figure, made once and given each node's data: making the
axes, ticks and texts anew costs more than drawing them."""

from __future__ import annotations

import functools
import io
from typing import Any

from tarwatch.publish.palette import COUNT_COLOR
from tarwatch.publish.series import DAY, decode_columns

LEGEND_MAX = 12  # more items than this: no legend (the browser chart has one that toggles)
GIB = 2**30


def render(doc: dict[str, Any]) -> tuple[bytes, bytes]:
    """Given a node's series document, return its chart as (SVG, PNG) bytes."""
    return _chart().render(doc)


@functools.cache
def _chart() -> _Chart:
    return _Chart()


class _Chart:
    """One figure (fixed margins: a layout engine costs a draw of its own), its two axes, one
    LineCollection for every item and a step line for the counts."""

    def __init__(self) -> None:
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib import dates as mdates
        from matplotlib.collections import LineCollection
        from matplotlib.figure import Figure

        self.mpl = matplotlib
        self.fig = Figure(figsize=(9, 3.6), dpi=100)
        self.fig.subplots_adjust(left=0.08, right=0.92, top=0.9, bottom=0.12)
        self.ax = ax = self.fig.add_subplot()
        ax.set_ylabel("size (GiB)")
        ax.grid(True, color="#e5e7eb", lw=0.6)
        ax.xaxis_date(tz="UTC")
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        self.lines = LineCollection([], linewidths=1.2)
        ax.add_collection(self.lines)
        self.ax2 = ax2 = ax.twinx()
        (self.steps,) = ax2.step([], [], where="mid", color=COUNT_COLOR, lw=1, alpha=0.8)
        ax2.set_ylabel("tarballs per day", color=COUNT_COLOR)
        ax2.tick_params(axis="y", colors=COUNT_COLOR)
        self.title = self.fig.text(0.08, 0.93, "", fontsize=11)
        self.empty = ax.text(
            0.5, 0.5, "no tarballs seen", transform=ax.transAxes, ha="center", color="#6b7280"
        )

    def render(self, doc: dict[str, Any]) -> tuple[bytes, bytes]:
        from matplotlib.lines import Line2D

        ax, ax2, t0, items = self.ax, self.ax2, doc["t0"], doc["items"]
        segments, colors = [], []
        for item in items:
            # x in matplotlib's dates (days since 1970), so no datetime conversion is needed
            stamps, sizes = decode_columns(item, t0)
            segments.append([(t / DAY, s / GIB) for t, s in zip(stamps, sizes, strict=True)])
            colors.append(item["color"])
        self.lines.set_segments(segments)
        self.lines.set_colors(colors)
        counts = doc["days"]
        days = [t0 / DAY + d + 0.5 for d in range(len(counts))]
        self.steps.set_data(days, counts)
        xs = [x for seg in segments for x, _ in seg] + days
        ymax = max((y for seg in segments for _, y in seg), default=1.0)
        ax.set_xlim(min(xs, default=t0 / DAY) - 1, max(xs, default=t0 / DAY + 1) + 1)
        ax.set_ylim(0, (ymax or 1.0) * 1.15)
        ax2.set_ylim(0, max([1, *counts]) * 1.3)  # headroom: the legend sits above the line
        self.title.set_text(f"{doc['hub']} / {doc['node']}")
        self.empty.set_visible(not items)
        legend = ax.get_legend()
        if legend:
            legend.remove()
        if 0 < len(items) <= LEGEND_MAX:
            handles = [Line2D([], [], color=c, lw=1.2) for c in colors]
            ax.legend(
                handles, [i["item"] for i in items], loc="upper left", fontsize=8, frameon=False, ncols=3
            )
        svg, png = io.BytesIO(), io.BytesIO()
        # A fixed hash salt and no date: the same data gives the same SVG bytes.
        with self.mpl.rc_context({"svg.hashsalt": "tarwatch", "svg.fonttype": "none"}):
            self.fig.savefig(svg, format="svg", metadata={"Date": None})
        self.fig.savefig(png, format="png", metadata={"Software": None})
        return svg.getvalue(), png.getvalue()

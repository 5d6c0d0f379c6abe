"""Chart images rendered on the server (matplotlib, Agg): per node the size of each item over
time and the tarballs per day on a second axis, in the colours the browser charts use. For
e-mail, pages without JavaScript and overviews of many nodes. Rendered only when data changed."""

from __future__ import annotations

import io
from typing import Any

from tarwatch.publish.palette import COUNT_COLOR
from tarwatch.publish.series import DAY, decode_columns

LEGEND_MAX = 12  # more items than this: no legend (the browser chart has one that toggles)
GIB = 2**30


def render(doc: dict[str, Any]) -> tuple[bytes, bytes]:
    """Given a node's series document, return its chart as (SVG, PNG) bytes."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import dates as mdates
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    # Fixed margins (a layout engine costs a draw of its own), one LineCollection for every
    # item and the title as figure text: a node of 50 items renders in a fraction of a second.
    fig = Figure(figsize=(9, 3.6), dpi=100)
    fig.subplots_adjust(left=0.08, right=0.92, top=0.9, bottom=0.12)
    ax = fig.add_subplot()
    t0, items = doc["t0"], doc["items"]
    lines, colors = [], []
    for item in items:
        # x in matplotlib's dates (days since 1970), so no datetime conversion is needed
        stamps, sizes = decode_columns(item, t0)
        lines.append([(t / DAY, s / GIB) for t, s in zip(stamps, sizes, strict=True)])
        colors.append(item["color"])
    if lines:
        ax.add_collection(LineCollection(lines, colors=colors, linewidths=1.2))
        ax.autoscale()
        ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.15)
    ax.set_ylabel("size (GiB)")
    ax.grid(True, color="#e5e7eb", lw=0.6)
    fig.text(0.08, 0.93, f"{doc['hub']} / {doc['node']}", fontsize=11)
    counts = doc["days"]
    if counts:
        ax2 = ax.twinx()
        days = [t0 / DAY + d + 0.5 for d in range(len(counts))]
        ax2.step(days, counts, where="mid", color=COUNT_COLOR, lw=1, alpha=0.8)
        ax2.set_ylabel("tarballs per day", color=COUNT_COLOR)
        ax2.set_ylim(0, max(1, max(counts)) * 1.3)  # headroom: the legend sits above the line
        ax2.tick_params(axis="y", colors=COUNT_COLOR)
    ax.xaxis_date(tz="UTC")
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if not items:
        ax.text(0.5, 0.5, "no tarballs seen", transform=ax.transAxes, ha="center", color="#6b7280")
    elif len(items) <= LEGEND_MAX:
        handles = [Line2D([], [], color=c, lw=1.2) for c in colors]
        ax.legend(handles, [i["item"] for i in items], loc="upper left", fontsize=8, frameon=False, ncols=3)
    svg, png = io.BytesIO(), io.BytesIO()
    # A fixed hash salt and no date: the same data gives the same SVG bytes.
    with matplotlib.rc_context({"svg.hashsalt": "tarwatch", "svg.fonttype": "none"}):
        fig.savefig(svg, format="svg", metadata={"Date": None})
    fig.savefig(png, format="png", metadata={"Software": None})
    return svg.getvalue(), png.getvalue()

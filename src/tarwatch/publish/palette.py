"""The colours of items in charts: the same in the browser (they travel in the series
document; the page's facts carry the list for the seed's stockcharts) and in the
server-rendered images. Status colours are in tarwatch.human."""

from __future__ import annotations

from collections.abc import Iterable

# Tableau's ten, then ten darker companions: distinct for 20 items, then repeated.
COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#0b3c5d", "#a64b00", "#176117", "#7b1414", "#4f3470",
    "#4a2d27", "#8a3b74", "#404040", "#6a6a12", "#0e6b74",
)  # fmt: skip
COUNT_COLOR = "#9aa0a6"  # tarballs per day, on the second axis


def item_colors(items: Iterable[str]) -> dict[str, str]:
    """Given every item of a hub in a stable order, return each one's colour: an item has the
    same colour on every node of its hub."""
    return {item: COLORS[i % len(COLORS)] for i, item in enumerate(items)}

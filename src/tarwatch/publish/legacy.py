"""The seed's per-node JSON for Highcharts' StockChart, written where a hub's legacy `jspath`
says: the chart options, a size series per item ([ms, MiB] pairs, as the seed's `du -m` gave)
and the count series (tarballs per day, [midnight UTC in ms, count] for the days that have any)
as columns on a second y axis. Old pages with the `stockchart` directive draw it (tarwatch.sphinx
draws it with uPlot, without Highcharts). The layout is the seed's, which those pages pass to
Highcharts as it is; only the names are tarwatch's: the axes say "size (MiB)" and "tarballs per
day", and so does the count series (the seed called both "OK")."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tarwatch.publish.paths import plain_name, within
from tarwatch.publish.series import DAY, decode_columns

MIB = 2**20
SIZE = "size (MiB)"
PER_DAY = "tarballs per day"


def jspath_for(jspath: str, node: str) -> Path:
    """Given a hub's `jspath` and a node tag, return the node's file: {node} filled with the tag
    as it is when that is a plain file name (else encoded: `paths.plain_name`), a leading ~
    expanded. Raise TarwatchError unless the file lies inside the folder of the part of
    `jspath` before the first {node} (so no node can lead the file elsewhere)."""
    path = Path(jspath.replace("{node}", plain_name(node))).expanduser()
    head, filled, _ = jspath.partition("{node}")
    if not filled:
        return path
    return within(os.path.dirname(os.path.expanduser(head)) or ".", path)


def highstock(doc: dict[str, Any]) -> dict[str, Any]:
    """Given a node's series document, return the seed's Highstock options for it."""
    series: list[dict[str, Any]] = []
    for item in doc["items"]:
        stamps, sizes = decode_columns(item, doc["t0"])
        data = [[t * 1000, round(s / MIB, 2)] for t, s in zip(stamps, sizes, strict=True)]
        series.append({"name": item["item"], "color": item["color"], "data": data})
    days = [[(doc["t0"] + d * DAY) * 1000, n] for d, n in enumerate(doc["days"]) if n]
    series.append({"name": PER_DAY, "yAxis": 1, "type": "column", "data": days})
    return {
        "chart": {"renderTo": f"container_{doc['node']}"},
        "title": {"text": f"{doc['hub']} backups on {doc['node']}"},
        "rangeSelector": {"selected": 1},
        "legend": {"enabled": True},
        "yAxis": [
            {"title": {"text": SIZE}},
            {"title": {"text": PER_DAY}, "opposite": True, "min": 0},
        ],
        "series": series,
    }

"""A node's history as chart series: per item every tarball ever seen (gone ones included), and
the number of tarballs per day (the seed's "OK" series), in a compact columnar JSON document.

The document (`tarwatch-series/1`) is what the browser charts and the server images draw:

    {"format": "tarwatch-series/1", "hub": "ZZ", "node": "SDU", "updated": 1700000000,
     "t0": 1699920000,                       # midnight UTC of the first stamp's day
     "items": [{"item": "svn/dybsvn", "color": "#1f77b4",
                "t": [86400, 86400, …],      # stamps: first minus t0, then differences (s)
                "s": [4299161600, 3145728, …],   # sizes: first in bytes, then differences
                "rev": [1000, 3, …],         # revisions likewise, when every tarball has one
                "files": {"17": "odd-name.tar.gz"},  # file names not "<name>[-<rev>].tar.gz"
                "gone": [[0, 355]]}],        # index ranges [from, to) of purged tarballs
     "days": [1, 5, 5, 4, …],                # tarballs per UTC day from t0
     "tz": "Asia/Shanghai",                  # the hub's time zone: the charts' time axis
     "stale": {"warn": 93600, "alarm": 180000},  # the hub's stale thresholds (s); an item
                                             # with its own carries "stale" likewise
     "down": {"since": 1700000000, "last_listed": 1699900000},  # while the newest poll
                                             # failed (last_listed null: never); else null
     "disk": [[1699920000, 1288490188800, 2147483648000], …]}  # the disk under the root:
                                             # [time, used, total] (bytes), the first df of
                                             # each UTC day, oldest first; [] when none

Differences keep a year of 50 items under 100 KB gzipped; file names are derived from the item
and revision, as the layout names them, except where a node named one otherwise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, groupby
from operator import itemgetter
from typing import Any

from tarwatch.publish.palette import COLORS
from tarwatch.store.site import SeriesRow

FORMAT = "tarwatch-series/1"
DAY = 86400


@dataclass(frozen=True)
class NodeFacts:
    """What a node's chart states beside its series: the hub's time zone, its stale thresholds
    (seconds: warn, alarm) and those of the items that set their own, and while the node's
    newest poll failed (down_since is not None), since when and when it was last listed (None:
    never). None of these
    change from one night to the next unless the configuration or the node's reachability does."""

    tz: str = "UTC"
    stale: tuple[int, int] = (26 * 3600, 50 * 3600)
    item_stale: dict[str, tuple[int, int]] = field(default_factory=dict)
    down_since: float | None = None
    last_listed: float | None = None
    disk: tuple[str, int | None, int | None] | None = None  # diskimage.state: state, fill day, days

    def as_json(self) -> dict[str, Any]:
        """Return the facts as the document's keys (see the module's docstring)."""
        down = (
            {"since": _int(self.down_since), "last_listed": _int(self.last_listed)}
            if self.down_since
            else None
        )
        return {"tz": self.tz, "stale": _stale(self.stale), "down": down}


def _stale(pair: tuple[int, int]) -> dict[str, int]:
    return {"warn": pair[0], "alarm": pair[1]}


def _int(t: float | None) -> int | None:
    return None if t is None else int(t)


@dataclass(slots=True)
class Point:
    """One tarball in a series: stamp (epoch s UTC), size (bytes), revision, file name, gone."""

    stamp: int
    size: int
    revision: int | None
    file: str
    gone: bool


@dataclass(slots=True)
class ItemSeries:
    """Every tarball of one item on one node, oldest first, as columns of equal length: stamps,
    sizes, revisions, file names and whether each is gone (no object per tarball: a node holds
    tens of thousands)."""

    item: str
    stamps: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    revisions: list[int | None] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    gone: list[bool] = field(default_factory=list)

    @classmethod
    def of(cls, item: str, points: Iterable[Point]) -> ItemSeries:
        """Given an item and its tarballs as points, oldest first, return its series."""
        pts = list(points)
        return cls(
            item,
            [p.stamp for p in pts],
            [p.size for p in pts],
            [p.revision for p in pts],
            [p.file for p in pts],
            [p.gone for p in pts],
        )

    @property
    def points(self) -> list[Point]:
        """The series' tarballs as points, oldest first."""
        cols = (self.stamps, self.sizes, self.revisions, self.files, self.gone)
        return [Point(*row) for row in zip(*cols, strict=True)]


def item_series(rows: Iterable[SeriesRow], select_items: Sequence[str] = ()) -> list[ItemSeries]:
    """Given a node's tarballs as the store reads them (by item, stamp and path) and the items
    to keep (empty: all), return each item's series, by item name."""
    wanted = set(select_items)
    out: list[ItemSeries] = []
    for item, group in groupby(rows, key=itemgetter(0)):
        if wanted and item not in wanted:
            continue
        _, stamps, sizes, revs, paths, gone = zip(*group, strict=True)
        files = [p.rpartition("/")[2] for p in paths]
        out.append(
            ItemSeries(item, list(stamps), list(sizes), list(revs), files, [g is not None for g in gone])
        )
    return out


def per_day(series: Iterable[ItemSeries]) -> tuple[int, list[int]]:
    """Given item series, return (t0, counts): midnight UTC of the first stamp's day and the
    number of tarballs stamped on each day from it to the last one."""
    days = Counter(t // DAY for s in series for t in s.stamps)
    if not days:
        return 0, []
    first, last = min(days), max(days)
    return first * DAY, [days.get(d, 0) for d in range(first, last + 1)]


def node_document(
    hub: str,
    node: str,
    series: list[ItemSeries],
    updated: float | None,
    colors: dict[str, str] | None = None,
    facts: NodeFacts | None = None,
    disk: Sequence[tuple[int, int, int]] = (),
) -> dict[str, Any]:
    """Given a (hub, node), its item series, when its data last changed, the hub's item
    colours (default: the palette in order), the node's facts (default: UTC, the default
    thresholds, reachable) and its disk figures (time, used, total), one a day, return the
    node's series document (see the module's docstring)."""
    colors = colors or {}
    facts = facts or NodeFacts()
    t0, counts = per_day(series)
    items = []
    for i, s in enumerate(series):
        item = _item(s, t0, colors.get(s.item, COLORS[i % len(COLORS)]))
        if s.item in facts.item_stale:
            item["stale"] = _stale(facts.item_stale[s.item])
        items.append(item)
    return {
        "format": FORMAT,
        "hub": hub,
        "node": node,
        "updated": None if updated is None else int(updated),
        "t0": t0,
        "items": items,
        "days": counts,
        **facts.as_json(),
        "disk": [list(p) for p in disk],
    }


def default_file(item: str, revision: int | None) -> str:
    """Given an item and a revision, return the file name the layout gives its tarballs."""
    name = item.split("/", 1)[-1]
    return f"{name}.tar.gz" if revision is None else f"{name}-{revision}.tar.gz"


def _item(s: ItemSeries, t0: int, color: str) -> dict[str, Any]:
    revs = s.revisions
    has_revs = None not in revs
    doc: dict[str, Any] = {
        "item": s.item,
        "color": color,
        "t": _deltas(s.stamps, t0),
        "s": _deltas(s.sizes, 0),
    }
    if has_revs:
        doc["rev"] = _deltas(revs, 0)  # type: ignore[arg-type]
    name = s.item.split("/", 1)[-1]
    if has_revs:
        pairs = enumerate(zip(s.files, revs, strict=True))
        files = {str(i): f for i, (f, r) in pairs if f != f"{name}-{r}.tar.gz"}
    else:
        plain = f"{name}.tar.gz"
        files = {str(i): f for i, f in enumerate(s.files) if f != plain}
    if files:
        doc["files"] = files
    gone = _ranges([i for i, g in enumerate(s.gone) if g])
    if gone:
        doc["gone"] = gone
    return doc


def _deltas(values: Sequence[int], origin: int) -> list[int]:
    """Given values and an origin, return the first minus the origin, then each minus the one before."""
    return [b - a for a, b in zip(chain((origin,), values), values, strict=False)]  # the chain is one longer


def _ranges(indices: list[int]) -> list[list[int]]:
    """Given sorted indices, return them as [from, to) ranges."""
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][1] == i:
            out[-1][1] = i + 1
        else:
            out.append([i, i + 1])
    return out


def decode_columns(doc: dict[str, Any], t0: int) -> tuple[list[int], list[int]]:
    """Given one item of a series document and its t0, return its stamps and sizes."""
    return _undelta(doc["t"], t0), _undelta(doc["s"], 0)


def _undelta(deltas: Sequence[int], origin: int) -> list[int]:
    return list(accumulate(deltas, initial=origin))[1:]

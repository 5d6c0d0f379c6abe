"""A first listing's tarballs as the store takes them: one plain tuple per tarball, made in C
from the parser's records (`LISTED`), sorted by path once, then summarized in one pass over
runs of an item (the layout puts an item's tarballs under one folder: sorted by path, they lie
together and by date), the recent sizes cut from the manifests' text. The same values as
`history.summarize_rows` and `ingest.recent_text` give (tests/unit/store/test_listed.py
compares them), at a fraction of the Python work per tarball."""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from itertools import groupby
from operator import attrgetter, itemgetter, le
from typing import Any

from tarwatch.history import ItemHistory, RowLayout, item_history
from tarwatch.records import Tarball

# A listed row: (path, item, stamp, size, mtime, revision, digest, dna_size)
LISTED = attrgetter("path", "item", "stamp", "size", "mtime", "revision", "digest", "dna_size")
LISTED_ROW = RowLayout(item=1, stamp=2, size=3, path=0, revision=5, digest=6, dna_size=7, md5=None)
_PATH = itemgetter(0)
_ITEM = itemgetter(1)
_STAMP = itemgetter(2)
_STAMP_SIZE = itemgetter(2, 3)
_BY_STAMP_PATH = itemgetter(2, 0)
_COMPACT = json.JSONEncoder(separators=(",", ":")).encode


def listed_rows(tarballs: Iterable[Tarball]) -> list[tuple[Any, ...]]:
    """Given a listing's tarballs, return their listed rows sorted by path (the order the
    (node, hub, path) key fills in: fewer pages touched)."""
    rows = list(map(LISTED, tarballs))
    rows.sort(key=_PATH)
    return rows


def summarize_listed(rows: Sequence[tuple[Any, ...]], since: int) -> tuple[dict[str, ItemHistory], str]:
    """Given listed rows sorted by path and a stamp, return each item's history as
    `history.summarize_rows` gives it for the same tarballs (none has an md5 yet), and
    `recent_sizes.sizes` (`ingest.recent_text`) of those stamped at or after the stamp: each
    item's manifest from its first such pair on, found as the text "[<stamp>," (a size never
    follows a bracket)."""
    by_item: dict[str, list[tuple[Any, ...]]] = {}
    for item, run in groupby(rows, _ITEM):
        got = by_item.get(item)
        if got is None:
            by_item[item] = list(run)
        else:  # an item whose paths are not together: its runs joined, sorted below
            got.extend(run)
    out = {}
    recent = {}
    for item, tars in by_item.items():
        stamps = list(map(_STAMP, tars))
        if not all(map(le, stamps, stamps[1:])):  # by path is by (stamp, path) when stamps rise
            tars.sort(key=_BY_STAMP_PATH)
            stamps = list(map(_STAMP, tars))
        m = _COMPACT(list(map(_STAMP_SIZE, tars)))
        out[item] = item_history(tars, LISTED_ROW, m)
        i = bisect.bisect_left(stamps, since)
        if i == 0:
            recent[item] = m
        elif i < len(stamps):
            recent[item] = "[" + m[m.index(f"[{stamps[i]},", 1) :]
    return out, _COMPACT(dict(sorted(recent.items())))

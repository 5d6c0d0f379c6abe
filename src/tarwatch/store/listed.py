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

from tarwatch.history import ItemHistory, Tar, manifest_hash
from tarwatch.records import Tarball

# A listed row: (path, item, stamp, size, mtime, revision, digest, dna_size)
LISTED = attrgetter("path", "item", "stamp", "size", "mtime", "revision", "digest", "dna_size")
_PATH = itemgetter(0)
_ITEM = itemgetter(1)
_STAMP = itemgetter(2)
_DNA = itemgetter(7)
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
        dnas = list(map(_DNA, tars))
        if dnas.count(None) == len(dnas):
            bad: list[tuple[Any, ...]] = []
        else:  # Tar.dna_disagrees
            bad = [r for r in tars if r[7] is not None and r[7] != r[3]]
        m = _COMPACT(list(map(_STAMP_SIZE, tars)))
        out[item] = ItemHistory(
            count=len(tars),
            oldest=tars[0][2],
            newest=_tar(tars[-1]),
            previous=_tar(tars[-2]) if len(tars) > 1 else None,
            dna_bad=len(bad),
            dna_bad_newest=_tar(bad[-1]) if bad else None,
            manifest_json=m,
            manifest_hash=manifest_hash(m),
        )
        i = bisect.bisect_left(stamps, since)
        if i == 0:
            recent[item] = m
        elif i < len(stamps):
            recent[item] = "[" + m[m.index(f"[{stamps[i]},", 1) :]
    return out, _COMPACT(dict(sorted(recent.items())))


def _tar(r: tuple[Any, ...]) -> Tar:
    return Tar(r[2], r[3], r[0], r[5], r[6], r[7], None)

"""What the checks read of the stored history, per (hub, node, item): the newest two tarballs,
counts, `.dna` disagreements and the manifest of every tarball kept. The store keeps these up
to date on every poll (one row per item), so checking a thousand nodes reads a few rows per
item instead of every tarball. `summarize` is the one definition of them, used by the store
and by tests."""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple


class Tar(NamedTuple):
    """One tarball as the checks see it; `stamp` in epoch seconds UTC, `size` in bytes."""

    stamp: int
    size: int
    path: str
    revision: int | None = None
    digest: str | None = None  # md5 the .dna sidecar claims
    dna_size: int | None = None  # size the .dna sidecar claims
    md5: str | None = None  # md5 computed on the node (verify = "md5")

    @property
    def dna_disagrees(self) -> bool:
        """True when a .dna sidecar claims another size than the tarball has."""
        return self.dna_size is not None and self.dna_size != self.size


@dataclass(slots=True)
class ItemHistory:
    """The kept tarballs of one item on one node, summarized."""

    count: int
    oldest: int
    newest: Tar
    previous: Tar | None = None
    dna_bad: int = 0
    dna_bad_newest: Tar | None = None
    manifest_json: str | None = "[]"  # None: not read from the store (see manifest_hash)
    manifest_hash: str = ""  # equal hashes, equal manifests: compared without reading them
    _manifest: list[list[int]] | None = field(default=None, repr=False, compare=False)

    @property
    def manifest(self) -> list[list[int]]:
        """[stamp, size] of every kept tarball, oldest first (decoded on first use)."""
        if self._manifest is None:
            if self.manifest_json is None:
                raise LookupError("the manifest was not read from the store")
            self._manifest = json.loads(self.manifest_json)
        return self._manifest

    def until(self, limit: float) -> tuple[Tar | None, Tar | None]:
        """Given a stamp, return the newest tarball stamped at or before it and the one before
        that (None where there is none): what the checks judge when newer ones are stamped in
        the future. Those two are `newest` and `previous` unless the newest lies after `limit`;
        then they are read from the manifest (only stamp and size are known there), which
        must have been read (store.read_manifests)."""
        if self.newest.stamp <= limit:
            return self.newest, self.previous
        kept = self.manifest
        i = bisect.bisect_right(kept, limit, key=lambda e: e[0])
        newest = Tar(kept[i - 1][0], kept[i - 1][1], "") if i >= 1 else None
        previous = Tar(kept[i - 2][0], kept[i - 2][1], "") if i >= 2 else None
        return newest, previous

    def after(self, limit: float) -> int:
        """Given a stamp, return how many kept tarballs are stamped after it (the manifest is
        read only when the newest is)."""
        if self.newest.stamp <= limit:
            return 0
        kept = self.manifest
        return len(kept) - bisect.bisect_right(kept, limit, key=lambda e: e[0])


def manifest_hash(manifest_json: str) -> str:
    """Given a manifest's JSON, return a short digest of it."""
    return hashlib.blake2b(manifest_json.encode(), digest_size=12).hexdigest()


def summarize(rows: Iterable[tuple[str, Tar]]) -> dict[str, ItemHistory]:
    """Given (item, Tar) pairs of the tarballs a node keeps, return each item's history."""
    return summarize_rows(((item, *t) for item, t in rows), TAR_ROW)


class RowLayout(NamedTuple):
    """Where a row holds a tarball's item and Tar's fields (md5 None: the row has none)."""

    item: int
    stamp: int
    size: int
    path: int
    revision: int
    digest: int
    dna_size: int
    md5: int | None


TAR_ROW = RowLayout(0, 1, 2, 3, 4, 5, 6, 7)  # (item, *Tar)


def summarize_rows(rows: Iterable[Sequence[Any]], at: RowLayout) -> dict[str, ItemHistory]:
    """Given rows of the tarballs a node keeps, laid out as `at` says, return each item's
    history: summarize() for the store's own rows, which makes no Tar but the few a summary
    keeps (the first ingest of a million tarballs)."""
    by_item: dict[str, list[Sequence[Any]]] = {}
    i = at.item
    for r in rows:
        tars = by_item.get(r[i])
        if tars is None:
            by_item[r[i]] = [r]
        else:
            tars.append(r)
    order = itemgetter(at.stamp, at.path)  # the kept tarballs by stamp, then path
    stamp, size = at.stamp, at.size
    out = {}
    for item, tars in by_item.items():
        tars.sort(key=order)
        m = json.dumps([(r[stamp], r[size]) for r in tars], separators=(",", ":"))
        out[item] = item_history(tars, at, m)
    return out


def item_history(tars: Sequence[Sequence[Any]], at: RowLayout, manifest_json: str) -> ItemHistory:
    """Given an item's kept tarballs as rows laid out as `at` says, sorted by stamp then path,
    and their manifest's JSON, return the item's history (summarize_rows' and the first
    ingest's, store/listed.py: one definition)."""
    stamp, size, dna = at.stamp, at.size, at.dna_size

    def tar(r: Sequence[Any]) -> Tar:
        md5 = None if at.md5 is None else r[at.md5]
        return Tar(r[stamp], r[size], r[at.path], r[at.revision], r[at.digest], r[dna], md5)

    if list(map(itemgetter(dna), tars)).count(None) == len(tars):  # the common case: no .dna
        bad: list[Sequence[Any]] = []
    else:  # Tar.dna_disagrees
        bad = [r for r in tars if r[dna] is not None and r[dna] != r[size]]
    return ItemHistory(
        count=len(tars),
        oldest=tars[0][stamp],
        newest=tar(tars[-1]),
        previous=tar(tars[-2]) if len(tars) > 1 else None,
        dna_bad=len(bad),
        dna_bad_newest=tar(bad[-1]) if bad else None,
        manifest_json=manifest_json,
        manifest_hash=manifest_hash(manifest_json),
    )

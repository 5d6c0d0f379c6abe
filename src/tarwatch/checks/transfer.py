"""transfer: against the hub's source: a source tarball older than the grace period that is
absent on the node, or there with another size. One still inside the grace, or exactly at its
end, is in flight (as with stale and locked, a threshold is crossed only after it)."""

from __future__ import annotations

import bisect
import math
from datetime import timedelta
from zoneinfo import ZoneInfo

from tarwatch.checks.digest import day
from tarwatch.checks.model import Finding
from tarwatch.config.models import Defaults
from tarwatch.history import ItemHistory
from tarwatch.human import duration, exact_size
from tarwatch.records import Status

NAME = "transfer"


def needs_manifests(source: ItemHistory | None, here: ItemHistory | None) -> bool:
    """Given an item's history on the source and on a node, return whether the check must read
    their manifests: only when both exist and differ (the usual case is the same tarballs)."""
    return source is not None and here is not None and source.manifest_hash != here.manifest_hash


def check(
    node: str, source: ItemHistory | None, here: ItemHistory | None, now: float, t: Defaults, tz: ZoneInfo
) -> Finding | None:
    """Given the node's name, the item's history on the source and on the node, `now` and the
    thresholds, return an alarm for tarballs that never arrived or arrived cut short; else None.

    Only source tarballs from the node's oldest kept one on are expected (older ones may have
    been purged there on purpose); a node without any is `missing`'s business."""
    if source is None or here is None or not needs_manifests(source, here):
        return None  # no source, nothing here, or the same tarballs in the same sizes
    cutoff = now - t.transfer_grace.total_seconds()
    src = source.manifest
    lo = bisect.bisect_left(src, [max(here.oldest, source.oldest), -1])
    hi = bisect.bisect_left(src, [math.ceil(cutoff), -1])  # stamps older than the grace: < cutoff
    if lo >= hi:
        return None
    on_node = {stamp: n for stamp, n in here.manifest}
    absent, short = [], []
    for stamp, size in src[lo:hi]:
        got = on_node.get(stamp)
        if got is None:
            absent.append(stamp)
        elif got != size:
            short.append((stamp, size, got))
    if not absent and not short:
        return None
    parts = []
    if absent:
        s = absent[-1]
        age = duration(timedelta(seconds=now - s))
        more = f" ({len(absent) - 1} older ones neither)" if len(absent) > 1 else ""
        parts.append(f"{day(s, tz)} tarball never arrived on {node} (on the hub for {age}){more}")
    if short:
        s, want, got = short[-1]
        more = f" ({len(short) - 1} more differ)" if len(short) > 1 else ""
        parts.append(
            f"{day(s, tz)} tarball differs on {node}: "
            f"{exact_size(got)} there, {exact_size(want)} on the hub{more}"
        )
    return Finding(NAME, Status.ALARM, "; ".join(parts))

"""drill: a restore drill (verify = "gzip" or "tar") failed: the newest drill of an item, on a
tarball still kept as it was tested, says the tarball would not restore. Also how many runs the
rotation of drills takes on a node, and a warning for a newest tarball too large to be drilled
within drill_bytes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from tarwatch.checks.digest import day
from tarwatch.checks.model import Finding
from tarwatch.history import ItemHistory
from tarwatch.human import size
from tarwatch.records import ItemDrills, Status

NAME = "drill"
METHODS = ("gzip", "tar")


def check(
    h: ItemHistory | None,
    drills: ItemDrills | None,
    method: str,
    limit: int,
    nights: int | None,
    tz: ZoneInfo,
) -> Finding | None:
    """Given an item's history, its drills that hold, its verify setting, the bytes a run drills
    on the node (per_run), the node's rotation in runs and the backups' time zone, return an
    alarm naming the file and the error when its newest drill failed, a warning when its newest
    tarball is larger than a run drills (never drilled), else None."""
    if method not in METHODS:
        return None
    runs = f"{nights} run{'' if nights == 1 else 's'}"
    every = f"; each item's newest tarball is drilled within {runs}" if nights else ""
    if drills is not None and not drills.last.ok:
        d = drills.last
        since = (
            f"; last verified restorable: the {day(drills.restorable_stamp, tz)} tarball"
            if drills.restorable_stamp is not None
            else "; never verified restorable"
        )
        return Finding(NAME, Status.ALARM, f"restore drill failed on {d.path}: {d.error}{since}{every}")
    if h is not None and h.newest.size > limit:
        return Finding(
            NAME,
            Status.WARN,
            f"the newest tarball, {size(h.newest.size)}, is larger than a run drills on this node, "
            f"{size(limit)} (drill_bytes, or what drill_time and drill_share of the last run let it "
            "read): it is never drilled; raise those bounds for it, or set its verify to size",
        )
    return None


def per_run(
    limit: int, drill_time: float, share: float, rate: float | None, run_seconds: float | None
) -> int:
    """Given drill_bytes, drill_time (seconds), drill_share, the bytes per second a node's
    drills read and the hub's newest collect's duration (None: not known yet), return the bytes
    a run drills there: drill_bytes, or what its time bound lets it read (drill_time, and
    share / (1 + share) of that collect, its drills included: collect.drill.share_of), the
    smaller."""
    if not rate:
        return limit
    seconds = drill_time if run_seconds is None else min(drill_time, share / (1 + share) * run_seconds)
    return min(limit, int(rate * seconds))


def rotation_nights(sizes: Sequence[int], limit: int) -> int | None:
    """Given the newest tarballs' sizes of a node's drilled items and drill_bytes, return within
    how many runs each item's newest tarball is drilled, oldest-verified first: every run tests
    more than drill_bytes less the largest of them, until all fit. 0 without items; None when
    one is larger than drill_bytes (it is never drilled)."""
    if not sizes:
        return 0
    total, largest = sum(sizes), max(sizes)
    if largest > limit:
        return None
    if total <= limit:
        return 1
    return math.ceil(total / (limit - largest + 1))

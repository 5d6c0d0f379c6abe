"""drill: a restore drill (verify = "gzip" or "tar") failed: the newest drill of an item, on a
tarball still kept as it was tested, says the tarball would not restore. Also how many runs the
rotation of drills takes on a node (each run drills the item verified longest ago at least, even
beyond drill_share's part: the floor), and a warning for a newest tarball a run never starts
(larger than drill_bytes, or than what drill_time lets a run read at the node's rate)."""

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
    bound: str = "drill_bytes",
) -> Finding | None:
    """Given an item's history, its drills that hold, its verify setting, the largest tarball a
    run starts on the node and the bound that sets it (startable), the node's rotation in runs
    and the backups' time zone, return an alarm naming the file and the error when its newest
    drill failed, a warning when its newest tarball is larger (never started, so never
    drilled), else None."""
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
        than = (
            f"drill_bytes, {size(limit)}"
            if bound == "drill_bytes"
            else f"what drill_time lets a run read on this node at its drills' rate, {size(limit)}"
        )
        return Finding(
            NAME,
            Status.WARN,
            f"the newest tarball, {size(h.newest.size)}, is larger than {than}: a drill of it is "
            f"never started, so it is never drilled; raise {bound} for it, or set its verify to size",
        )
    return None


def startable(limit: int, drill_time: float, rate: float | None) -> tuple[int, str]:
    """Given drill_bytes, drill_time (seconds) and the bytes per second a node's drills read
    (None: not known yet), return the largest tarball a run starts there and the bound that sets
    it: drill_bytes, or what drill_time lets it read ("drill_time"), the smaller. drill_share
    does not bound it: a run drills one tarball at least (the floor)."""
    if rate and int(rate * drill_time) < limit:
        return int(rate * drill_time), "drill_time"
    return limit, "drill_bytes"


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


def rotation_nights(sizes: Sequence[int], limit: int, most: int | None = None) -> int | None:
    """Given the newest tarballs' sizes of a node's drilled items, the bytes a run drills there
    (per_run) and the largest tarball a run starts (startable; None: limit), return within how
    many runs each item's newest tarball is drilled, oldest-verified first: every run tests the
    item verified longest ago (the floor: within as many runs as there are items), and more
    than `limit` less the largest of them when that is positive, until all fit. 0 without
    items; None when one is larger than `most` (it is never drilled)."""
    if not sizes:
        return 0
    total, largest = sum(sizes), max(sizes)
    if largest > (limit if most is None else most):
        return None
    if total <= limit:
        return 1
    floor = len(sizes) if most is not None else math.inf
    share = math.ceil(total / (limit - largest + 1)) if largest <= limit else math.inf
    return int(min(floor, share))

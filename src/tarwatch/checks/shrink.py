"""shrink: the newest tarball is much smaller than the one before; a zero-size one is an alarm."""

from __future__ import annotations

from tarwatch.checks.model import Finding, Status
from tarwatch.config.models import Defaults
from tarwatch.history import ItemHistory
from tarwatch.sizes import fmt_size

NAME = "shrink"


def check(h: ItemHistory | None, t: Defaults) -> Finding | None:
    """Given an item's history and thresholds, return an alarm for a zero-size newest tarball, a
    warning when it is more than `shrink_warn` smaller than the one before; else None.

    Exactly `shrink_warn` smaller is still fine."""
    if h is None:
        return None
    new = h.newest.size
    if new == 0:
        return Finding(NAME, Status.ALARM, "newest tarball is empty (0 bytes)")
    if h.previous is None or h.previous.size <= 0:
        return None
    drop = 1 - new / h.previous.size
    if drop > t.shrink_warn:
        return Finding(
            NAME,
            Status.WARN,
            f"newest tarball is {drop:.0%} smaller than the one before "
            f"({fmt_size(h.previous.size)} → {fmt_size(new)}; warn above {t.shrink_warn:.0%})",
        )
    return None

"""retention: the number of tarballs kept is outside keep_min..keep_max."""

from __future__ import annotations

from tarwatch.checks.model import Finding
from tarwatch.config.models import Defaults
from tarwatch.records import Status

NAME = "retention"


def check(count: int, t: Defaults) -> Finding | None:
    """Given how many tarballs of an item a node keeps and the thresholds, return a warning when
    the count is below keep_min or above keep_max; else None. No tarball at all is `missing`'s."""
    if count == 0:
        return None
    if count < t.keep_min:
        return Finding(
            NAME, Status.WARN, f"{count} tarballs kept (warn below {t.keep_min}): is the purge too eager?"
        )
    if count > t.keep_max:
        return Finding(
            NAME, Status.WARN, f"{count} tarballs kept (warn above {t.keep_max}): is the purge running?"
        )
    return None

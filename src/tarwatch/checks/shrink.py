"""shrink: the newest tarball is much smaller than the one before; a zero-size one is an alarm."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from tarwatch.checks.model import Finding
from tarwatch.checks.stale import FUTURE_SLACK
from tarwatch.config.models import Defaults
from tarwatch.history import ItemHistory, Tar
from tarwatch.human import size
from tarwatch.records import Status

NAME = "shrink"
FUTURE_SLACK_S = FUTURE_SLACK.total_seconds()


@lru_cache(maxsize=64)
def _ratio(x: float) -> tuple[int, int]:
    """Given a threshold, return it as a fraction; str() gives back the decimal written in the
    configuration ("0.3", not 0.29999…)."""
    f = Fraction(str(x))
    return f.numerator, f.denominator


def check(h: ItemHistory | None, t: Defaults, now: float | None = None) -> Finding | None:
    """Given an item's history, thresholds and `now`, return an alarm for a zero-size newest
    tarball, a warning when it is more than `shrink_warn` smaller than the one before; else None.

    With `now`, "newest" is the newest not stamped in the future (as for stale; the future one
    is `future`'s warning). Exactly `shrink_warn` smaller is still fine."""
    if h is None:
        return None
    newest: Tar | None
    if now is None or h.newest.stamp <= now + FUTURE_SLACK_S:
        newest, previous = h.newest, h.previous  # the usual case
    else:
        newest, previous = h.until(now + FUTURE_SLACK_S)
    if newest is None:
        return None
    new = newest.size
    if new == 0:
        return Finding(NAME, Status.ALARM, "newest tarball is empty (0 bytes)")
    if previous is None or previous.size <= 0:
        return None
    old = previous.size
    # In exact arithmetic: in floats 1 - 7/10 > 0.3, and exactly 30% smaller would warn.
    num, den = _ratio(t.shrink_warn)
    if (old - new) * den > num * old:
        drop = 1 - new / old
        return Finding(
            NAME,
            Status.WARN,
            f"newest tarball is {drop:.0%} smaller than the one before "
            f"({size(old)} → {size(new)}; warn above {t.shrink_warn:.0%})",
        )
    return None

"""future: a tarball is stamped in the future (more than stale.FUTURE_SLACK ahead of `now`).
A warning of its own: the clock of the hub or of tarwatch is wrong, the configuration names the
wrong timezone, or a folder was named by hand. Staleness is judged without it (see stale)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from tarwatch.checks.digest import day
from tarwatch.checks.model import Finding
from tarwatch.checks.stale import FUTURE_SLACK
from tarwatch.history import ItemHistory
from tarwatch.human import duration
from tarwatch.records import Status

NAME = "future"
_SLACK_S = FUTURE_SLACK.total_seconds()


def check(h: ItemHistory | None, now: float, tz: ZoneInfo) -> Finding | None:
    """Given an item's history, `now` and the backups' time zone, return a warning naming the
    newest tarball when it is stamped in the future (and how many are); else None."""
    if h is None or h.newest.stamp - now <= _SLACK_S:
        return None
    ahead = duration(timedelta(seconds=h.newest.stamp - now))
    n = h.after(now + _SLACK_S)
    more = f" (and {n - 1} more)" if n > 1 else ""
    return Finding(
        NAME,
        Status.WARN,
        f"the {day(h.newest.stamp, tz)} tarball{more} is stamped {ahead} in the future "
        "(clock skew, or the wrong timezone in the configuration?); staleness is judged "
        "on the tarballs before now",
    )

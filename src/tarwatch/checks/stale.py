"""stale: the newest tarball not stamped in the future is too old. One stamped in the future
(clock skew, a wrong timezone, a hostile folder name) is `future`'s warning and hides nothing:
staleness is judged on the tarballs before it."""

from __future__ import annotations

from datetime import timedelta

from tarwatch.checks.model import Finding
from tarwatch.config.models import Defaults
from tarwatch.history import ItemHistory, Tar
from tarwatch.human import duration
from tarwatch.records import Status

NAME = "stale"
# Clocks and folder stamps disagree by minutes without anything being wrong.
FUTURE_SLACK = timedelta(minutes=10)
_SLACK_S = FUTURE_SLACK.total_seconds()


def judged(h: ItemHistory | None, now: float) -> float | None:
    """Given an item's history and `now`, return the stamp staleness is judged on: that of the
    newest tarball not in the future (up to FUTURE_SLACK ahead is not the future); None when
    there is none."""
    if h is None:
        return None
    newest, _previous = h.until(now + _SLACK_S)
    return None if newest is None else newest.stamp


def shown(h: ItemHistory | None, now: float) -> Tar | None:
    """Given an item's history and `now`, return the tarball its verdict shows (latest, size,
    age): the newest not in the future, else (all are) the newest. One read from the manifest
    knows no revision."""
    if h is None:
        return None
    if h.newest.stamp <= now + _SLACK_S:
        return h.newest  # the usual case, without a tuple
    newest, _previous = h.until(now + _SLACK_S)
    return newest or h.newest


def check(latest: float | None, now: float, t: Defaults) -> Finding | None:
    """Given the stamp of the newest tarball not in the future (None: no tarball; see shown()),
    `now` and the thresholds, return a finding when it is older than stale_warn/stale_alarm;
    else None. A stamp in the future (all of the item's are) is not judged here.

    Exactly at a threshold is still fine: the alarm comes *after* stale_alarm."""
    if latest is None:
        return None
    secs = now - latest
    if secs <= t.stale_warn.total_seconds() and secs <= t.stale_alarm.total_seconds():
        return None  # the usual case (and the future), decided without making timedeltas
    age = timedelta(seconds=secs)
    if age > t.stale_alarm:
        return Finding(
            NAME,
            Status.ALARM,
            f"newest tarball is {duration(age)} old (alarm after {duration(t.stale_alarm)})",
        )
    return Finding(
        NAME, Status.WARN, f"newest tarball is {duration(age)} old (warn after {duration(t.stale_warn)})"
    )

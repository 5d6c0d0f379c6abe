"""stale: the newest tarball is too old, or stamped in the future."""

from __future__ import annotations

from datetime import timedelta

from tarwatch.checks.model import Finding, Status
from tarwatch.config.models import Defaults
from tarwatch.durations import humanize

NAME = "stale"
# Clocks and folder stamps disagree by minutes without anything being wrong.
FUTURE_SLACK = timedelta(minutes=10)
_SLACK_S = FUTURE_SLACK.total_seconds()


def check(latest: float | None, now: float, t: Defaults) -> Finding | None:
    """Given the newest tarball's stamp (None: no tarball), `now` and the thresholds, return a
    finding when it is older than stale_warn/stale_alarm or lies in the future; else None.

    Exactly at a threshold is still fine: the alarm comes *after* stale_alarm."""
    if latest is None:
        return None
    secs = now - latest
    if -_SLACK_S <= secs <= t.stale_warn.total_seconds() and secs <= t.stale_alarm.total_seconds():
        return None  # the usual case, decided without making timedeltas
    age = timedelta(seconds=secs)
    if age < -FUTURE_SLACK:
        return Finding(
            NAME,
            Status.WARN,
            f"newest tarball is stamped {humanize(-age)} in the future "
            "(clock skew, or the wrong timezone in the configuration?)",
        )
    if age > t.stale_alarm:
        return Finding(
            NAME,
            Status.ALARM,
            f"newest tarball is {humanize(age)} old (alarm after {humanize(t.stale_alarm)})",
        )
    if age > t.stale_warn:
        return Finding(
            NAME, Status.WARN, f"newest tarball is {humanize(age)} old (warn after {humanize(t.stale_warn)})"
        )
    return None

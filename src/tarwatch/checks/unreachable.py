"""unreachable: a node could not be listed. One alarm for the node; its items keep their last
known data with status `unknown` instead of a flood of alarms."""

from __future__ import annotations

from tarwatch.checks.model import Finding
from tarwatch.human import duration, when
from tarwatch.records import Status

NAME = "unreachable"


def check(node: str, reason: str | None, last_ok: float | None, now: float) -> Finding:
    """Given a node whose newest poll failed, its reason and when it was last listed, return the alarm."""
    if last_ok is None:
        since = "never listed"
    else:
        since = f"last listed {when(last_ok)}, {duration(now - last_ok)} ago"
    return Finding(NAME, Status.ALARM, f"{node} unreachable: {reason or 'unknown reason'} ({since})")


def item_finding(node: str, last_ok: float | None) -> Finding:
    """Given an unreachable node and when it was last listed, return the finding its items carry."""
    if last_ok is None:
        return Finding(NAME, Status.UNKNOWN, f"{node} could not be listed, and never has been")
    return Finding(NAME, Status.UNKNOWN, f"{node} could not be listed; showing the last known data")

"""locked: a LOCKED folder (a transfer in progress) left behind longer than the grace period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from tarwatch.checks.model import Finding
from tarwatch.config.models import Defaults
from tarwatch.human import duration
from tarwatch.records import Status

NAME = "locked"


def check(locks: Sequence[tuple[str, float]], now: float, t: Defaults) -> Finding | None:
    """Given the LOCKED folders of a node as (path, since) and `now`, return a warning for the
    oldest one older than locked_grace; else None. A `since` before 1970 (or not a number: a
    node can give a folder any mtime) counts as 1970."""
    grace = t.locked_grace.total_seconds()
    old = [(s, path) for path, since in locks if now - (s := since if since >= 0 else 0.0) > grace]
    if not old:
        return None
    since, path = min(old)
    more = f" (and {len(old) - 1} more)" if len(old) > 1 else ""
    return Finding(
        NAME,
        Status.WARN,
        f"{path} has been there for {duration(timedelta(seconds=now - since))}{more} "
        f"(warn after {duration(t.locked_grace)}): a transfer that died half way?",
    )

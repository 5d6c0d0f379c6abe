"""missing: a watched item has no tarball on a node."""

from __future__ import annotations

from tarwatch.checks.model import Finding
from tarwatch.records import Status

NAME = "missing"


def check(item: str, node: str, count: int, on_source: bool) -> Finding | None:
    """Given an item, the node, how many of its tarballs the node holds and whether the hub's
    source holds any, return an alarm when the node holds none; else None."""
    if count:
        return None
    where = " (the hub's source has it)" if on_source else ""
    return Finding(NAME, Status.ALARM, f"no tarball of {item} on {node}{where}")

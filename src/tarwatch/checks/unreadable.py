"""unreadable: folders the node's listing could not read. What they hold is neither seen nor
marked gone; one warning on the node names them, so that nobody believes it was all listed."""

from __future__ import annotations

from collections.abc import Sequence

from tarwatch.checks.model import Finding
from tarwatch.records import Status

NAME = "unreadable"
SHOWN = 5


def check(node: str, folders: Sequence[str]) -> Finding | None:
    """Given a node and the folders its newest listing could not read, return a warning naming
    them (the first few), or None when there are none."""
    if not folders:
        return None
    shown = ", ".join(folders[:SHOWN])
    more = f" (and {len(folders) - SHOWN} more)" if len(folders) > SHOWN else ""
    return Finding(
        NAME,
        Status.WARN,
        f"{node}: {len(folders)} folder{'s' if len(folders) != 1 else ''} could not be read: {shown}{more}; "
        "tarballs in them are not checked for gone (check their permissions)",
    )

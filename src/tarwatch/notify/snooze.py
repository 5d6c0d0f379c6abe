"""Snoozes: `tarwatch snooze HUB[/NODE[/ITEM]] DURATION --why TEXT`. A snoozed problem sends
nothing until the snooze ends by itself; it stays a problem, with its status, and `check` and
the dashboard show it as snoozed."""

from __future__ import annotations

from collections.abc import Iterable

from tarwatch.checks.model import Report, Snoozed
from tarwatch.records import Key, Snooze


def parse_target(text: str) -> tuple[str, str | None, str | None]:
    """Given "HUB", "HUB/NODE" or "HUB/NODE/CATEGORY/NAME", return (hub, node, item); raise
    ValueError for anything else."""
    parts = text.strip().split("/", 2)
    if not parts[0] or any(not p for p in parts) or (len(parts) == 3 and parts[2].count("/") != 1):
        raise ValueError(f'expected HUB, HUB/NODE or HUB/NODE/CATEGORY/NAME, got "{text}"')
    node = parts[1] if len(parts) > 1 else None
    item = parts[2] if len(parts) > 2 else None
    return parts[0], node, item


def snoozed(key: Key, snoozes: Iterable[Snooze]) -> Snooze | None:
    """Given a problem's key and the active snoozes, return the one covering it (the longest),
    or None."""
    covering = [s for s in snoozes if s.covers(key.hub, key.node, key.item)]
    return max(covering, key=lambda s: s.until, default=None)


def mark(report: Report, snoozes: Iterable[Snooze]) -> None:
    """Given a report and the active snoozes, mark the nodes and items they cover (in place)."""
    active = list(snoozes)
    if not active:
        return
    for hub in report.hubs:
        for node in hub.nodes:
            s = snoozed(Key(hub.hub, node.node, "", ""), active)
            node.snoozed = Snoozed(s.until, s.why) if s else None
            for item in node.items:
                s = snoozed(Key(hub.hub, node.node, item.item, ""), active)
                item.snoozed = Snoozed(s.until, s.why) if s else None

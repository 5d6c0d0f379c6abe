"""Snoozes: `tarwatch snooze HUB[/NODE[/ITEM]] DURATION --why TEXT`. A snoozed problem sends
nothing until the snooze ends by itself; it stays a problem, with its status, and `check` and
the dashboard show it as snoozed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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


def unknown_target(
    hub: str, node: str | None, item: str | None, nodes: Sequence[str], items: Sequence[str]
) -> str | None:
    """Given a parsed target (its hub known), the hub's nodes and the items known for it (seen
    by a collect, or configured), return why the target names nothing (None: it names
    something), listing what exists: a typo must not snooze nothing."""
    if node is not None and node not in nodes:
        return f"hub {hub} has no node {node!r}; its nodes: {', '.join(nodes) or '(none)'}"
    if item is not None and item not in items:
        if not items:
            return f"no item {item!r} is known for {hub} yet; run `tarwatch collect` first"
        shown = ", ".join(items[:20]) + (f", … ({len(items) - 20} more)" if len(items) > 20 else "")
        return f"hub {hub} has no item {item!r}; its items: {shown}"
    return None


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

"""Maintenance windows in force, as snoozes: while a hub's or a node's recurring window
(`maintenance = ["sun 02:00-06:00"]`, in the hub's `timezone`) is in force its problems are kept
and shown as snoozed ("maintenance window sun 02:00-06:00") but not sent; one still open when
the window ends is told as new by the first run after it, as after any snooze."""

from __future__ import annotations

from collections.abc import Iterable

from tarwatch.config.models import Config
from tarwatch.records import Snooze
from tarwatch.windows import parse_window, window_end


def in_force(config: Config, hubs: Iterable[str], now: float) -> list[Snooze]:
    """Given the configuration, hub tags and `now`, return a snooze for each maintenance window
    of those hubs, or of their nodes, that `now` is inside (id 0: it is not kept)."""
    out: list[Snooze] = []
    for hub in hubs:
        tz = config.thresholds(hub).timezone
        places: list[tuple[str | None, str]] = [(None, w) for w in config.hubs[hub].maintenance]
        places += [(node, w) for node in config.hub_nodes(hub) for w in config.nodes[node].maintenance]
        for node, text in places:
            found = window_end(parse_window(text), now, tz)
            if found is not None:
                out.append(Snooze(0, hub, node, None, found[0], found[1], f"maintenance window {text}"))
    return out

"""Per-channel routing (after Alertmanager's routes and Healthchecks' per-channel filters): which
of a hub's channels get one of its messages. A pure function of the message and the routes.

A message goes whole, or not at all (every channel of a run gets the same kept message): it goes
to a channel when it names a problem of one of the channel's statuses (new, still open, or
recovered from such a status), or, for the weekly "all is well", when the channel takes it. A
channel without reminders counts only the problems that changed (new, worse, better, recovered):
a message that only names problems people were already told of ("still 1 alarm") is a
reminder, and does not go to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tarwatch.notify.compose import Message
from tarwatch.records import Channel, MessageKind, Status

ALL_STATUSES = frozenset({Status.ALARM, Status.WARN, Status.UNKNOWN})


@dataclass(frozen=True, slots=True)
class Route:
    """A channel of a hub with what it takes: the statuses it is told of, whether it gets
    reminders, whether it gets the weekly "all is well"."""

    channel: Channel
    statuses: frozenset[Status] = ALL_STATUSES
    reminders: bool = True
    all_well: bool = True


def takes(route: Route, message: Message) -> bool:
    """Given a route and a message, return whether the route's channel gets the message."""
    if message.kind is MessageKind.ALL_WELL:
        return route.all_well
    changed = [
        *(line.status for line in message.new),
        *(line.status for line in message.ongoing if line.change is not None),  # better
        *(line.was for line in message.recovered),
    ]
    told = [line.status for line in message.ongoing if line.change is None]
    named = changed + told if route.reminders else changed
    return any(s in route.statuses for s in named if s is not None)


def routed(message: Message, routes: Sequence[Route]) -> list[Channel]:
    """Given a message and a hub's routes, return the channels that get it, in order."""
    return [r.channel for r in routes if takes(r, message)]

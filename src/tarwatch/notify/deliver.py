"""Delivering: every pending (message, channel) delivery is tried, oldest first, through one
transport. A sent one is never sent again; one that failed stays pending for the next run,
unless retrying cannot help; one whose channel is no longer configured is dropped."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tarwatch.notify.channels import Channel
from tarwatch.notify.transport import Outgoing, Transport, TransportError
from tarwatch.store import Store
from tarwatch.store.notify_store import DROPPED, FAILED, PENDING, SENT, Delivery, deliveries, mark

log = logging.getLogger("tarwatch.notify")


@dataclass(frozen=True, slots=True)
class Attempt:
    """What became of one delivery in this run."""

    delivery: Delivery
    state: str  # SENT, PENDING (to retry), FAILED or DROPPED
    error: str | None = None


def deliver(
    store: Store, hubs: Iterable[str], channels: Mapping[str, Channel], transport: Transport, now: float
) -> list[Attempt]:
    """Given the store, hub tags, their channels by id, a transport and `now`, try every pending
    delivery of those hubs and return what became of each. After a channel failed, its later
    deliveries wait for the next run rather than fail the same way again."""
    attempts = []
    down: dict[str, str] = {}
    for d in deliveries(store, hubs, PENDING):
        channel = channels.get(d.channel_id)
        if channel is None:
            error = "the channel is no longer configured"
            mark(store, d.id, DROPPED, now, error)
            attempts.append(Attempt(d, DROPPED, error))
            continue
        if d.channel_id in down:
            attempts.append(Attempt(d, PENDING, down[d.channel_id]))
            continue
        try:
            transport.send(channel, Outgoing(d.subject, d.text, d.html))
        except TransportError as e:
            state = FAILED if e.permanent else PENDING
            mark(store, d.id, state, now, e.reason)
            log.info("%s: %s", d.subject, e.reason)
            down[d.channel_id] = e.reason
            attempts.append(Attempt(d, state, e.reason))
            continue
        mark(store, d.id, SENT, now)
        attempts.append(Attempt(d, SENT))
    return attempts

"""Delivering: every pending (message, channel) delivery is tried, oldest first, through one
transport. A sent one is never sent again; one that failed stays pending for the next run,
unless retrying cannot help; one whose channel is no longer configured is dropped.

Each is claimed in the store before it is sent, so that two processes never both send it. A
claim whose process died (killed while sending) is taken over once stale: by the next holder of
its hubs' run locks at once, by anyone after CLAIM_TIMEOUT. The message may then arrive twice
(the kill fell after the server accepted it and before the store heard so): at least once,
never lost, which is what an operator woken at night prefers."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from tarwatch.notify.links import reveal
from tarwatch.notify.transport import Outgoing, Transport, TransportError
from tarwatch.records import Channel, DeliveryState
from tarwatch.store.notify_store import Delivery

log = logging.getLogger("tarwatch.notify")
CLAIM_TIMEOUT = 15 * 60.0  # seconds: far longer than any send (Apprise's timeouts are seconds)


@dataclass(frozen=True, slots=True)
class Attempt:
    """What became of one delivery in this run."""

    delivery: Delivery
    state: DeliveryState  # SENT, PENDING (to retry), FAILED or DROPPED
    error: str | None = None


class Deliveries(Protocol):
    """What delivering needs of the store: its kept deliveries, claimed, dropped and marked on
    the store's clock (`Store.notify` is one)."""

    def clock(self) -> float: ...

    def deliveries(
        self, hubs: Iterable[str], state: str | tuple[str, ...] | None = ...
    ) -> list[Delivery]: ...

    def claim(self, delivery_id: int, at: float, who: str, stale_before: float) -> bool: ...

    def drop(self, delivery_id: int, error: str, stale_before: float) -> bool: ...

    def mark(self, delivery_id: int, state: str, now: float, error: str | None = None) -> None: ...


def deliver(
    kept: Deliveries,
    hubs: Iterable[str],
    channels: Mapping[str, Channel],
    transport: Transport,
    now: float,
    locked_since: float | None = None,
    links: Mapping[str, str] | None = None,
) -> list[Attempt]:
    """Given the kept deliveries (`store.notify`), hub tags, their channels by id, a
    transport, `now`, when this process holds its hubs' run locks since when (on the store's
    clock), and the hubs' page links in full (kept redacted, sent in full), try every pending
    delivery of those hubs and return what became of each. After a channel failed, its later
    deliveries wait for the next run rather than fail the same way again. A delivery another
    live process is sending is left to it."""
    attempts = []
    down: dict[str, str] = {}
    stale_before = kept.clock() - CLAIM_TIMEOUT
    if locked_since is not None:  # a claim made before we took the lock: its maker is gone
        stale_before = max(stale_before, locked_since)
    who = f"being sent by pid {os.getpid()} on {socket.gethostname()}"
    for d in kept.deliveries(hubs, (DeliveryState.PENDING, DeliveryState.SENDING)):
        if d.state == DeliveryState.SENDING and d.last_attempt is not None and d.last_attempt >= stale_before:
            log.info("%s: %s: %s", d.subject, d.channel, d.error)
            continue
        if d.state == DeliveryState.SENDING:
            log.warning("%s to %s: resent, its sender died (%s)", d.subject, d.channel, d.error)
        channel = channels.get(d.channel_id)
        if channel is None:
            error = "the channel is no longer configured"
            if kept.drop(d.id, error, stale_before):
                attempts.append(Attempt(d, DeliveryState.DROPPED, error))
            continue
        if d.channel_id in down:
            attempts.append(Attempt(d, DeliveryState.PENDING, down[d.channel_id]))
            continue
        if not kept.claim(d.id, kept.clock(), who, stale_before):
            continue  # another process claimed it first: it sends it
        try:
            transport.send(channel, reveal(Outgoing(d.subject, d.text, d.html), (links or {}).get(d.hub)))
        except TransportError as e:
            state = DeliveryState.FAILED if e.permanent else DeliveryState.PENDING
            kept.mark(d.id, state, now, e.reason)
            log.info("%s: %s", d.subject, e.reason)
            down[d.channel_id] = e.reason
            attempts.append(Attempt(d, state, e.reason))
            continue
        kept.mark(d.id, DeliveryState.SENT, now)
        attempts.append(Attempt(d, DeliveryState.SENT))
    return attempts

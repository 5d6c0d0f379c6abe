"""How many listings a run holds parsed at once. A parsed listing (its tarballs as Python
objects, ~0.5 KB each) is held from its parse until the store has it; with all nodes listed at
once, holding every node's at the same time made memory grow with the number of nodes. A
listing that gets no place arrives as its raw bytes (~80 bytes a tarball) and is parsed when a
place frees; when too many raw bytes wait across the nodes, the streams without a place are not
read further (SSH flow control then pauses the nodes, once a channel's window of 2 MB is
full). No stream ever waits for a place while it is still arriving: the network waits of all
nodes overlap."""

from __future__ import annotations

import asyncio

from tarwatch.collect.listing import ListingParser
from tarwatch.collect.snapshot import Builder

PLACES = 2  # parsed listings held at once: one being stored, one ready for the store
RAW_BYTES = 64 << 20  # raw bytes of listings without a place, across the nodes


class Gate:
    """The places for parsed listings, and the raw bytes waiting for one. Counts what it saw:
    `most` parsed listings held at once, `most_raw` raw bytes."""

    def __init__(self, places: int = PLACES, raw_bytes: int = RAW_BYTES) -> None:
        self.places, self.raw_bytes = max(1, places), raw_bytes
        self.held = self.most = 0
        self.raw = self.most_raw = 0
        self._waiters: list[asyncio.Future[None]] = []

    def try_take(self) -> bool:
        """Take a place if one is free; return whether it was taken."""
        if self.held >= self.places:
            return False
        self.held += 1
        self.most = max(self.most, self.held)
        return True

    async def take(self) -> None:
        """Take a place, waiting until one is free."""
        while not self.try_take():
            await self.changed()

    def give(self) -> None:
        """Give back a place (its listing is stored, or was dropped)."""
        self.held -= 1
        self._wake()

    def buffer(self, n: int) -> None:
        """Note `n` raw bytes held for a listing without a place."""
        self.raw += n
        self.most_raw = max(self.most_raw, self.raw)

    def unbuffer(self, n: int) -> None:
        """Note `n` raw bytes parsed or dropped."""
        self.raw -= n
        self._wake()

    @property
    def full(self) -> bool:
        """True when the raw bytes waiting for a place are too many to read more."""
        return self.raw > self.raw_bytes

    async def changed(self) -> None:
        """Wait until a place or some raw bytes are given back."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for w in waiters:
            if not w.done():
                w.set_result(None)


class Intake:
    """One listing's bytes on their way to its parser (and its snapshot's `builder`): parsed as
    they arrive while the listing holds a place (or there is no gate), kept raw until it gets
    one otherwise."""

    def __init__(
        self, parser: ListingParser, gate: Gate | None = None, builder: Builder | None = None
    ) -> None:
        self.parser, self.gate, self.builder = parser, gate, builder
        self.holding = gate is None
        self.count = 0  # tarballs so far (while raw: the records that start in a chunk)
        self._raw: list[bytes] = []
        self._raw_n = 0

    def feed(self, chunk: bytes) -> None:
        """Given the next bytes of the stream, parse them, or keep them for later."""
        if not self.holding and self.gate is not None and self.gate.try_take():
            self._hold()
        if self.holding:
            self._parse(chunk)
            return
        self._raw.append(chunk)
        self._raw_n += len(chunk)
        assert self.gate is not None
        self.gate.buffer(len(chunk))
        self.count += chunk.count(b"\0T\t") + chunk.count(b"\0t ")

    async def ready(self) -> None:
        """Before the next read: wait while this listing has no place and too many raw bytes
        wait across the nodes (a place that frees meanwhile is taken, and the stream goes on)."""
        while not self.holding and self.gate is not None and self.gate.full:
            if self.gate.try_take():
                self._hold()
                return
            await self.gate.changed()

    async def parsed(self) -> ListingParser:
        """Return the parser, once this listing holds a place and everything it got is parsed."""
        if not self.holding and self.gate is not None:
            await self.gate.take()
            self._hold()
        return self.parser

    def release(self) -> None:
        """Give back the place and the raw bytes (the listing is stored, or given up)."""
        if self.gate is None:
            return
        if self._raw_n:
            self.gate.unbuffer(self._raw_n)
            self._raw, self._raw_n = [], 0
        if self.holding:
            self.holding = False
            self.gate.give()
        self.gate = None  # released once

    def _hold(self) -> None:
        self.holding = True
        if self._raw:
            raw, n = b"".join(self._raw), self._raw_n
            self._raw, self._raw_n = [], 0
            assert self.gate is not None
            self.gate.unbuffer(n)
            self._parse(raw)

    def _parse(self, chunk: bytes) -> None:
        self.parser.feed(chunk)
        listing = self.parser.listing
        if self.builder is not None:  # the snapshot is built as the listing arrives
            self.builder.take(listing)
        self.count = (self.builder.count if self.builder else 0) + len(listing.tarballs)

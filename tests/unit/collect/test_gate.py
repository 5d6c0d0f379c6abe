"""Memory flat in the number of nodes: a bounded number of parsed listings held at once (the
others arrive as raw bytes, and are not read further while too many of those wait), every
stream still read while the store is busy, and the outcomes a run returns no longer hold their
listings. Counted, never timed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from support.tree import tarball
from tarwatch.app.progress import Quiet
from tarwatch.collect.gate import Gate
from tarwatch.collect.poll import Job, Outcome, poll_node
from tarwatch.collect.run import run_collect
from tarwatch.collect.transport import Finished, Ready
from tarwatch.config.validate import validate
from tarwatch.store.store import Store

UTC = ZoneInfo("UTC")
TARBALLS = 50


def listing(n: int = TARBALLS) -> bytes:
    recs = ["R\t/b/hub"] + [
        f"T\t{100 + i}\t1.0\tsvn/env/2012/08/{1 + i % 28:02d}/171121/env-{i}.tar.gz" for i in range(n)
    ]
    return b"".join(r.encode() + b"\0" for r in recs) + b"\0E\t0\0"


class Streams:
    """Fake nodes streaming one listing each in small chunks, a network wait between them."""

    def __init__(self, chunk: int = 256) -> None:
        self.chunk = chunk
        self.read: dict[str, int] = {}  # node → chunks handed to the sink
        self.ended: set[str] = set()

    def transport(self, node: str) -> _Transport:
        return _Transport(self, node)


class _Transport:
    def __init__(self, streams: Streams, node: str) -> None:
        self.streams, self.node = streams, node

    async def open(self) -> _Session:
        return _Session(self.streams, self.node)


class _Session:
    def __init__(self, streams: Streams, node: str) -> None:
        self.streams, self.node = streams, node

    async def run(self, command: str, sink: Callable[[bytes], None], ready: Ready | None = None) -> Finished:
        data, size = listing(), self.streams.chunk
        for i in range(0, len(data), size):
            if ready is not None:
                await ready()
            await asyncio.sleep(0)  # the network
            sink(data[i : i + size])
            self.streams.read[self.node] = self.streams.read.get(self.node, 0) + 1
        self.streams.ended.add(self.node)
        return Finished(0, "")

    async def close(self) -> None:
        return None


async def _poll_all(gate: Gate, streams: Streams, nodes: list[str], release: asyncio.Event) -> list[Outcome]:
    stored: list[Outcome] = []
    held_when_stored: list[int] = []

    async def store(o: Outcome) -> None:
        await release.wait()  # the store is busy until every stream has ended
        assert o.snap is not None and len(o.snap.tarballs) == TARBALLS
        held_when_stored.append(gate.held)
        stored.append(o)

    async def opener() -> None:
        while len(streams.ended) < len(nodes) and not (gate.full and all(streams.read.values())):
            await asyncio.sleep(0)
        release.set()

    polls = [
        poll_node(
            streams.transport(n),
            [Job("H", n, "/b/hub", UTC)],
            timedelta(seconds=60),
            Quiet(),
            gate=gate,
            stored=store,
        )
        for n in nodes
    ]
    async with asyncio.timeout(60):  # a stream that waited for a place would hang here: fail instead
        results = await asyncio.gather(opener(), *polls)
    assert len(stored) == len(nodes) and max(held_when_stored) <= gate.places
    return [o for out in results[1:] for o in out]


def test_at_most_the_gates_places_are_parsed_at_once_while_every_stream_is_read_to_its_end():
    nodes = [f"n{i}" for i in range(6)]
    gate, streams = Gate(places=2), Streams()
    outcomes = asyncio.run(_poll_all(gate, streams, nodes, asyncio.Event()))
    # every node's stream ended while the store was still busy: no network wait waited for a place
    assert streams.ended == set(nodes)
    assert gate.most == 2  # the bound, reached and never passed
    assert gate.most_raw >= 4 * len(listing())  # the four without a place arrived as raw bytes
    assert [o.ok for o in outcomes] == [True] * 6 and {o.snap and len(o.snap.tarballs) for o in outcomes} == {
        TARBALLS
    }
    assert gate.held == 0 and gate.raw == 0  # every place and byte given back


def test_streams_without_a_place_are_not_read_further_while_too_many_raw_bytes_wait():
    nodes = [f"n{i}" for i in range(4)]
    whole = len(listing())
    gate, streams = Gate(places=1, raw_bytes=whole // 2), Streams(chunk=64)
    outcomes = asyncio.run(_poll_all(gate, streams, nodes, asyncio.Event()))
    assert [o.ok for o in outcomes] == [True] * 4
    # the raw bytes stopped growing about the limit (one chunk per stream over it, at most)
    assert gate.most_raw <= whole // 2 + len(nodes) * 64
    assert gate.held == 0 and gate.raw == 0


def test_the_outcomes_of_a_run_no_longer_hold_their_listings(tmp_path: Path):
    for node in ("A", "B", "C"):
        for day in range(1, 6):
            tarball(tmp_path / node / "hub", f"svn/env/2012/08/0{day}/171121/env-{day}.tar.gz", 100 * day)
        tarball(tmp_path / node / "hub", "svn/env/2012/08/09/x/env.tar.gz", 1)  # does not fit
    config = validate(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'tw.db'}"},
            "hubs": {"H": {"srvnode": "hub", "nodes": ["A", "B", "C"]}},
            "nodes": {n: {"transport": "local", "root": f"{tmp_path / n}/{{srvnode}}"} for n in "ABC"},
        },
        "test",
    )
    store = Store.open(config.store.url)
    outcomes = run_collect(config, ["H"], store, 1_700_000_000.0, Quiet(), places=1)
    assert sorted(o.job.node for o in outcomes) == ["A", "B", "C"]
    assert all(o.ok and o.snap is None for o in outcomes)  # stored, then dropped
    assert [o.ingested.files for o in outcomes] == [5, 5, 5] and [o.odd for o in outcomes] == [1, 1, 1]

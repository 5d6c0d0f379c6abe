"""Collecting: plan the listings, poll every node at once (collect/poll.py: one connection per
node, one command per hub root, each bounded by the node's timeout), and hand each outcome to
the store as soon as it is known. One slow or dead node never holds up or breaks the others."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tarwatch.collect.drill import METHODS, Verified, share_of
from tarwatch.collect.gate import PLACES, Gate
from tarwatch.collect.local import LocalTransport
from tarwatch.collect.poll import Job, Outcome, Progress, poll_node
from tarwatch.collect.transport import Transport
from tarwatch.config.models import Config, ssh_destination

if TYPE_CHECKING:
    from tarwatch.store.store import Store

log = logging.getLogger(__name__)


def plan(config: Config, hubs: Sequence[str]) -> dict[str, list[Job]]:
    """Given the config and hub tags, return the listings to make, grouped by node."""
    jobs: dict[str, list[Job]] = {}
    for hub in hubs:
        h = config.hubs[hub]
        t = config.thresholds(hub)
        tz = ZoneInfo(t.timezone)
        md5 = t.verify == "md5" or any(i.verify == "md5" for i in h.items.values())
        drill = t.verify if t.verify in METHODS else None
        own = ((i, config.thresholds(hub, i).verify) for i in h.items)
        drill_items = tuple(
            (i, v if v in METHODS else None) for i, v in own if (v if v in METHODS else None) != drill
        )
        for node in config.hub_nodes(hub):
            root = config.nodes[node].root.replace("{srvnode}", h.srvnode)
            jobs.setdefault(node, []).append(
                Job(hub, node, root, tz, md5, t.hash_timeout, drill, drill_items, t.drill_bytes, t.drill_time)
            )
    return jobs


def transport_for(config: Config, node: str) -> Transport:
    """Given a node tag, return the transport that reaches it."""
    n = config.nodes[node]
    if n.transport == "local":
        return LocalTransport()
    from tarwatch.collect.ssh import SshTransport  # asyncssh: imported only for a node it reaches

    host, port, user = ssh_destination(node, n)
    return SshTransport(host, port, user)


async def collect(
    config: Config,
    hubs: Sequence[str],
    store: Store | Callable[[], Store],
    now: float,
    progress: Progress,
    command: str = "collect",
    places: int = PLACES,
) -> list[Outcome]:
    """Given the config, hub tags, store (or a function that opens it) and the run's time, list
    every node of those hubs at once and store each outcome as it arrives; return all outcomes,
    node by node, their listings dropped once stored (`snap` None; `ingested` and `odd` say
    what they held). At most `places` listings are held parsed at once (collect/gate.py): the
    others arrive as raw bytes meanwhile. A store given as a function is opened in a thread
    while the nodes are being listed: opening it (SQLAlchemy's import, the schema check) then
    costs no wall time."""

    def open_and_begin() -> tuple[Store, int]:
        st = store() if callable(store) else store
        return st, st.begin_run(now, command, hubs)

    opening = asyncio.ensure_future(asyncio.to_thread(open_and_begin))
    lock = asyncio.Lock()
    gate = Gate(places)
    results: list[Outcome] = []

    async def one(node: str, jobs: list[Job]) -> None:
        async def known_md5(hub: str, node: str) -> dict[str, tuple[int, float]]:
            st, _ = await opening
            return await asyncio.to_thread(st.md5_known, hub, node)

        async def known_drills(hub: str, node: str) -> Verified:
            st, _ = await opening
            holds, last = await asyncio.to_thread(st.drills.known, hub, node)
            runs = await asyncio.to_thread(st.last_runs, [hub])
            rate = (await asyncio.to_thread(st.drills.rates, [hub])).get((hub, node))
            if hub not in runs:  # the first run: drill_time alone bounds it
                return Verified(holds, last, rate=rate)
            prev = runs[hub].finished - runs[hub].started
            return Verified(holds, last, share_of(config.thresholds(hub).drill_share, prev), rate)

        async def stored(o: Outcome) -> None:
            st, run_id = await opening
            async with lock:
                await _store(st, run_id, now, o)
            o.snap = None  # stored: its listing is not held until the run ends

        outcomes = await poll_node(
            transport_for(config, node),
            jobs,
            config.node_timeout(node),
            progress,
            known_md5,
            known_drills,
            now,
            gate,
            stored,
        )
        results.extend(outcomes)
        progress.finished(node, outcomes)

    tasks = [asyncio.ensure_future(one(node, jobs)) for node, jobs in plan(config, hubs).items()]
    try:
        if tasks:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        failed = next((t for t in tasks if t.done() and not t.cancelled() and t.exception()), None)
        if failed is not None:
            raise failed.exception()  # type: ignore[misc]
        st, run_id = await opening
    finally:
        # On any failure (the store could not be opened, or failed as a whole): the other nodes'
        # listings are stopped and awaited here, so nothing is left to asyncio.run's shutdown.
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, opening, return_exceptions=True)
    await asyncio.to_thread(st.finish_run, run_id)
    return results


async def _store(st: Store, run_id: int, now: float, o: Outcome) -> None:
    """Record one outcome. A store failure caused by this poll (a record the store cannot keep)
    is this node's failure: it is logged, recorded as a failed poll, and the others go on. A
    failure of the store itself (StoreBroken: a full disk, a corrupted file) ends the run."""
    from tarwatch.errors import StoreBroken

    hub, node = o.job.hub, o.job.node
    try:
        o.ingested = await asyncio.to_thread(
            st.record_poll,
            run_id,
            hub,
            node,
            now,
            ok=o.ok,
            reason=o.reason,
            duration=o.duration,
            snap=o.snap,
            md5s=o.md5s,
            drills=o.drills,
        )
    except StoreBroken:
        raise
    except Exception as e:  # whatever it is, it is this node's, not the run's
        log.error("%s/%s: the listing could not be stored: %s", hub, node, e)
        o.ok, o.reason, o.snap, o.warning = False, f"the listing could not be stored: {e}", None, None
        try:
            await asyncio.to_thread(
                st.record_poll,
                run_id,
                hub,
                node,
                now,
                ok=False,
                reason=o.reason,
                duration=o.duration,
                snap=None,
            )
        except StoreBroken:
            raise
        except Exception as again:
            log.error("%s/%s: the failed poll could not be stored either: %s", hub, node, again)
        return
    if o.warning:
        log.warning("%s/%s: %s", hub, node, o.warning)
    if o.snap and (o.snap.malformed or o.snap.unfit):
        log.warning(
            "%s/%s: %d malformed records, %d paths that do not fit the layout; e.g. %s",
            hub,
            node,
            o.snap.malformed,
            o.snap.unfit,
            "; ".join(o.snap.notes[:3]),
        )


def run_collect(*args, **kwargs) -> list[Outcome]:  # type: ignore[no-untyped-def]
    """collect(), from synchronous code."""
    outcomes: list[Outcome] = []

    async def main() -> None:
        # The main task returns nothing: asyncio.run formats the repr of its task (result
        # included) when it restores the SIGINT handler, and a result of twenty thousand
        # tarballs takes a third of a second to format.
        outcomes.extend(await collect(*args, **kwargs))

    asyncio.run(main())
    return outcomes

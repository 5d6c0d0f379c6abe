"""Collecting: list every (node, hub root) at once, one connection per node and one command
per hub root, each bounded by the node's timeout, and hand each outcome to the store as soon as
it is known. One slow or dead node never holds up or breaks the others."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from tarwatch.collect.listing import ListingParser, listing_command, md5_command, parse_md5
from tarwatch.collect.local import LocalTransport
from tarwatch.collect.snapshot import snapshot
from tarwatch.collect.ssh import SshTransport
from tarwatch.collect.transport import Finished, NodeError, Session, Transport
from tarwatch.config.models import Config, ssh_destination
from tarwatch.human import duration
from tarwatch.records import Ingested, Snapshot, Tarball

if TYPE_CHECKING:
    from tarwatch.store.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    """One listing to make: a hub's root on a node."""

    hub: str
    node: str
    root: str
    tz: ZoneInfo
    verify_md5: bool = False
    hash_timeout: timedelta = timedelta(minutes=30)


@dataclass(slots=True)
class Outcome:
    """How one listing went."""

    job: Job
    ok: bool
    reason: str | None
    duration: float
    snap: Snapshot | None = None
    warning: str | None = None
    ingested: Ingested = field(default_factory=Ingested)
    md5s: dict[str, str] = field(default_factory=dict)


class Progress(Protocol):
    """What the collector tells whoever shows progress."""

    def started(self, node: str) -> None: ...
    def files(self, node: str, count: int) -> None: ...
    def finished(self, node: str, outcomes: Sequence[Outcome]) -> None: ...


def plan(config: Config, hubs: Sequence[str]) -> dict[str, list[Job]]:
    """Given the config and hub tags, return the listings to make, grouped by node."""
    jobs: dict[str, list[Job]] = {}
    for hub in hubs:
        h = config.hubs[hub]
        t = config.thresholds(hub)
        tz = ZoneInfo(t.timezone)
        md5 = t.verify == "md5" or any(i.verify == "md5" for i in h.items.values())
        for node in config.hub_nodes(hub):
            root = config.nodes[node].root.replace("{srvnode}", h.srvnode)
            jobs.setdefault(node, []).append(Job(hub, node, root, tz, md5, t.hash_timeout))
    return jobs


def transport_for(config: Config, node: str) -> Transport:
    """Given a node tag, return the transport that reaches it."""
    n = config.nodes[node]
    if n.transport == "local":
        return LocalTransport()
    host, port, user = ssh_destination(node, n)
    return SshTransport(host, port, user)


KnownMd5 = Callable[[str, str], Awaitable[dict[str, tuple[int, float]]]]


async def poll_node(
    transport: Transport,
    jobs: Sequence[Job],
    timeout: timedelta,
    progress: Progress,
    known_md5: KnownMd5 | None = None,
) -> list[Outcome]:
    """Given a node's transport and its jobs, connect once and run each listing (and, where
    verify = "md5", one md5sum of the newest tarballs not hashed yet); return one outcome per
    job. Never raises for a node's failure: it becomes the outcome's reason. `known_md5(hub,
    node)` says which paths are hashed already, at which (size, mtime)."""
    node = jobs[0].node
    progress.started(node)
    secs = timeout.total_seconds()
    t0 = time.monotonic()
    try:
        async with asyncio.timeout(secs):
            session = await transport.open()
    except TimeoutError:
        reason = f"no SSH answer within {duration(timeout)} (connection timed out)"
        return [Outcome(j, False, reason, time.monotonic() - t0) for j in jobs]
    except NodeError as e:
        return [Outcome(j, False, str(e), time.monotonic() - t0) for j in jobs]
    out: list[Outcome] = []
    seen = 0
    try:
        for job in jobs:
            t1 = time.monotonic()
            parser = ListingParser()

            def feed(chunk: bytes, parser: ListingParser = parser) -> None:
                nonlocal seen
                before = len(parser.listing.tarballs)
                parser.feed(chunk)
                seen += len(parser.listing.tarballs) - before
                progress.files(node, seen)

            try:
                async with asyncio.timeout(secs):
                    fin = await session.run(listing_command(job.root), feed)
            except TimeoutError:
                n = len(parser.listing.tarballs)
                reason = (
                    f"listing of {job.root} did not finish within {duration(timeout)} ({n} tarballs by then)"
                )
                out.append(Outcome(job, False, reason, time.monotonic() - t1))
                continue
            except NodeError as e:
                out.append(Outcome(job, False, str(e), time.monotonic() - t1))
                continue
            outcome = _judge(job, parser, fin, time.monotonic() - t1)
            if job.verify_md5 and outcome.snap is not None:
                await _hash_newest(session, job, outcome, outcome.snap, known_md5)
            out.append(outcome)
    finally:
        await session.close()
    return out


async def _hash_newest(
    session: Session, job: Job, outcome: Outcome, snap: Snapshot, known_md5: KnownMd5 | None
) -> None:
    """Hash on the node, in one command, the newest tarball of each item that has a .dna digest
    and was not hashed yet as it is now; a failure is a warning, not a failed listing."""
    newest: dict[str, Tarball] = {}
    for t in snap.tarballs:
        if t.digest is not None and (t.item not in newest or t.stamp > newest[t.item].stamp):
            newest[t.item] = t
    known = await known_md5(job.hub, job.node) if known_md5 else {}
    todo = [t for t in newest.values() if known.get(t.path) != (t.size, t.mtime)]
    if not todo:
        return
    prefix = snap.root.rstrip("/") + "/"
    chunks: list[bytes] = []
    try:
        async with asyncio.timeout(job.hash_timeout.total_seconds()):
            fin = await session.run(
                md5_command(job.root, [t.path[len(prefix) :] for t in todo]), chunks.append
            )
    except TimeoutError:
        outcome.warning = (
            f"md5 of the newest tarballs timed out after {duration(job.hash_timeout)} "
            "(hash_timeout); stopped on the node"
        )
        return
    except NodeError as e:
        outcome.warning = f"md5 of the newest tarballs failed: {e}"
        return
    outcome.md5s = {prefix + rel: h for rel, h in parse_md5(b"".join(chunks)).items()}
    if len(outcome.md5s) < len(todo):
        outcome.warning = f"md5 of {len(todo) - len(outcome.md5s)} newest tarballs failed: {fin.stderr[:200]}"


def _judge(job: Job, parser: ListingParser, fin: Finished, duration: float) -> Outcome:
    listing = parser.close()
    listing.note_errors(fin.stderr, fin.cut)
    err = " ".join(fin.stderr.split())[:300]
    if listing.missing_root:
        return Outcome(job, False, f"{listing.missing_root} (root {job.root!r})", duration)
    if listing.status is None:
        why = f"exit status {fin.status}" if fin.status is not None else "no exit status"
        return Outcome(job, False, f"listing ended early ({why}){': ' + err if err else ''}", duration)
    if listing.status > 128:
        sig = listing.status - 128
        try:
            name = f" ({signal.Signals(sig).name})"
        except ValueError:
            name = ""
        return Outcome(
            job, False, f"find was killed by signal {sig}{name} while listing {job.root}", duration
        )
    if "." in listing.unreadable:
        return Outcome(job, False, f"cannot read the root {job.root}: permission denied", duration)
    snap = snapshot(listing, job.tz)
    warning = None
    if listing.unreadable and listing.complete:
        shown = ", ".join(repr(p) for p in listing.unreadable[:3])
        more = f" and {len(listing.unreadable) - 3} more" if len(listing.unreadable) > 3 else ""
        them = "them" if len(listing.unreadable) > 1 else "it"
        warning = f"cannot read {shown}{more} (permission denied): nothing in {them} is marked gone"
    elif not listing.complete:
        warning = f"find reported errors (exit status {listing.status}); nothing is marked gone"
        if err:
            warning += f": {err}"
    return Outcome(job, True, None, duration, snap, warning)


async def collect(
    config: Config,
    hubs: Sequence[str],
    store: Store | Callable[[], Store],
    now: float,
    progress: Progress,
    command: str = "collect",
) -> list[Outcome]:
    """Given the config, hub tags, store (or a function that opens it) and the run's time, list
    every node of those hubs at once and store each outcome as it arrives; return all outcomes,
    node by node. A store given as a function is opened in a thread while the nodes are being
    listed: opening it (SQLAlchemy's import, the schema check) then costs no wall time."""

    def open_and_begin() -> tuple[Store, int]:
        st = store() if callable(store) else store
        return st, st.begin_run(now, command, hubs)

    opening = asyncio.ensure_future(asyncio.to_thread(open_and_begin))
    lock = asyncio.Lock()
    results: list[Outcome] = []

    async def one(node: str, jobs: list[Job]) -> None:
        async def known_md5(hub: str, node: str) -> dict[str, tuple[int, float]]:
            st, _ = await opening
            return await asyncio.to_thread(st.md5_known, hub, node)

        outcomes = await poll_node(
            transport_for(config, node), jobs, config.node_timeout(node), progress, known_md5
        )
        st, run_id = await opening
        async with lock:
            for o in outcomes:
                await _store(st, run_id, now, o)
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

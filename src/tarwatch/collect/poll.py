"""Polling one node: one connection, one listing per hub root on it (and, where verify = "md5",
one md5sum of the newest tarballs; where verify = "gzip" or "tar", restore drills:
collect/drill.py), each bounded by the node's timeout. A node's failure
(refused, silent, timed out, dropped, a killed find) becomes its outcome's reason, never an
exception; the session is always closed."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from tarwatch.collect.drill import Budget, KnownDrills, Verified, drill, newest_of
from tarwatch.collect.gate import Gate, Intake
from tarwatch.collect.listing import ListingParser, listing_command, md5_command, parse_md5
from tarwatch.collect.snapshot import Builder, snapshot
from tarwatch.collect.transport import Finished, NodeError, Session, Transport
from tarwatch.human import duration
from tarwatch.records import Drill, Ingested, Snapshot, Tarball


@dataclass(frozen=True, slots=True)
class Job:
    """One listing to make: a hub's root on a node."""

    hub: str
    node: str
    root: str
    tz: ZoneInfo
    verify_md5: bool = False
    hash_timeout: timedelta = timedelta(minutes=30)
    drill: str | None = None  # the hub's restore drill method ("gzip", "tar"), None: none
    drill_items: tuple[tuple[str, str | None], ...] = ()  # items whose method differs
    drill_bytes: int = 0
    drill_time: timedelta = timedelta(0)

    def drill_method(self, item: str) -> str | None:
        """Given an item, return its restore drill method, or None."""
        return dict(self.drill_items).get(item, self.drill)

    @property
    def drills(self) -> bool:
        """True when some item of this job may be drilled."""
        return self.drill is not None or any(m for _, m in self.drill_items)


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
    drills: list[Drill] = field(default_factory=list)
    drill_note: str | None = None  # a drill cut short (not a failure)
    odd: int = 0  # records that were malformed or did not fit the layout (kept when snap is dropped)


class Progress(Protocol):
    """What the collector tells whoever shows progress."""

    def started(self, node: str) -> None: ...
    def files(self, node: str, count: int) -> None: ...
    def finished(self, node: str, outcomes: Sequence[Outcome]) -> None: ...


KnownMd5 = Callable[[str, str], Awaitable[dict[str, tuple[int, float]]]]
Stored = Callable[["Outcome"], Awaitable[None]]


async def poll_node(
    transport: Transport,
    jobs: Sequence[Job],
    timeout: timedelta,
    progress: Progress,
    known_md5: KnownMd5 | None = None,
    known_drills: KnownDrills | None = None,
    now: float | None = None,
    gate: Gate | None = None,
    stored: Stored | None = None,
) -> list[Outcome]:
    """Given a node's transport and its jobs, connect once and run each listing (and, where
    verify = "md5", one md5sum of the newest tarballs not hashed yet); return one outcome per
    job. Never raises for a node's failure: it becomes the outcome's reason. `known_md5(hub,
    node)` says which paths are hashed already, at which (size, mtime); `known_drills(hub,
    node)` which drills hold, for restore drills after each listing, within the node's one
    budget (the smallest drill_bytes and drill_time of its jobs). With a `gate`, the listings
    parsed at once are bounded (collect/gate.py); `stored(outcome)`, when given, is awaited
    for each outcome as soon as it is known (the next listing goes on meanwhile), and the
    listing's place is given back after it."""
    node = jobs[0].node
    progress.started(node)
    secs = timeout.total_seconds()
    t0 = time.monotonic()
    try:
        async with asyncio.timeout(secs):
            session = await transport.open()
    except TimeoutError:
        reason = f"no SSH answer within {duration(timeout)} (connection timed out)"
        return await _unreached(jobs, reason, time.monotonic() - t0, stored)
    except NodeError as e:
        return await _unreached(jobs, str(e), time.monotonic() - t0, stored)
    out: list[Outcome] = []
    seen = 0
    drilling = [j for j in jobs if j.drills]
    budget = Budget(
        min((j.drill_bytes for j in drilling), default=0),
        min((j.drill_time.total_seconds() for j in drilling), default=0.0),
    )
    handing: list[asyncio.Future[None]] = []
    try:
        try:
            for job in jobs:
                t1 = time.monotonic()
                intake = Intake(ListingParser(), gate, Builder(job.tz))

                def feed(chunk: bytes, intake: Intake = intake, before: int = seen) -> None:
                    intake.feed(chunk)
                    progress.files(node, before + intake.count)

                try:
                    outcome = await _listed(session, job, intake, feed, secs, timeout, t1)
                    if outcome.snap is not None:
                        await _after_listing(session, job, outcome, known_md5, known_drills, budget, now)
                except BaseException:
                    intake.release()
                    raise
                seen += intake.count
                out.append(outcome)
                if stored is None or outcome.snap is None:
                    intake.release()
                if stored is not None:  # stored while the next listing runs; its place is given back then
                    handing.append(asyncio.ensure_future(_hand(stored, outcome, intake)))
        finally:
            await session.close()
        await asyncio.gather(*handing)
    finally:
        for h in handing:
            h.cancel()
        await asyncio.gather(*handing, return_exceptions=True)
    return out


async def _listed(
    session: Session,
    job: Job,
    intake: Intake,
    feed: Callable[[bytes], None],
    secs: float,
    timeout: timedelta,
    t1: float,
) -> Outcome:
    """Run one job's listing through `intake`; return its outcome (the listing judged)."""
    command = listing_command(job.root)
    try:
        async with asyncio.timeout(secs):
            if intake.gate is None:
                fin = await session.run(command, feed)
            else:  # not read further while too many raw bytes wait for a place
                fin = await session.run(command, feed, intake.ready)
    except TimeoutError:
        n = intake.count
        reason = f"listing of {job.root} did not finish within {duration(timeout)} ({n} tarballs by then)"
        return Outcome(job, False, reason, time.monotonic() - t1)
    except NodeError as e:
        return Outcome(job, False, str(e), time.monotonic() - t1)
    parser = await intake.parsed()
    return _judge(job, parser, fin, time.monotonic() - t1, intake.builder)


async def _after_listing(
    session: Session,
    job: Job,
    outcome: Outcome,
    known_md5: KnownMd5 | None,
    known_drills: KnownDrills | None,
    budget: Budget,
    now: float | None,
) -> None:
    """After a listing that counts: md5 of the newest tarballs and restore drills, as its job says."""
    assert outcome.snap is not None
    if job.verify_md5:
        await _hash_newest(session, job, outcome, outcome.snap, known_md5)
    if job.drills:
        by_method = newest_of(outcome.snap.tarballs, job.drill_method)
        known = await known_drills(job.hub, job.node) if known_drills else Verified({}, {})
        at = time.time() if now is None else now
        outcome.drills, outcome.drill_note = await drill(
            session, job.root, outcome.snap.root, by_method, known, budget, at
        )
        if outcome.drill_note:  # not a failure: said, and tried again next time
            note = f"{outcome.drill_note} (tried again next run)"
            outcome.warning = f"{outcome.warning}; {note}" if outcome.warning else note


async def _unreached(jobs: Sequence[Job], reason: str, secs: float, stored: Stored | None) -> list[Outcome]:
    """The outcomes of a node that could not be reached: each job failed for `reason`."""
    out = [Outcome(j, False, reason, secs) for j in jobs]
    for o in out:
        if stored is not None:
            await stored(o)
    return out


async def _hand(stored: Stored, outcome: Outcome, intake: Intake) -> None:
    """Hand one outcome to `stored`; its listing's place is given back when that is done."""
    try:
        await stored(outcome)
    finally:
        intake.release()


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


def _judge(
    job: Job, parser: ListingParser, fin: Finished, duration: float, builder: Builder | None = None
) -> Outcome:
    """Given a job, its listing's parser (and the snapshot built as it arrived) and how the
    command finished, return the outcome."""
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
    snap = builder.finish(listing) if builder is not None else snapshot(listing, job.tz)
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
    if snap.disk_note:  # the listing counts; only its disk figures are missing
        note = f"no disk figures: {snap.disk_note}"
        warning = f"{warning}; {note}" if warning else note
    return Outcome(job, True, None, duration, snap, warning, odd=snap.malformed + snap.unfit)

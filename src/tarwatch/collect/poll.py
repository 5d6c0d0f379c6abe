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
from tarwatch.collect.listing import ListingParser, listing_command, md5_command, parse_md5
from tarwatch.collect.snapshot import snapshot
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


class Progress(Protocol):
    """What the collector tells whoever shows progress."""

    def started(self, node: str) -> None: ...
    def files(self, node: str, count: int) -> None: ...
    def finished(self, node: str, outcomes: Sequence[Outcome]) -> None: ...


KnownMd5 = Callable[[str, str], Awaitable[dict[str, tuple[int, float]]]]


async def poll_node(
    transport: Transport,
    jobs: Sequence[Job],
    timeout: timedelta,
    progress: Progress,
    known_md5: KnownMd5 | None = None,
    known_drills: KnownDrills | None = None,
    now: float | None = None,
) -> list[Outcome]:
    """Given a node's transport and its jobs, connect once and run each listing (and, where
    verify = "md5", one md5sum of the newest tarballs not hashed yet); return one outcome per
    job. Never raises for a node's failure: it becomes the outcome's reason. `known_md5(hub,
    node)` says which paths are hashed already, at which (size, mtime); `known_drills(hub,
    node)` which drills hold, for restore drills after each listing, within the node's one
    budget (the smallest drill_bytes and drill_time of its jobs)."""
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
    drilling = [j for j in jobs if j.drills]
    budget = Budget(
        min((j.drill_bytes for j in drilling), default=0),
        min((j.drill_time.total_seconds() for j in drilling), default=0.0),
    )
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
            if job.drills and outcome.snap is not None:
                by_method = newest_of(outcome.snap.tarballs, job.drill_method)
                known = await known_drills(job.hub, job.node) if known_drills else Verified({}, {})
                at = time.time() if now is None else now
                outcome.drills, outcome.drill_note = await drill(
                    session, job.root, outcome.snap.root, by_method, known, budget, at
                )
                if outcome.drill_note:  # not a failure: said, and tried again next time
                    note = f"{outcome.drill_note} (tried again next run)"
                    outcome.warning = f"{outcome.warning}; {note}" if outcome.warning else note
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
    if snap.disk_note:  # the listing counts; only its disk figures are missing
        note = f"no disk figures: {snap.disk_note}"
        warning = f"{warning}; {note}" if warning else note
    return Outcome(job, True, None, duration, snap, warning)

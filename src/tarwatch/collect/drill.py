"""Restore drills (verify = "gzip" or "tar"): on a node, after its listing and through the same
connection, test whether the newest tarballs would restore, with the node's own tools and
read-only: `gzip -t` (reads the whole file, checks the CRC) or `tar -tzf` (also the archive's
structure). One guarded command per hub root (it dies with its channel, as the listing does),
bounded by `drill_bytes` (chosen before it starts, from the listed sizes) and `drill_time` (the
command is given up on, and so stopped on the node, when it runs longer).

Which tarballs: the newest of each drilled item whose newest was not verified yet as it is now,
the item verified longest ago (or never) first, as many as fit in the bytes left; and at least
that first one, even beyond drill_share's part, when it fits in drill_bytes and drill_time (the
floor: one tarball a run, so that the rotation always ends). So every item is verified within
checks.drill.rotation_nights runs. The command prints, per file tested, two
NUL-terminated records:

    V <tab> exit status <tab> path          path relative to the root
    <what the tool wrote to stderr>
"""

from __future__ import annotations

import asyncio
import math
import shlex
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tarwatch.collect.listing import GUARD, UNGUARD, node_word, root_argument
from tarwatch.collect.transport import NodeError, Session
from tarwatch.records import Drill, Tarball

METHODS = ("gzip", "tar")
START = 2.0  # seconds a drill command may take beyond drill_share's part (its start over SSH)
_TEST = {
    "gzip": 'e=$(gzip -t -- "$f" 2>&1); s=$?',
    "tar": 'e=$(tar -tzf "$f" 2>&1 >/dev/null); s=$?',
}


@dataclass(frozen=True, slots=True)
class Verified:
    """What the store knows of one (hub, node)'s drills: path → (size, mtime) of the kept
    tarballs whose drill still holds (the file has not changed since), and item → when it was
    last drilled."""

    holds: Mapping[str, tuple[int, float]]
    last: Mapping[str, float]
    seconds: float = math.inf  # drill_share of the hub's previous collect: the most this one may spend
    rate: float | None = None  # bytes per second the node's drills read (None: not known yet)


KnownDrills = Callable[[str, str], Awaitable[Verified]]


@dataclass(slots=True)
class Budget:
    """What is left of a node's drill bounds in this run."""

    bytes: int
    seconds: float


def share_of(share: float, collect_seconds: float) -> float:
    """Given drill_share and the previous collect's duration (its drills included), return the
    seconds this collect may drill: share / (1 + share) of it, so that, run after run, the
    drills stay at `share` of the listing alone (b = s/(1+s)·(L + b) holds at b = s·L)."""
    return share / (1 + share) * collect_seconds


def drill_command(method: str, root: str, rels: Sequence[str]) -> str:
    """Given a method ("gzip" or "tar"), a root and paths relative to it, return the one guarded
    command that tests them all in order, printing a V record and the tool's stderr for each. A
    file gone since the listing gets no record (it is not a failed drill)."""
    files = " ".join(node_word(r) for r in rels)
    script = (
        GUARD
        + 'cd -- "$1" || exit 3; shift; for f do [ -f "$f" ] || continue; '
        + _TEST[method]
        + '; printf \'V\\t%s\\t%s\\000%s\\000\' "$s" "$f" "$e"; done;'
        + UNGUARD
    )
    return f"exec sh -c {shlex.quote(script)} sh {root_argument(root)} {files}"


def parse_drill(out: bytes) -> list[tuple[str, int, str]]:
    """Given a drill command's output, return (path relative to the root, exit status, stderr)
    of each file whose test finished; a record cut off (the command was stopped) is left out."""
    fields = out.split(b"\0")[:-1]  # what follows the last NUL did not end
    result = []
    for head, err in zip(fields[0::2], fields[1::2], strict=False):
        parts = head.decode("utf-8", "backslashreplace").split("\t", 2)
        if len(parts) == 3 and parts[0] == "V" and parts[1].isdigit():
            result.append((parts[2], int(parts[1]), err.decode("utf-8", "backslashreplace")))
    return result


def choose(newest: Iterable[Tarball], known: Verified, limit: int, most: int | None = None) -> list[Tarball]:
    """Given the newest tarball of each drilled item, what is known, the bytes left and the most
    a run may read at all (drill_bytes and drill_time left; None: limit), return those to test:
    the ones whose drill does not hold, the item drilled longest ago (never first) first, each
    that fits in the bytes left (a larger one waits for a larger budget). The floor: when the
    first of them that fits in `most` does not fit in `limit`, it is taken alone."""
    todo = [t for t in newest if known.holds.get(t.path) != (t.size, t.mtime)]
    todo.sort(key=lambda t: (known.last.get(t.item, -math.inf), t.item))
    out = []
    for t in todo:
        if t.size <= limit:
            out.append(t)
            limit -= t.size
        elif not out and most is not None and t.size <= most:
            return [t]  # larger than drill_share's part: the run's one, at least
    return out


def newest_of(
    tarballs: Iterable[Tarball], method_of: Callable[[str], str | None]
) -> dict[str, list[Tarball]]:
    """Given a listing's tarballs and each item's method (None: not drilled), return method →
    the newest tarball of each item drilled with it."""
    newest: dict[str, Tarball] = {}
    for t in tarballs:
        if t.item not in newest or (t.stamp, t.path) > (newest[t.item].stamp, newest[t.item].path):
            newest[t.item] = t
    by: dict[str, list[Tarball]] = {}
    for item, t in newest.items():
        m = method_of(item)
        if m in METHODS:
            by.setdefault(m, []).append(t)
    return by


async def drill(
    session: Session,
    root: str,
    resolved: str,
    by_method: Mapping[str, list[Tarball]],
    known: Verified,
    budget: Budget,
    at: float,
) -> tuple[list[Drill], str | None]:
    """Given an open session, a hub's root (as configured and as the node resolved it), the
    newest tarballs to drill by method, what is known and the node's budget left, test as many
    as fit on the node; return the drills that finished and a note when one was cut short (by
    drill_time or the connection: not a failure, and not recorded). The budget is spent."""
    prefix = resolved.rstrip("/") + "/"
    done: list[Drill] = []
    note = None
    for method, newest in sorted(by_method.items()):
        seconds = min(budget.seconds, known.seconds)  # drill_time left, and drill_share's part
        room = budget.bytes if not known.rate else min(budget.bytes, int(known.rate * seconds))
        most = budget.bytes if not known.rate else min(budget.bytes, int(known.rate * budget.seconds))
        todo = choose(newest, known, max(room, 0), most)
        if not todo or budget.seconds <= 0:
            continue
        wanted = sum(t.size for t in todo)
        if wanted > room:  # the floor's one: drill_time alone bounds it
            seconds = budget.seconds
        budget.bytes -= wanted
        chunks: list[bytes] = []
        arrived: list[tuple[int, float]] = []  # (bytes so far, when): how long each test took
        t0 = time.monotonic()

        def sink(
            chunk: bytes, chunks: list[bytes] = chunks, arrived: list[tuple[int, float]] = arrived
        ) -> None:
            chunks.append(chunk)
            arrived.append(((arrived[-1][0] if arrived else 0) + len(chunk), time.monotonic()))

        try:
            # drill_share chose the bytes; the command's start over SSH gets START more at least
            async with asyncio.timeout(min(budget.seconds, max(seconds, START))):
                await session.run(drill_command(method, root, [t.path[len(prefix) :] for t in todo]), sink)
        except TimeoutError:
            note = (
                f"drills cut short by drill_time after {len(_results(chunks, todo, prefix))} of {len(todo)}"
            )
        except NodeError as e:
            note = f"drills cut short: {e}"
        budget.seconds -= time.monotonic() - t0
        # The first test's time includes the command's start: it is left out of the node's rate.
        ends: list[float | None] = [None, *_ends(b"".join(chunks), arrived, t0)[1:]]
        for (t, status, err), took in zip(_results(chunks, todo, prefix), ends, strict=False):
            line = next((ln.strip() for ln in err.splitlines() if ln.strip()), "")
            error = None if status == 0 else f"{method} exit status {status}" + (f": {line}" if line else "")
            done.append(
                Drill(
                    t.path, t.item, t.size, t.mtime, at, method, status == 0, error, line[:500] or None, took
                )
            )
        if note:
            break
    return done, note


def _ends(out: bytes, arrived: list[tuple[int, float]], t0: float) -> list[float]:
    """Given the output, when each chunk of it arrived and when the command started, return how
    long each file's test took: from the previous record's end (or the start) to its own."""
    took, prev, k = [], t0, 0
    pos = -1
    for _ in range(out.count(b"\0") // 2):
        pos = out.index(b"\0", out.index(b"\0", pos + 1) + 1)  # the end of the stderr record
        while k < len(arrived) - 1 and arrived[k][0] <= pos:
            k += 1
        when = arrived[k][1] if arrived else prev
        took.append(max(0.0, when - prev))
        prev = when
    return took


def _results(chunks: list[bytes], todo: Sequence[Tarball], prefix: str) -> list[tuple[Tarball, int, str]]:
    """Given the output so far, the tarballs asked for and the root's prefix, return each
    finished test with its tarball (a record for a path not asked for is ignored)."""
    by_rel = {t.path[len(prefix) :]: t for t in todo}
    return [(by_rel[rel], s, e) for rel, s, e in parse_drill(b"".join(chunks)) if rel in by_rel]

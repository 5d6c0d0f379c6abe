"""The seam to the nodes: a Transport opens a session on a node; a session runs commands,
streaming their output to a sink. One implementation per module: ssh.py, local.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

Ready = Callable[[], Awaitable[None]]


class NodeError(Exception):
    """A node could not be reached or listed; the message is for people ("connection refused")."""


@dataclass(frozen=True, slots=True)
class Finished:
    """How a command ended: its exit status and the start of what it wrote to stderr."""

    status: int | None
    stderr: str
    cut: bool = False  # stderr was longer than STDERR_LIMIT and is only its start


class Session(Protocol):
    """An open connection to one node."""

    async def run(self, command: str, sink: Callable[[bytes], None], ready: Ready | None = None) -> Finished:
        """Run a shell command on the node, passing its stdout to `sink` chunk by chunk;
        `ready()`, when given, is awaited before each read (its output is not read meanwhile,
        and the command is paused once the pipe or the channel's window is full).

        Raise NodeError when the node fails while the command runs."""
        ...

    async def close(self) -> None:
        """Close the connection; never raises."""
        ...


class Transport(Protocol):
    """How to reach one node."""

    async def open(self) -> Session:
        """Connect; raise NodeError with a reason a person understands."""
        ...


STDERR_LIMIT = 1 << 20  # enough for thousands of "Permission denied" lines
CHUNK = 1 << 16


async def drain(read: Callable[[int], Awaitable[bytes]]) -> tuple[bytes, bool]:
    """Given a stream's read(n), read it to its end (a command blocks when a pipe it writes to
    is full) and return its first STDERR_LIMIT bytes, and whether there was more."""
    kept = bytearray()
    cut = False
    while chunk := await read(CHUNK):
        room = STDERR_LIMIT - len(kept)
        if len(chunk) > room:
            cut = True
        kept += chunk[:room]
    return bytes(kept), cut


def decode(raw: bytes) -> str:
    """Given bytes a command wrote to stderr, return them as text; bytes that are not UTF-8 are
    escaped as the listing's names are (\\xff)."""
    return raw.decode("utf-8", "backslashreplace")

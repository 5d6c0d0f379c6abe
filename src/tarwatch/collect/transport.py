"""The seam to the nodes: a Transport opens a session on a node; a session runs commands,
streaming their output to a sink. One implementation per module: ssh.py, local.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class NodeError(Exception):
    """A node could not be reached or listed; the message is for people ("connection refused")."""


@dataclass(frozen=True, slots=True)
class Finished:
    """How a command ended: its exit status and the start of what it wrote to stderr."""

    status: int | None
    stderr: str


class Session(Protocol):
    """An open connection to one node."""

    async def run(self, command: str, sink: Callable[[bytes], None]) -> Finished:
        """Run a shell command on the node, passing its stdout to `sink` chunk by chunk.

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


STDERR_LIMIT = 4000
CHUNK = 1 << 16

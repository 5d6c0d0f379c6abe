"""What the store gives back: light records, importable without SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass, field

from tarwatch.errors import StoreError


class StoreBroken(StoreError):
    """The store itself failed (its disk is full, its file is damaged, it is read-only): no
    poll can be kept, whichever node it is of."""


@dataclass(frozen=True, slots=True)
class PollInfo:
    """The newest poll of one (hub, node)."""

    hub: str
    node: str
    at: float
    ok: bool
    reason: str | None
    duration: float
    files: int
    complete: bool
    malformed: int
    unfit: int
    unreadable: tuple[str, ...] = ()  # folders the listing could not read


@dataclass(frozen=True, slots=True)
class Ingested:
    """What recording one poll changed."""

    new: int = 0
    changed: int = 0
    gone: int = 0
    files: int = 0
    digest: str | None = field(default=None, compare=False)  # of a complete listing (listing_digest)

"""What notify reasons about: problems as keys, their observed and kept states, and the
transitions between them. Plain data; the logic is in observe, transitions and compose."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tarwatch.checks.model import Status


@dataclass(frozen=True, slots=True, order=True)
class Key:
    """One problem's place: (hub, node, item, check); item is "" for a problem of the node itself
    (unreachable, a LOCKED folder at its root)."""

    hub: str
    node: str
    item: str
    check: str

    @property
    def where(self) -> tuple[str, str]:
        """Return (node, item): what a run may or may not have been able to judge."""
        return self.node, self.item


@dataclass(frozen=True, slots=True)
class Observation:
    """A problem as this run's report shows it: status, the finding's message, and a few words
    for a subject line ("SDU repos/env stale 3.2d")."""

    key: Key
    status: Status
    message: str
    short: str


@dataclass(frozen=True, slots=True)
class State:
    """A problem as the store keeps it between runs."""

    key: Key
    status: Status
    message: str
    since: float  # when it opened
    changed: float  # when its status last changed
    told: float | None  # when a message last named it; None: never


class Change(StrEnum):
    """How a problem's status changed."""

    NEW = "new"
    WORSE = "worse"
    BETTER = "better"
    RECOVERED = "recovered"


@dataclass(frozen=True, slots=True)
class Transition:
    """One change of a problem's status, detected at `at`, of a problem open since `since`.
    `told` is when a message last named the problem before this change (None: people never
    heard of it)."""

    key: Key
    change: Change
    old: Status | None
    new: Status | None
    message: str
    at: float
    since: float
    told: float | None

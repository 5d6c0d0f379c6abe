"""What checks produce: statuses, findings, and the verdicts of items, nodes, hubs and the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """A verdict. Ranked ok < unknown < warn < alarm: the worst one wins a rollup."""

    OK = "ok"
    UNKNOWN = "unknown"
    WARN = "warn"
    ALARM = "alarm"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def exit_code(self) -> int:
        """The exit status of `check` for this verdict (monitoring-plugins convention)."""
        return _EXIT[self]

    def __str__(self) -> str:
        return self.value


_RANK = {Status.OK: 0, Status.UNKNOWN: 1, Status.WARN: 2, Status.ALARM: 3}
_EXIT = {Status.OK: 0, Status.WARN: 1, Status.ALARM: 2, Status.UNKNOWN: 3}


def worst(statuses: list[Status] | tuple[Status, ...], default: Status = Status.OK) -> Status:
    """Given statuses, return the worst of them (default when there are none)."""
    return max(statuses, key=lambda s: s.rank, default=default)


@dataclass(frozen=True, slots=True)
class Finding:
    """The result of one check on one (hub, node, item), with a message a person acts on."""

    check: str
    status: Status
    message: str


@dataclass(frozen=True, slots=True)
class Snoozed:
    """Why and until when problems here send no notification (`tarwatch snooze`); they are
    still problems, and keep their status."""

    until: float
    why: str


@dataclass(slots=True)
class ItemVerdict:
    item: str
    status: Status
    latest: float | None  # epoch seconds of the newest tarball's stamp
    size: int | None
    count: int
    revision: int | None
    findings: list[Finding] = field(default_factory=list)
    snoozed: Snoozed | None = None


@dataclass(slots=True)
class NodeVerdict:
    node: str
    status: Status
    reachable: bool | None  # None: never listed
    last_poll: float | None
    reason: str | None
    items: list[ItemVerdict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    source: bool = False
    snoozed: Snoozed | None = None


@dataclass(slots=True)
class HubVerdict:
    hub: str
    status: Status
    srvnode: str
    nodes: list[NodeVerdict] = field(default_factory=list)


@dataclass(slots=True)
class Report:
    generated: float
    status: Status
    hubs: list[HubVerdict] = field(default_factory=list)

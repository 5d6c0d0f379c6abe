"""What checks produce: findings (each of a Status, tarwatch.records), and the verdicts of items,
nodes, hubs and the run."""

from __future__ import annotations

from dataclasses import dataclass, field

from tarwatch.records import DiskForecast, ItemDrills, Status


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
    verified: ItemDrills | None = None  # restore drills (verify = "gzip" or "tar")


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
    last_listed: float | None = None  # its newest poll that listed it; None: never listed
    drill_nights: int | None = None  # restore drills: every item's newest drilled within these runs
    disk: DiskForecast | None = None  # the disk under its root and when it fills (capacity)


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


def nothing_collected(report: Report) -> bool:
    """Given a report, return True when its hubs have nodes and not one of them was ever
    listed: no `collect` has stored a listing of them yet (every format says so)."""
    nodes = [n for h in report.hubs for n in h.nodes]
    return bool(nodes) and all(n.reachable is None for n in nodes)

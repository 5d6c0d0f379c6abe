"""The neutral records every stage shares: what a listing says (Snapshot, Tarball, Mark), what
the store gives back (Ingested, PollInfo), a verdict's Status, problems as keys with their kept
states and transitions, snoozes, channels, and the fixed sets kept as text (mark kinds, message
kinds, delivery states). Plain data, importable by every layer; it imports no stage."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from tarwatch.redact import redact_url

# ---- verdicts


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


# ---- what a listing says


class MarkKind(StrEnum):
    """What a mark is: a LOCKED folder or a `last` link (kept as this text)."""

    LOCKED = "locked"
    LAST = "last"


@dataclass(slots=True)
class Tarball:
    """One tarball as listed: `path` is absolute on the node, `stamp` epoch seconds UTC."""

    path: str
    item: str
    stamp: int
    size: int
    mtime: float
    revision: int | None
    digest: str | None = None
    dna_size: int | None = None


@dataclass(frozen=True, slots=True)
class Drill:
    """One restore drill of a tarball (verify = "gzip" or "tar"): the file as it was tested
    (path absolute on the node, size, mtime), when (epoch seconds), how, whether it passed, and
    if not the error ("gzip exit status 1: unexpected end of file") and the tool's stderr line."""

    path: str
    item: str
    size: int
    mtime: float
    at: float
    method: str
    ok: bool
    error: str | None = None
    stderr: str | None = None
    seconds: float | None = None  # how long its test took (None: its command's first, start included)


@dataclass(frozen=True, slots=True)
class ItemDrills:
    """What checks know of one item's drills that still hold (the file kept and unchanged): the
    newest drill, the newest passed one (the last verified restorable), its tarball's stamp."""

    last: Drill
    restorable: Drill | None = None
    restorable_stamp: int | None = None


@dataclass(slots=True)
class Mark:
    """A LOCKED folder or a `last` link."""

    path: str
    kind: MarkKind
    item: str | None
    target: str | None
    mtime: float | None


@dataclass(frozen=True, slots=True)
class Disk:
    """The filesystem a root lives on, as `df -P -k` saw it during the listing; bytes."""

    filesystem: str
    mount: str
    total: int
    used: int
    free: int  # available to the node's user (df's "Available")


@dataclass(frozen=True, slots=True)
class DiskPoint:
    """One poll's figures of the disk under a (hub, node)'s root: the run's time, df's bytes,
    and the bytes of the tarballs kept under the root then (None: the listing was incomplete)."""

    at: float
    root: str
    total: int
    used: int
    free: int
    kept: int | None = None
    mount: str | None = None  # where df says the filesystem is mounted


@dataclass(frozen=True, slots=True)
class DiskForecast:
    """A (hub, node)'s disk as the newest poll saw it (bytes), and when it fills: `growth` in
    bytes per day and `days` from now until it is full (None: too little history to say, or
    not growing); `history` is the days of history it was fitted on, `largest_night` the
    bytes of the largest night's new tarballs (None: unknown)."""

    mount: str
    total: int
    used: int
    free: int
    at: float
    history: float
    growth: float | None = None
    days: float | None = None
    largest_night: int | None = None


@dataclass(slots=True)
class Snapshot:
    """Everything one listing of one (node, hub root) says."""

    root: str
    complete: bool
    tarballs: list[Tarball] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    malformed: int = 0
    unfit: int = 0
    notes: list[str] = field(default_factory=list)
    # Absolute paths of the folders the listing could not read: nothing under them is gone.
    unreadable: list[str] = field(default_factory=list)
    # Of a complete listing, with what its reading depended on: the same digest, the same rows.
    digest: str | None = None
    # The disk under the root (df, in the same command); None with `disk_note` saying why.
    disk: Disk | None = None
    disk_note: str | None = None


# ---- what the store gives back


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
class RunInfo:
    """The newest finished run (`collect` or `run`) that listed a hub: when it started and
    ended, on the wall clock, in epoch seconds."""

    hub: str
    command: str
    started: float
    finished: float


@dataclass(frozen=True, slots=True)
class Ingested:
    """What recording one poll changed."""

    new: int = 0
    changed: int = 0
    gone: int = 0
    files: int = 0
    digest: str | None = field(default=None, compare=False)  # of a complete listing (listing_digest)


# ---- problems, as notify keeps them


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


@dataclass(frozen=True, slots=True)
class Snooze:
    """A kept snooze: hub, optionally a node, optionally an item of that node."""

    id: int
    hub: str
    node: str | None
    item: str | None
    since: float
    until: float
    why: str

    @property
    def target(self) -> str:
        """Return what it snoozes as written on the command line: "ZZ/SDU/repos/env"."""
        return "/".join(p for p in (self.hub, self.node, self.item) if p)

    def covers(self, hub: str, node: str, item: str) -> bool:
        """Given a place (item "" for the node itself), return whether this snooze covers it."""
        return (
            hub == self.hub
            and (self.node is None or node == self.node)
            and (self.item is None or item == self.item)
        )


# ---- messages and their deliveries


class MessageKind(StrEnum):
    """What a kept message is: one naming problems, or the weekly "all is well"."""

    PROBLEMS = "problems"
    ALL_WELL = "all_well"


class DeliveryState(StrEnum):
    """Where one (message, channel) delivery is: pending until claimed for sending, then sent,
    failed (retrying cannot help) or dropped (its channel is no longer configured)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class Channel:
    """Where a message goes: an Apprise URL, known in the store and in print by its id (a digest
    of the URL) and its label (the URL, secrets redacted)."""

    id: str
    label: str
    url: str

    @classmethod
    def of(cls, url: str) -> Channel:
        """Given an Apprise URL, return its channel."""
        return cls(hashlib.sha256(url.encode()).hexdigest()[:24], redact_url(url), url)

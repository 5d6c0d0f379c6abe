"""Running every check over the stored history: a pure function of that history and `now`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from tarwatch.checks import (
    anomaly,
    capacity,
    digest,
    drill,
    future,
    locked,
    missing,
    retention,
    shrink,
    stale,
    transfer,
    unreachable,
)
from tarwatch.checks.model import Finding, HubVerdict, ItemVerdict, NodeVerdict, Report, worst
from tarwatch.checks.unreadable import check as unreadable_check
from tarwatch.config.models import Config, Defaults
from tarwatch.history import ItemHistory, Tar, summarize
from tarwatch.records import DiskForecast, DiskPoint, ItemDrills, Status


@dataclass(frozen=True, slots=True)
class Poll:
    """What checks need of a (hub, node)'s newest poll."""

    ok: bool
    at: float
    reason: str | None
    last_ok: float | None
    unreadable: tuple[str, ...] = ()  # folders the listing could not read


@dataclass(frozen=True, slots=True)
class History:
    """The stored history checks read: each (hub, node)'s newest poll, its items' histories,
    its LOCKED folders as (path relative to the root or absolute, since) and its items' recent
    (stamp, size)s, gone tarballs included, oldest first (anomaly's baseline; an item without
    them is not judged by it)."""

    polls: Mapping[tuple[str, str], Poll]
    items: Mapping[tuple[str, str], Mapping[str, ItemHistory]]
    locks: Mapping[tuple[str, str], Sequence[tuple[str, float]]] = field(default_factory=dict)
    recent: Mapping[tuple[str, str], Mapping[str, Sequence[tuple[int, int]]]] = field(default_factory=dict)
    drills: Mapping[tuple[str, str], Mapping[str, ItemDrills]] = field(default_factory=dict)  # restore drills
    drill_rates: Mapping[tuple[str, str], float] = field(default_factory=dict)  # bytes/s drills read
    run_seconds: Mapping[str, float] = field(default_factory=dict)  # each hub's newest finished run
    disks: Mapping[tuple[str, str], Sequence[DiskPoint]] = field(default_factory=dict)  # df, oldest first

    @classmethod
    def from_rows(
        cls,
        polls: Mapping[tuple[str, str], Poll],
        rows: Iterable[Sequence[Any]],
        locks: Mapping[tuple[str, str], Sequence[tuple[str, float]]] | None = None,
    ) -> History:
        """Given polls and tarball rows (hub, node, item, stamp, size, path, revision, digest,
        dna_size[, md5]), return the History they make (tests and small worlds): every row is
        a kept tarball, and the recent sizes are theirs."""
        grouped: dict[tuple[str, str], list[tuple[str, Tar]]] = defaultdict(list)
        for r in rows:
            grouped[(r[0], r[1])].append((r[2], Tar(*r[3:])))
        recent: dict[tuple[str, str], dict[str, list[tuple[int, int]]]] = defaultdict(dict)
        for key, tars in grouped.items():
            for item, t in sorted(tars, key=lambda e: (e[1].stamp, e[1].path)):
                recent[key].setdefault(item, []).append((t.stamp, t.size))
        return cls(polls, {k: summarize(v) for k, v in grouped.items()}, locks or {}, recent)


def evaluate(config: Config, hubs: Sequence[str], history: History, now: float) -> Report:
    """Given the config, hub tags, the stored history and `now`, return the report."""
    verdicts = [_hub(config, hub, history, now) for hub in hubs]
    return Report(now, worst([h.status for h in verdicts]), verdicts)


def _hub(config: Config, hub: str, history: History, now: float) -> HubVerdict:
    h = config.hubs[hub]
    nodes = config.hub_nodes(hub)
    seen = {i for n in nodes for i in history.items.get((hub, n), {})}
    items = list(h.select) if h.select else sorted(seen)
    src = h.source
    source_poll = history.polls.get((hub, src)) if src else None
    # Transfers are judged only against a source that was listed this time.
    source = history.items.get((hub, src), {}) if src and source_poll and source_poll.ok else None
    thresholds = _memo(lambda item: config.thresholds(hub, item))
    verdicts = []
    for node in nodes:
        poll = history.polls.get((hub, node))
        nv = NodeVerdict(
            node=node,
            status=Status.OK,
            reachable=None if poll is None else poll.ok,
            last_poll=poll.at if poll else None,
            last_listed=poll.last_ok if poll else None,
            reason=poll.reason if poll else "never listed: run `tarwatch collect`",
            source=node == h.source,
        )
        kept = history.items.get((hub, node), {})
        recent = history.recent.get((hub, node), {})
        drilled = history.drills.get((hub, node), {})
        rate = history.drill_rates.get((hub, node))
        nv.drill_nights = _nights(kept, items, thresholds, rate, history.run_seconds.get(hub))
        locks = history.locks.get((hub, node), ())
        item_locks: dict[str | None, list[tuple[str, float]]] = defaultdict(list)
        for path, since in locks:
            item_locks[_lock_item(path, items)].append((path, since))
        if poll is not None and not poll.ok:
            nv.findings.append(unreachable.check(node, poll.reason, poll.last_ok, now))
        elif poll is not None and item_locks.get(None):
            f = locked.check(item_locks[None], now, thresholds(None))
            if f:
                nv.findings.append(f)
        if poll is not None:
            nv.disk, f = _capacity(config, hub, node, history.disks.get((hub, node), ()), kept, recent, now)
            if f and poll.ok:
                nv.findings.append(f)
        if poll is not None and poll.ok and poll.unreadable:
            f = unreadable_check(node, poll.unreadable)
            if f:
                nv.findings.append(f)
        for item in items:
            on_source = source.get(item) if source is not None and node != h.source else None
            nv.items.append(
                _item(
                    thresholds(item),
                    node,
                    item,
                    kept.get(item),
                    poll,
                    on_source,
                    item_locks.get(item, []),
                    now,
                    recent.get(item),
                    drilled.get(item),
                    nv.drill_nights,
                    rate,
                )
            )
        nv.status = worst([f.status for f in nv.findings] + [i.status for i in nv.items])
        if poll is None:
            nv.status = worst([nv.status, Status.UNKNOWN])
        verdicts.append(nv)
    return HubVerdict(hub, worst([n.status for n in verdicts]), h.srvnode, verdicts)


def _capacity(
    config: Config,
    hub: str,
    node: str,
    points: Sequence[DiskPoint],
    kept: Mapping[str, ItemHistory],
    recent: Mapping[str, Sequence[tuple[int, int]]],
    now: float,
) -> tuple[DiskForecast | None, Finding | None]:
    """Given a (hub, node)'s disk points, item histories and recent sizes, return its disk
    forecast and capacity's finding (thresholds: the node's own, else the hub's)."""
    if not points:
        return None, None
    t = config.thresholds(hub)
    largest = capacity.largest_night(kept, recent, _zone(t.timezone))
    fc = capacity.forecast(points, now, t.capacity_days, largest)
    n = config.nodes.get(node)
    warn = n.capacity_warn if n and n.capacity_warn is not None else t.capacity_warn
    alarm = n.capacity_alarm if n and n.capacity_alarm is not None else t.capacity_alarm
    return fc, capacity.check(node, fc, warn, alarm)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _lock_item(path: str, items: Sequence[str]) -> str | None:
    """Given a LOCKED folder's path, return the watched item it lies in, or None (the node's)."""
    for item in items:
        marker = f"/{item}/"
        if marker in f"/{path}":
            return item
    return None


def _memo(f: Callable[[str | None], Defaults]) -> Callable[[str | None], Defaults]:
    cache: dict[str | None, Defaults] = {}

    def get(item: str | None) -> Defaults:
        if item not in cache:
            cache[item] = f(item)
        return cache[item]

    return get


def _item(
    t: Defaults,
    node: str,
    item: str,
    h: ItemHistory | None,
    poll: Poll | None,
    on_source: ItemHistory | None,
    locks: Sequence[tuple[str, float]],
    now: float,
    recent: Sequence[tuple[int, int]] | None = None,
    drills: ItemDrills | None = None,
    nights: int | None = None,
    rate: float | None = None,
) -> ItemVerdict:
    shown = stale.shown(h, now)  # the newest tarball not stamped in the future
    v = ItemVerdict(
        item=item,
        status=Status.OK,
        latest=shown.stamp if shown else None,
        size=shown.size if shown else None,
        count=h.count if h else 0,
        revision=shown.revision if shown else None,
        verified=drills if t.verify in drill.METHODS else None,
    )
    if poll is None:
        v.status = Status.UNKNOWN
        v.findings.append(Finding("unreachable", Status.UNKNOWN, f"{node} has never been listed"))
        return v
    if not poll.ok:
        v.status = Status.UNKNOWN
        v.findings.append(unreachable.item_finding(node, poll.last_ok))
        return v
    tz = _zone(t.timezone)
    limit, bound = drill.startable(t.drill_bytes, t.drill_time.total_seconds(), rate)
    findings = (
        missing.check(item, node, v.count, on_source is not None),
        stale.check(v.latest, now, t),
        future.check(h, now, tz),
        shrink.check(h, t, now),
        _anomaly(recent, shown, t, now),
        retention.check(v.count, t),
        transfer.check(node, on_source, h, now, t, tz),
        digest.check(h, t.verify, tz),
        drill.check(h, drills, t.verify, limit, nights, tz, bound),
        locked.check(locks, now, t) if locks else None,
    )
    v.findings = [f for f in findings if f is not None]
    if v.findings:
        v.status = worst([f.status for f in v.findings])
    return v


def _nights(
    kept: Mapping[str, ItemHistory],
    items: Sequence[str],
    thresholds: Callable[[str | None], Defaults],
    rate: float | None,
    run_seconds: float | None,
) -> int | None:
    """Given a node's item histories, the hub's items and their thresholds, the bytes per second
    its drills read and the hub's newest run's duration (None: not known yet), return within how
    many runs every drilled item's newest tarball is drilled there (None: not drilled, or one is
    never: too large)."""
    drilled = [i for i in items if thresholds(i).verify in drill.METHODS]
    if not drilled:
        return None
    t = thresholds(None)
    limit = drill.per_run(t.drill_bytes, t.drill_time.total_seconds(), t.drill_share, rate, run_seconds)
    most, _ = drill.startable(t.drill_bytes, t.drill_time.total_seconds(), rate)
    return drill.rotation_nights([kept[i].newest.size for i in drilled if i in kept], limit, most)


def _anomaly(
    recent: Sequence[tuple[int, int]] | None, shown: Tar | None, t: Defaults, now: float
) -> Finding | None:
    """Given an item's recent (stamp, size)s, the tarball its verdict shows, thresholds and
    `now`, return anomaly's finding on that tarball (none when it is stamped in the future:
    every one is, then). The series judged: the recent ones stamped before it, then it (gone
    tarballs after it are left out)."""
    if not recent or shown is None or shown.stamp > now + stale.FUTURE_SLACK.total_seconds():
        return None
    if recent[-1] == (shown.stamp, shown.size) and (len(recent) < 2 or recent[-2][0] < shown.stamp):
        return anomaly.check(recent, t)  # the usual case: the newest seen is the one shown
    return anomaly.check([e for e in recent if e[0] < shown.stamp] + [(shown.stamp, shown.size)], t)

"""Running every check over the stored history: a pure function of that history and `now`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tarwatch.checks import missing, stale, unreachable
from tarwatch.checks.model import Finding, HubVerdict, ItemVerdict, NodeVerdict, Report, Status, worst
from tarwatch.config.models import Config


@dataclass(frozen=True, slots=True)
class Poll:
    """What checks need of a (hub, node)'s newest poll."""

    ok: bool
    at: float
    reason: str | None
    last_ok: float | None


@dataclass(frozen=True, slots=True)
class History:
    """The stored history checks read: newest polls, and tarballs not gone as tuples
    (hub, node, item, stamp, size, path, revision, digest, dna_size) in stamp order."""

    polls: Mapping[tuple[str, str], Poll]
    tarballs: Iterable[Sequence[Any]]


def evaluate(config: Config, hubs: Sequence[str], history: History, now: float) -> Report:
    """Given the config, hub tags, the stored history and `now`, return the report."""
    by_item: dict[tuple[str, str], dict[str, list[Sequence[Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in history.tarballs:
        by_item[(row[0], row[1])][row[2]].append(row)
    hub_verdicts = [_hub(config, hub, history.polls, by_item, now) for hub in hubs]
    return Report(now, worst([h.status for h in hub_verdicts]), hub_verdicts)


def _hub(
    config: Config,
    hub: str,
    polls: Mapping[tuple[str, str], Poll],
    by_item: Mapping[tuple[str, str], Mapping[str, list[Sequence[Any]]]],
    now: float,
) -> HubVerdict:
    h = config.hubs[hub]
    nodes = config.hub_nodes(hub)
    seen = {i for n in nodes for i in by_item.get((hub, n), {})}
    items = list(h.select) if h.select else sorted(seen)
    source_items = by_item.get((hub, h.source), {}) if h.source else {}
    verdicts = []
    for node in nodes:
        rows = by_item.get((hub, node), {})
        poll = polls.get((hub, node))
        nv = NodeVerdict(
            node=node,
            status=Status.OK,
            reachable=None if poll is None else poll.ok,
            last_poll=poll.at if poll else None,
            reason=poll.reason if poll else "never listed: run `tarwatch collect`",
            source=node == h.source,
        )
        if poll is not None and not poll.ok:
            nv.findings.append(unreachable.check(node, poll.reason, poll.last_ok, now))
        for item in items:
            nv.items.append(
                _item(config, hub, node, item, rows.get(item, []), poll, bool(source_items.get(item)), now)
            )
        nv.status = worst([f.status for f in nv.findings] + [i.status for i in nv.items])
        if poll is None:
            nv.status = worst([nv.status, Status.UNKNOWN])
        verdicts.append(nv)
    return HubVerdict(hub, worst([n.status for n in verdicts]), h.srvnode, verdicts)


def _item(
    config: Config,
    hub: str,
    node: str,
    item: str,
    rows: list[Sequence[Any]],
    poll: Poll | None,
    on_source: bool,
    now: float,
) -> ItemVerdict:
    newest = rows[-1] if rows else None
    v = ItemVerdict(
        item=item,
        status=Status.OK,
        latest=newest[3] if newest else None,
        size=newest[4] if newest else None,
        count=len(rows),
        revision=newest[6] if newest else None,
    )
    if poll is None:
        v.status = Status.UNKNOWN
        v.findings.append(Finding("unreachable", Status.UNKNOWN, f"{node} has never been listed"))
        return v
    if not poll.ok:
        v.status = Status.UNKNOWN
        v.findings.append(unreachable.item_finding(node, poll.last_ok))
        return v
    t = config.thresholds(hub, item)
    for f in (
        missing.check(item, node, len(rows), on_source and node != config.hubs[hub].source),
        stale.check(v.latest, now, t),
    ):
        if f is not None:
            v.findings.append(f)
    v.status = worst([f.status for f in v.findings])
    return v

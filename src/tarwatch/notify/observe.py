"""From a hub's verdict to the problems notify keeps: one per (node, item, check) that is not
ok, and an unreachable node as ONE problem, not one `unknown` per item."""

from __future__ import annotations

from dataclasses import dataclass

from tarwatch.checks.model import Finding, HubVerdict, ItemVerdict
from tarwatch.human import age
from tarwatch.notify.model import Observation
from tarwatch.records import Key, Status

UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Observed:
    """What a run saw of one hub: its problems; the (node, item) places of the nodes it listed
    (a problem there that is gone has recovered); and the places that exist at all (a problem
    elsewhere belongs to a node or item no longer configured and is forgotten). Whether a node
    is reachable is judged on every run; the rest of an unreachable node's problems are kept as
    they were."""

    problems: dict[Key, Observation]
    listed: frozenset[tuple[str, str]]
    present: frozenset[tuple[str, str]]

    def judges(self, key: Key) -> bool:
        """Given a problem's key, return whether this run could tell if it is still there."""
        if key.check == UNREACHABLE:
            return (key.node, "") in self.present
        return key.where in self.listed

    def holds(self, key: Key) -> bool:
        """Given a problem's key, return whether its node and item are still watched."""
        return key.where in self.present


def observe(hub: HubVerdict, now: float) -> Observed:
    """Given a hub's verdict and `now`, return what notify observes of it."""
    problems: dict[Key, Observation] = {}
    listed: set[tuple[str, str]] = set()
    present: set[tuple[str, str]] = set()
    for node in hub.nodes:
        places = [(node.node, ""), *((node.node, i.item) for i in node.items)]
        present.update(places)
        if node.reachable is True:
            listed.update(places)
        for f in node.findings:
            if f.check == UNREACHABLE and node.reason:
                f = Finding(f.check, f.status, node.reason)  # without "last listed … ago", which moves
            _add(problems, Key(hub.hub, node.node, "", f.check), f, _short(node.node, "", f, None, now))
        for item in node.items:
            for f in item.findings:
                if f.check == UNREACHABLE:
                    # never listed, or not this time: one problem, the node's
                    key = Key(hub.hub, node.node, "", UNREACHABLE)
                    if key not in problems:
                        reason = Finding(f.check, f.status, node.reason or f.message)
                        _add(problems, key, reason, _short(node.node, "", f, None, now))
                    continue
                key = Key(hub.hub, node.node, item.item, f.check)
                _add(problems, key, f, _short(node.node, item.item, f, item, now))
    return Observed(problems, frozenset(listed), frozenset(present))


def _add(problems: dict[Key, Observation], key: Key, f: Finding, short: str) -> None:
    if f.status is Status.OK:
        return
    old = problems.get(key)
    if old is None or f.status.rank > old.status.rank:
        problems[key] = Observation(key, f.status, f.message, short)


def _short(node: str, item: str, f: Finding, verdict: ItemVerdict | None, now: float) -> str:
    """Given a problem, return a few words for a subject: "SDU repos/env stale 3.2d"."""
    words = [node, item, f.check] if item else [node, f.check]
    if f.check == "stale" and verdict is not None and verdict.latest is not None:
        words.append(age(now - verdict.latest))
    return " ".join(words)

"""What changed since the last publish: a fingerprint of each (hub, node)'s data, read from the
store, compared with the ones recorded in the site's state file (`data/.published.json`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, or_, select

from tarwatch.atomic import write_text
from tarwatch.store.tables import items, polls

STATE = Path("data") / ".published.json"


@dataclass(frozen=True)
class Fingerprint:
    """What a (hub, node)'s data was made from: the last poll that added, changed or removed a
    tarball (its id: every poll has a new one, even at the same --now; and its time), and when
    and how its item summaries were last rewritten."""

    poll_id: int | None = None
    changed_at: float | None = None
    summaries: str = ""

    @property
    def key(self) -> str:
        """A string that changes whenever the node's tarballs do."""
        return f"{self.poll_id}:{self.summaries}"


def fingerprints(engine: Engine, hubs: Sequence[str]) -> dict[tuple[str, str], Fingerprint]:
    """Given a store's engine and hub tags, return the fingerprint of every (hub, node) with data."""
    p, i = polls.c, items.c
    changed = (
        select(p.hub, p.node, func.max(p.id), func.max(p.at))
        .where(p.hub.in_(list(hubs)), or_(p.added > 0, p.changed > 0, p.removed > 0))
        .group_by(p.hub, p.node)
    )
    summaries = (
        select(i.hub, i.node, func.max(i.updated), func.count())
        .where(i.hub.in_(list(hubs)))
        .group_by(i.hub, i.node)
    )
    with engine.connect() as conn:
        last = {(hub, node): (pid, at) for hub, node, pid, at in conn.execute(changed)}
        summed = {(hub, node): f"{up:.3f}/{n}" for hub, node, up, n in conn.execute(summaries)}
    return {
        k: Fingerprint(*last.get(k, (None, None)), summaries=summed.get(k, ""))
        for k in last.keys() | summed.keys()
    }


def digest(value: Any) -> str:
    """Given JSON-able data, return a short stable digest of it."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


@dataclass
class State:
    """What the last publish wrote: the digest of the pages' inputs, and per "hub/node" the
    digest of what its data files were made from."""

    pages: str = ""
    nodes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, site: Path) -> State:
        """Given a site folder, return its state (empty when there is none or it is unreadable)."""
        try:
            raw = json.loads((site / STATE).read_text(encoding="utf-8"))
            return cls(str(raw.get("pages", "")), {str(k): str(v) for k, v in raw.get("nodes", {}).items()})
        except (OSError, ValueError, AttributeError):
            return cls()

    def write(self, site: Path) -> None:
        """Given a site folder, record this state there atomically."""
        write_text(
            site / STATE, json.dumps({"pages": self.pages, "nodes": self.nodes}, indent=0, sort_keys=True)
        )

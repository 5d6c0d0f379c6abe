"""What changed since the last publish: a fingerprint of each (hub, node)'s data (read by
`Store.fingerprints`), compared with the ones recorded in the site's state file
(`data/.published.json`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tarwatch.atomic import write_text

STATE = Path("data") / ".published.json"


def digest(value: Any) -> str:
    """Given JSON-able data, return a short stable digest of it."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


@dataclass
class State:
    """What the last publish wrote: the digest of the pages' inputs, and per "hub/node" the
    digest of what its data files were made from and that of its disk image's inputs."""

    pages: str = ""
    nodes: dict[str, str] = field(default_factory=dict)
    disks: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, site: Path) -> State:
        """Given a site folder, return its state (empty when there is none or it is unreadable)."""
        try:
            raw = json.loads((site / STATE).read_text(encoding="utf-8"))
            return cls(
                str(raw.get("pages", "")),
                {str(k): str(v) for k, v in raw.get("nodes", {}).items()},
                {str(k): str(v) for k, v in raw.get("disks", {}).items()},
            )
        except (OSError, ValueError, AttributeError):
            return cls()

    def write(self, site: Path) -> None:
        """Given a site folder, record this state there atomically."""
        write_text(
            site / STATE,
            json.dumps(
                {"pages": self.pages, "nodes": self.nodes, "disks": self.disks}, indent=0, sort_keys=True
            ),
        )

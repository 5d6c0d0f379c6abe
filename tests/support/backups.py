"""A small world of nightly backups for notify's tests: a hub's own copy ("hub") and backup
nodes as local folders, each night's tarballs written on the hub and copied to the nodes,
and the ways it goes wrong: a node goes away (its root vanishes), a transfer stalls."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from support.tree import tarball
from tarwatch.config.toml import to_toml

SRVNODE = "dayabay"
ITEMS = ("repos/env", "tracs/env")


@dataclass
class Backups:
    """The world under `base`: `night()` makes a backup and copies it wherever it can go."""

    base: Path
    nodes: tuple[str, ...] = ("SDU", "NTU")
    made: list[tuple[str, str, int]] = field(default_factory=list)  # (item, path under the root, size)
    stalled: set[tuple[str, str]] = field(default_factory=set)

    def root(self, node: str) -> Path:
        return self.base / "nodes" / node / SRVNODE

    def night(self, stamp: datetime) -> None:
        """Make each item's tarball of the night `stamp` (UTC) on the hub, then copy."""
        for n, item in enumerate(ITEMS):
            name = item.split("/")[1]
            rel = f"{item}/{stamp:%Y/%m/%d/%H%M%S}/{name}.tar.gz"
            size = 1_000_000 * (n + 1) + 1000 * len(self.made)
            tarball(self.root("hub"), rel, size)
            self.made.append((item, rel, size))
        self.copy()

    def copy(self) -> None:
        """Copy every tarball a node lacks to it, unless it is away or the item's transfer stalls."""
        for node in self.nodes:
            if not self.root(node).parent.is_dir():
                continue
            for item, rel, size in self.made:
                if (node, item) not in self.stalled and not (self.root(node) / rel).exists():
                    tarball(self.root(node), rel, size)

    def go_away(self, node: str) -> None:
        """The node's folder vanishes: it cannot be listed."""
        folder = self.root(node).parent
        os.rename(folder, folder.with_name(f"{node}.away"))

    def come_back(self, node: str) -> None:
        folder = self.root(node).parent
        os.rename(folder.with_name(f"{node}.away"), folder)
        self.copy()

    def stall(self, node: str, item: str) -> None:
        self.stalled.add((node, item))

    def resume(self, node: str, item: str) -> None:
        self.stalled.discard((node, item))
        self.copy()

    def write_config(self, hub: dict, **sections: dict) -> Path:
        """Write tarwatch.toml: hub ZZ with `hub`'s keys (notify, email, …), the nodes, and
        more top-level tables (defaults, notify, publish); return its path."""
        for node in ("hub", *self.nodes):
            self.root(node).mkdir(parents=True, exist_ok=True)
        config = {
            "store": {"url": f"sqlite:///{self.base / 'tarwatch.db'}"},
            **sections,
            "hubs": {
                "ZZ": {
                    "srvnode": SRVNODE,
                    "source": "hub",
                    "nodes": list(self.nodes),
                    "select": list(ITEMS),
                    **hub,
                }
            },
            "nodes": {
                n: {"transport": "local", "root": f"{self.root(n).parent}/{{srvnode}}"}
                for n in ("hub", *self.nodes)
            },
        }
        path = self.base / "tarwatch.toml"
        path.write_text(to_toml(config, ["notify's test world"]))
        return path

"""The demo world (tarwatch.demo), collected into its store, for publish tests; optionally with
a hostile item whose name is HTML and quotes, on the hub's copy and on SDU."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from support.tree import tarball
from tarwatch.app.progress import Quiet
from tarwatch.app.report import build_report
from tarwatch.checks import Report
from tarwatch.collect.run import run_collect
from tarwatch.config import Config, load_toml
from tarwatch.config.toml import to_toml
from tarwatch.demo import HUB, SOURCE, SRVNODE, TZ, make_world
from tarwatch.store import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# Folder names may hold anything but "/": this one is HTML, an ampersand and both quotes.
HOSTILE = "<img src=x onerror=alert(1)> & \"dq\" 'sq'"
HOSTILE_ITEM = f"repos/{HOSTILE}"


@dataclass
class Collected:
    base: Path
    config_path: Path
    config: Config
    store: Store
    now: float

    def collect(self) -> None:
        """List every node again and store what they hold."""
        run_collect(self.config, [HUB], self.store, self.now, Quiet())

    def report(self, now: float | None = None) -> Report:
        """Return the report of every hub at `now` (default: the world's), as publish takes it."""
        return build_report(self.config, list(self.config.hubs), self.store, self.now if now is None else now)

    def node_root(self, node: str) -> Path:
        return self.base / "nodes" / node / "backup" / SRVNODE


def collected_world(
    base: Path, days: int = 12, hostile: bool = False, jspath: str | None = None
) -> Collected:
    """Given an empty folder, make the demo world there (with the hostile item when asked, and
    the legacy `jspath` when given), collect it and return it."""
    path = make_test_world(base, days, hostile, jspath)
    config = load_toml(path)
    c = Collected(base, path, config, Store.open(config.store.url), NOW.timestamp())
    c.collect()
    return c


def make_test_world(base: Path, days: int = 12, hostile: bool = False, jspath: str | None = None) -> Path:
    """Given an empty folder, make the demo world there for NOW (with the hostile item when
    asked, and the legacy `jspath` when given); return its configuration file."""
    world = make_world(base, NOW, days=days)
    raw = tomllib.loads(world.config.read_text())
    if hostile:
        raw["hubs"][HUB]["select"] = []  # every item, the hostile one too
        last = NOW.astimezone(ZoneInfo(TZ)).replace(hour=11, minute=30, second=10) - timedelta(days=1)
        for node in (SOURCE, "SDU"):
            for d in range(3):
                folder = (last - timedelta(days=d)).strftime("%Y/%m/%d/%H%M%S")
                root = base / "nodes" / node / "backup" / SRVNODE
                tarball(root, f"{HOSTILE_ITEM}/{folder}/{HOSTILE}.tar.gz", 1000 + d)
    if jspath:
        raw["hubs"][HUB]["jspath"] = jspath
    world.config.write_text(to_toml(raw, ["a test world"]))
    return world.config

"""A sample world for `tarwatch demo` and for tests: a hub's own copy and backup nodes as
folders, months of nightly tarballs (sparse files: sizes are real, disk use is not), and the
problems tarwatch is there to catch: a stale item, a transfer that never arrived, a shrunken
tarball, a .dna sidecar that lies, a LOCKED folder left behind and a node that never answers."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HUB, SRVNODE, TZ = "ZZ", "dayabay", "Asia/Shanghai"
BACKUP_AGO = timedelta(hours=8)
# The file that marks a folder as a demo world: `tarwatch demo` may remove and remake it.
MARKER = ".tarwatch-demo"
SOURCE = "hub"
NODES = ("SDU", "IHEP", "NTU")
UNREACHABLE = "KEK"
# item → (size of the first tarball in bytes, growth per night, has a revision)
ITEMS = {
    "svn/dybsvn": (4_100 * 2**20, 3 * 2**20, True),
    "tracs/dybsvn": (1_450 * 2**20, 2**20, False),
    "svn/dybaux": (2_300 * 2**20, 2**20, True),
    "tracs/dybaux": (95 * 2**20, 2**18, False),
    "folders/svnsetup": (2**20, 0, False),
}
STALE_ITEM = "tracs/dybaux"  # its backups stopped five days ago, everywhere
STALLED = ("NTU", "svn/dybsvn")  # the newest tarball never reached NTU
SHRUNK = "svn/dybaux"  # the newest tarball is 60% smaller than the one before
LYING_DNA = ("SDU", "svn/dybaux")  # the .dna of a tarball from a week ago claims another size
LEFT_LOCKED = "IHEP"  # a LOCKED folder left behind three days ago by a transfer that died
LYING_DNA_AGE = 7  # nights before the newest: the tarball whose .dna lies
MIN_DAYS = LYING_DNA_AGE + 1  # fewer nights cannot hold the problems planted
MAX_DAYS = 3660  # ten years of nights


@dataclass(frozen=True)
class World:
    """Where the world was made, its configuration file and the time it was made for."""

    base: Path
    config: Path
    now: datetime


def make_world(base: Path, now: datetime | None = None, days: int = 120) -> World:
    """Given an empty folder, the time the world is for and the nights of backups to make
    (MIN_DAYS to MAX_DAYS), write the nodes' folders and a tarwatch.toml reading them; return
    the World. Raise ValueError for a number of nights outside that range."""
    from tarwatch.config.toml import to_toml  # pydantic: not for `tarwatch demo --help`

    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValueError(f"a demo world needs {MIN_DAYS} to {MAX_DAYS} nights of backups, not {days}")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    tz = ZoneInfo(TZ)
    base.mkdir(parents=True, exist_ok=True)
    (base / MARKER).write_text("made by `tarwatch demo`; it removes and remakes this folder\n")
    roots = {n: base / "nodes" / n / "backup" / SRVNODE for n in (SOURCE, *NODES)}
    # The newest "nightly" backup is planted BACKUP_AGO before now, whatever the time of day:
    # the transfer that never arrived is an alarm only more than 6 hours after it.
    last_night = (now - BACKUP_AGO).astimezone(tz).replace(second=10, microsecond=0)
    for day in range(days):
        stamp = last_night - timedelta(days=days - 1 - day)
        newest = day == days - 1
        for item, (size0, growth, has_rev) in ITEMS.items():
            if item == STALE_ITEM and day > days - 6:
                continue
            size = size0 + growth * day
            if item == SHRUNK and newest:
                size = int(size * 0.4)
            name = item.split("/")[1]
            fname = f"{name}-{1000 + 3 * day}.tar.gz" if has_rev else f"{name}.tar.gz"
            rel = Path(item) / stamp.strftime("%Y/%m/%d/%H%M%S") / fname
            for node, root in roots.items():
                if (node, item) == STALLED and newest:
                    continue
                _tarball(root / rel, size, digest_seed=f"{item}{day}" if has_rev else None)
    for root in roots.values():
        for item in ITEMS:
            _last_link(root / item)
    node, item = LYING_DNA
    week_ago = sorted((roots[node] / item).glob("*/*/*/*/*.tar.gz"))[-1 - LYING_DNA_AGE]
    dna = Path(f"{week_ago}.dna")
    claim = week_ago.stat().st_size + 7 * 2**20  # the hub's tarball was bigger than what arrived
    dna.write_text(re.sub(r"'size': \d+", f"'size': {claim}", dna.read_text()))
    locked = roots[LEFT_LOCKED] / "LOCKED"
    locked.mkdir()
    three_days_ago = (now - timedelta(days=3)).timestamp()
    os.utime(locked, (three_days_ago, three_days_ago))
    config = base / "tarwatch.toml"
    config.write_text(to_toml(_config(base, roots), ["the tarwatch demo world, made by `tarwatch demo`"]))
    return World(base, config, now)


def is_world(base: Path) -> bool:
    """Given a folder, return whether `tarwatch demo` made it (so it may be removed)."""
    return (base / MARKER).is_file()


def _config(base: Path, roots: dict[str, Path]) -> dict[str, Any]:
    nodes: dict[str, dict[str, Any]] = {
        n: {"transport": "local", "root": f"{root.parent}/{{srvnode}}"} for n, root in roots.items()
    }
    # A node nobody answers for: a port on this machine where nothing listens.
    nodes[UNREACHABLE] = {"host": "127.0.0.1", "port": 9, "timeout": "5s"}
    return {
        "store": {"url": f"sqlite:///{base / 'tarwatch.db'}"},
        "publish": {"out": str(base / "site")},
        "defaults": {"timezone": TZ, "keep_max": 400},
        "hubs": {
            HUB: {
                "srvnode": SRVNODE,
                "source": SOURCE,
                "nodes": [*NODES, UNREACHABLE],
                "select": list(ITEMS),
                "description": "the tarwatch demo: a hub, its own copy and four backup nodes",
                "items": {"folders/svnsetup": {"stale_alarm": "8d", "stale_warn": "3d"}},
            }
        },
        "nodes": nodes,
    }


def _tarball(path: Path, size: int, digest_seed: str | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)
    if digest_seed is not None:
        import hashlib

        dig = hashlib.md5(digest_seed.encode()).hexdigest()
        Path(f"{path}.dna").write_text(f"{{'dig': '{dig}', 'size': {size}L}}\n")


def _last_link(item_dir: Path) -> None:
    if not item_dir.is_dir():
        return
    newest = max(p for p in item_dir.glob("*/*/*/*") if p.is_dir())
    link = item_dir / "last"
    if link.is_symlink():
        link.unlink()
    os.symlink(newest.relative_to(item_dir), link)

"""A synthetic world for benchmarks: N nodes × M items × D nightly tarballs, with realistic sizes
(growing, with noise), gaps (a missed night now and then) and revisions. Pure data: snapshots
as a listing would give them, or folders on disk (sparse files) for listing benchmarks."""

from __future__ import annotations

import hashlib
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tarwatch.config.models import Config
from tarwatch.config.validate import validate
from tarwatch.records import Snapshot, Tarball
from tarwatch.store.store import Store

DAY = 86400
T0 = 1_700_000_000  # 2023-11-14, a night at 22:13 UTC


@dataclass(frozen=True)
class Shape:
    nodes: int
    items: int
    days: int
    seed: int = 1

    def item_names(self) -> list[str]:
        cats = ("svn", "tracs", "repos", "folders")
        return [f"{cats[i % 4]}/proj{i:03d}" for i in range(self.items)]


def tarball_rels(shape: Shape, node: int) -> Iterator[tuple[str, str, int, int, int | None]]:
    """Yield (rel path, item, stamp, size, revision) of one node's tarballs."""
    rng = random.Random(shape.seed * 1_000_003 + node)
    for i, item in enumerate(shape.item_names()):
        cat, name = item.split("/")
        base = rng.randint(1 << 20, 4 << 30)
        growth = rng.randint(0, 1 << 22)
        rev = rng.randint(100, 20000) if cat in ("svn", "repos") else None
        for d in range(shape.days):
            if rng.random() < 0.01:
                continue  # a missed night
            stamp = T0 + d * DAY + i
            size = base + growth * d + rng.randint(0, 1 << 16)
            r = None if rev is None else rev + 3 * d
            when = _folders(stamp)
            fname = f"{name}-{r}.tar.gz" if r is not None else f"{name}.tar.gz"
            yield f"{item}/{when}/{fname}", item, stamp, size, r


def snapshot_for(shape: Shape, node: int, root: str = "/backup/hub") -> Snapshot:
    """Return the snapshot a complete listing of node `node` gives."""
    snap = Snapshot(root=root, complete=True)
    snap.tarballs = [
        Tarball(f"{root}/{rel}", item, stamp, size, float(stamp + 600), rev)
        for rel, item, stamp, size, rev in tarball_rels(shape, node)
    ]
    # The collector digests the raw stream as it reads it; here, the same facts.
    h = hashlib.blake2b(digest_size=16)
    for t in snap.tarballs:
        h.update(f"{t.path}\0{t.size}\0{t.mtime}\0".encode())
    snap.digest = f"{h.hexdigest()}:UTC:bench"
    return snap


def write_tree(shape: Shape, node: int, root: Path) -> int:
    """Write node `node`'s tarballs under root as sparse files; return how many."""
    n = 0
    for rel, _item, _stamp, size, _rev in tarball_rels(shape, node):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "wb") as f:
            f.truncate(size)
        n += 1
    return n


def _folders(stamp: int) -> str:
    return time.strftime("%Y/%m/%d/%H%M%S", time.gmtime(stamp))


# -- a stored world: hub H, source N0000, every node a copy of the source -------------------

RESULTS = Path(__file__).parent / "results"
SCHEMA = "0001d"  # bump when the store's tables change, so that a cached store is rebuilt


def copies_listing(shape: Shape, node: int) -> list[Tarball]:
    """Return what node `node` holds: a copy of the source's tarballs (node 0's); one node in
    fifty misses the newest night (a transfer that never arrived)."""
    tarballs = snapshot_for(shape, 0).tarballs
    if node % 50 == 49:
        newest = max(t.stamp for t in tarballs)
        tarballs = [t for t in tarballs if t.stamp < newest - DAY]
    return tarballs


def stored_config(shape: Shape, db: Path) -> Config:
    """Return the configuration of the stored world in `db`."""
    nodes = {f"N{n:04d}": {} for n in range(shape.nodes)}
    return validate(
        {
            "store": {"url": f"sqlite:///{db}"},
            "defaults": {"keep_max": shape.days + 10},
            "hubs": {"H": {"srvnode": "h", "source": "N0000", "nodes": list(nodes)[1:]}},
            "nodes": nodes,
        },
        "bench",
    )


def stored_world(shape: Shape, kind: str) -> tuple[Path, float]:
    """Return the store file of `shape` for benchmark `kind`, building it once (cached in
    bench/results/ by shape and schema), and the seconds building took (0 when cached)."""
    db = RESULTS / f"{kind}-{shape.nodes}x{shape.items}x{shape.days}-{SCHEMA}.db"
    if db.exists():
        return db, 0.0
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_suffix(".building")
    for p in tmp.parent.glob(tmp.name + "*"):
        p.unlink()
    store = Store.open(f"sqlite:///{tmp}")
    run = store.begin_run(T0, "bench", ["H"])
    t0 = time.perf_counter()
    at = T0 + shape.days * DAY
    for n in range(shape.nodes):
        snap = Snapshot(root="/backup/hub", complete=True, tarballs=copies_listing(shape, n))
        store.record_poll(run, "H", f"N{n:04d}", at, ok=True, reason=None, duration=0.1, snap=snap)
        if n % 100 == 99:
            print(f"  stored {n + 1}/{shape.nodes} nodes", file=sys.stderr)
    store.close()
    tmp.rename(db)
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    return db, time.perf_counter() - t0

"""Writing one node's files: its series read from the store, its data (.json and .js), the
legacy Highstock JSON when its hub has a `jspath`, and its chart images. Many changed nodes are
written by worker processes, each reading the store through its own connection: reading,
encoding and rendering a node are all CPU work, and a full publish of hundreds of nodes would
otherwise use one core. The workers die with the publish (tarwatch.publish.workers) and close
their connection once a node's series is read, before rendering it.

A node whose files cannot be written is that node's failure (a NodeFailure naming it), never
the others': every other node is still written."""

from __future__ import annotations

import functools
import os
from collections.abc import Generator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tarwatch import __version__
from tarwatch.atomic import write_bytes, write_text
from tarwatch.config import Config
from tarwatch.errors import TarwatchError
from tarwatch.publish import chart, diskimage, jsdata, legacy, paths, workers
from tarwatch.publish.changes import digest
from tarwatch.publish.series import NodeFacts, item_series, node_document
from tarwatch.store import Store
from tarwatch.store.site import Fingerprint

PARALLEL_FROM = 4  # use worker processes from this many changed nodes on


@dataclass(frozen=True)
class NodeJob:
    """Everything needed to write one (hub, node)'s files, picklable for a worker process."""

    store_url: str
    out: Path
    hub: str
    node: str
    select: tuple[str, ...]
    jspath: str | None
    colors: dict[str, str]
    changed_at: float | None
    facts: NodeFacts = field(default_factory=NodeFacts)
    disk_drawn: str = ""  # disk_key() of the disk image the site holds ("": none known)


def node_facts(
    config: Config,
    hub: str,
    items: Sequence[str],
    print_: Fingerprint,
    disk: tuple[str, int | None, int | None] | None = None,
) -> NodeFacts:
    """Given the configuration, a hub, its items, a node's fingerprint and its disk image's
    facts (diskimage.facts_of), return the node's facts: the hub's time zone and stale
    thresholds (as the checks take them), those of the items that set their own, when the node
    is down, since when, and the disk's."""

    def pair(item: str | None) -> tuple[int, int]:
        t = config.thresholds(hub, item)
        return int(t.stale_warn.total_seconds()), int(t.stale_alarm.total_seconds())

    own = pair(None)
    overridden = [i for i in items if i in config.hubs[hub].items]
    return NodeFacts(
        tz=config.thresholds(hub).timezone,
        stale=own,
        item_stale={i: pair(i) for i in overridden if pair(i) != own},
        down_since=print_.down_since,
        last_listed=print_.last_listed,
        disk=disk,
    )


@dataclass(frozen=True)
class NodeFailure:
    """Why one (hub, node)'s files could not be written: a line for people, and for an OSError
    its errno and file (a full disk is the site's failure, not the node's)."""

    hub: str
    node: str
    problem: str
    errno: int | None = None
    filename: str | None = None

    @classmethod
    def of(cls, job: NodeJob, e: Exception) -> NodeFailure:
        """Given a job and the exception its writing raised, return the failure."""
        if isinstance(e, OSError):
            where = f"{e.filename}: " if e.filename else ""
            return cls(job.hub, job.node, f"{where}{e.strerror or e}", e.errno, e.filename)
        if isinstance(e, TarwatchError):
            return cls(job.hub, job.node, str(e))
        return cls(job.hub, job.node, f"{type(e).__name__}: {e}")


def write_data(out: Path, json_path: str, js_path: str, key: str, data: Any) -> None:
    """Given the site folder, the paths of the .json and .js files, the registration key and the
    data, write both files atomically."""
    text = jsdata.to_json(data)
    write_text(paths.within(out, json_path), text)
    write_text(paths.within(out, js_path), jsdata.registering(key, text))


@dataclass(frozen=True)
class Written:
    """What came of one node's job: why its files could not be written (None: they were) and
    the disk_key() of the disk image the site now holds."""

    job: NodeJob
    failure: NodeFailure | None = None
    disk: str = ""


def disk_key(doc: dict[str, Any], facts: NodeFacts) -> str:
    """Given a node's series document and facts, return the digest of what its disk image is
    drawn from (and of tarwatch's version and the layout's revision, which draw it)."""
    key = [__version__, diskimage.LOOK, doc["hub"], doc["node"], doc.get("tz"), doc.get("disk"), facts.disk]
    return digest(key)


def write_node(job: NodeJob, store: Store | None = None) -> str:
    """Given a job (and the store, else one of this process's own), write the node's data,
    legacy JSON and images (its disk image only when what it is drawn from changed since
    job.disk_drawn, or the file is missing); return the disk image's disk_key()."""
    own = store is None
    store = store or _store(job.store_url)
    hub, node, out = job.hub, job.node, job.out
    series = item_series(store.series_rows(hub, node), job.select)
    disk = store.disk_days(hub, node)
    if own:
        store.close()  # the store is not held open while the node is rendered
    doc = node_document(hub, node, series, job.changed_at, job.colors, job.facts, disk)
    json_path, js_path = paths.node_data(hub, node, "json"), paths.node_data(hub, node, "js")
    write_data(out, json_path, js_path, f"{hub}/{node}", doc)
    if job.jspath:
        write_text(legacy.jspath_for(job.jspath, node), jsdata.to_json(legacy.highstock(doc)))
    svg, png = chart.render(doc)
    write_bytes(paths.within(out, paths.node_image(hub, node, "svg")), svg)
    write_bytes(paths.within(out, paths.node_image(hub, node, "png")), png)
    drawn = disk_key(doc, job.facts)
    if drawn != job.disk_drawn or not paths.within(out, diskimage.image_path(hub, node)).is_file():
        diskimage.write(out, hub, node, doc, job.facts.disk)
    return drawn


def try_write_node(job: NodeJob, store: Store | None = None) -> Written:
    """Given a job (and the store, else one of this process's own), write the node's files;
    return what came of it."""
    try:
        return Written(job, None, write_node(job, store))
    except Exception as e:  # any failure of one node is that node's, reported by name
        return Written(job, NodeFailure.of(job, e))


def write_nodes(jobs: Sequence[NodeJob], store: Store, jobs_at_once: int | None = None) -> Generator[Written]:
    """Given jobs, the store and the number of worker processes (default: the CPUs),
    write every node, yielding what came of each in the jobs' order: in this process when
    there are few. Stopping the iteration cancels the jobs not yet begun."""
    n = min(jobs_at_once or os.cpu_count() or 1, len(jobs))
    if len(jobs) < PARALLEL_FROM or n < 2 or store.in_memory:
        for job in jobs:
            yield try_write_node(job, store)
        return
    # No connection of this process is passed on to the workers (they would hold the store open
    # for as long as they live; a shared PostgreSQL socket would be spoiled): this process's are
    # closed (it opens new ones when it needs them), the workers' cached stores cleared.
    store.close()
    with workers.pool(n, initializer=_store.cache_clear) as pool:
        futures = [pool.submit(try_write_node, job) for job in jobs]
        try:
            for future in futures:
                yield future.result()
        except BrokenProcessPool as e:
            raise TarwatchError("a process writing the nodes' files died (killed, or out of memory?)") from e
        finally:
            for future in futures:
                future.cancel()


@functools.cache
def _store(url: str) -> Store:
    return Store.open(url)

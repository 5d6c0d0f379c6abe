"""Writing one node's files: its series read from the store, its data (.json and .js), the
legacy Highstock JSON when its hub has a `jspath`, and its chart images. Many changed nodes are
written by worker processes, each reading the store through its own connection: reading,
encoding and rendering a node are all CPU work, and a full publish of hundreds of nodes would
otherwise use one core."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tarwatch.atomic import write_bytes, write_text
from tarwatch.publish import images, jsdata, legacy, paths
from tarwatch.publish.series import node_document, read_series

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


def write_data(out: Path, json_path: str, js_path: str, key: str, data: Any) -> None:
    """Given the site folder, the paths of the .json and .js files, the registration key and the
    data, write both files atomically."""
    write_text(out / json_path, jsdata.to_json(data))
    write_text(out / js_path, jsdata.to_js(key, data))


def write_node(job: NodeJob, engine: Engine | None = None) -> NodeJob:
    """Given a job (and the store's engine, else one of this process's own), write the node's
    data, legacy JSON and images; return the job."""
    engine = engine or _engine(job.store_url)
    hub, node, out = job.hub, job.node, job.out
    doc = node_document(hub, node, read_series(engine, hub, node, job.select), job.changed_at, job.colors)
    json_path, js_path = paths.node_data(hub, node, "json"), paths.node_data(hub, node, "js")
    write_data(out, json_path, js_path, f"{hub}/{node}", doc)
    if job.jspath:
        target = Path(legacy.jspath_for(job.jspath, node)).expanduser()
        write_text(target, jsdata.to_json(legacy.highstock(doc)))
    svg, png = images.render(doc)
    write_bytes(out / paths.node_image(hub, node, "svg"), svg)
    write_bytes(out / paths.node_image(hub, node, "png"), png)
    return job


def write_nodes(jobs: Sequence[NodeJob], engine: Engine, workers: int | None = None) -> Iterator[NodeJob]:
    """Given jobs, the store's engine and the number of worker processes (default: the CPUs),
    write every node, yielding each job as it is done: in this process when there are few."""
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    if len(jobs) < PARALLEL_FROM or workers < 2:
        for job in jobs:
            yield write_node(job, engine)
        return
    # Workers start without the parent's cached engines: a forked connection must not be shared.
    with ProcessPoolExecutor(max_workers=workers, initializer=_engine.cache_clear) as pool:
        yield from pool.map(write_node, jobs, chunksize=1)


@functools.cache
def _engine(url: str) -> Engine:
    from tarwatch.store import Store

    return Store.open(url).engine

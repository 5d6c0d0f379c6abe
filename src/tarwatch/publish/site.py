"""Publish the site: gather everything (the check report, what changed, the series of changed
nodes), then write it, every file atomically.

    index.html, hub/<hub>.html     written when the hubs, their nodes or tarwatch's version change
    static/…                       likewise (the package's own JS and CSS, uPlot and its licence)
    data/status.json|js            every run: the `check --format json` document
    data/<hub>/<node>.json|js      when the node's data changed (or its files are missing)
    img/<hub>/<node>.svg|png       likewise, rendered with matplotlib
    <jspath with {node}>           likewise, the seed's Highstock JSON, for hubs with `jspath`
    data/.published.json           what was written, to know what changed next time
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tarwatch import __version__
from tarwatch.atomic import write_bytes, write_text
from tarwatch.config import Config
from tarwatch.publish import images, jsdata, legacy, paths
from tarwatch.publish.changes import Fingerprint, State, digest, fingerprints
from tarwatch.publish.context import HubShape, page_context, shapes
from tarwatch.publish.palette import item_colors
from tarwatch.publish.series import hub_items, node_document, read_series
from tarwatch.store import Store

NONE = Fingerprint()  # a node without data
PARALLEL_FROM = 4  # render images in worker processes from this many changed nodes on


@dataclass
class Summary:
    """What a publish wrote."""

    out: str
    pages: int = 0
    static: int = 0
    data: int = 0
    images: int = 0
    legacy: int = 0
    nodes_changed: list[str] = field(default_factory=list)
    nodes_unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-able data."""
        return asdict(self)


def publish(
    config: Config,
    store: Store,
    out: Path,
    now: float,
    hubs: Iterable[str] | None = None,
    jobs: int | None = None,
) -> Summary:
    """Given the configuration, store, site folder, the run's time and optionally the hubs whose
    node data to refresh (default all; pages and status.json always cover every hub), write the
    site and return what was written. `jobs` caps the processes rendering images."""
    from tarwatch.checks import to_json
    from tarwatch.cli.check import build_report

    out = Path(out)
    all_hubs = list(config.hubs)
    chosen = list(hubs) if hubs else all_hubs
    # -- gather ------------------------------------------------------------------------------
    status = to_json(build_report(config, all_hubs, store, now))
    hub_shapes = shapes(config)
    stale_hours = config.defaults.stale_warn.total_seconds() / 3600
    state = State.read(out)
    pages_key = digest([__version__, [asdict(s) for s in hub_shapes], stale_hours])
    prints = fingerprints(store.engine, chosen)
    wanted: dict[str, str] = {}
    todo: list[tuple[str, str]] = []
    colors: dict[str, dict[str, str]] = {}
    for shape in hub_shapes:
        if shape.tag not in chosen:
            continue
        hub = config.hubs[shape.tag]
        colors[shape.tag] = item_colors(hub_items(store.engine, shape.tag, hub.select))
        for node in shape.nodes:
            key = f"{shape.tag}/{node}"
            made_of = [prints.get((shape.tag, node), NONE).key, colors[shape.tag], hub.jspath]
            wanted[key] = digest(made_of)
            if state.nodes.get(key) != wanted[key] or not _node_files_exist(out, shape.tag, node):
                todo.append((shape.tag, node))
    summary = Summary(str(out))
    summary.nodes_unchanged = len(wanted) - len(todo)
    # -- write -------------------------------------------------------------------------------
    if state.pages != pages_key or not (out / "index.html").exists():
        summary.static = _write_static(out)
        summary.pages = _write_pages(out, hub_shapes, stale_hours)
        state.pages = pages_key
    _write_data(out, paths.STATUS_JSON, paths.STATUS_JS, "status", status)
    summary.data += 1
    with _pool(len(todo), jobs) as pool:
        rendering: list[tuple[str, str, Future[tuple[bytes, bytes]] | tuple[bytes, bytes]]] = []
        for hub, node in todo:
            doc = _write_node_data(
                config, store, out, (hub, node), prints.get((hub, node), NONE), colors[hub]
            )
            summary.data += 1
            summary.legacy += 1 if config.hubs[hub].jspath else 0
            rendering.append((hub, node, pool.submit(images.render, doc) if pool else images.render(doc)))
        for hub, node, result in rendering:
            svg, png = result.result() if isinstance(result, Future) else result
            write_bytes(out / paths.node_image(hub, node, "svg"), svg)
            write_bytes(out / paths.node_image(hub, node, "png"), png)
            summary.images += 2
            state.nodes[f"{hub}/{node}"] = wanted[f"{hub}/{node}"]
            summary.nodes_changed.append(f"{hub}/{node}")
    known = {f"{s.tag}/{n}" for s in hub_shapes for n in s.nodes}
    state.nodes = {k: v for k, v in state.nodes.items() if k in known}
    state.write(out)
    return summary


def _write_node_data(
    config: Config,
    store: Store,
    out: Path,
    where: tuple[str, str],
    fingerprint: Fingerprint,
    colors: dict[str, str],
) -> dict[str, Any]:
    """Read a (hub, node)'s series, write its data files (and the legacy JSON when the hub has
    a `jspath`) and return its series document."""
    hub, node = where
    h = config.hubs[hub]
    series = read_series(store.engine, hub, node, h.select)
    doc = node_document(hub, node, series, fingerprint.changed_at, colors)
    _write_data(
        out, paths.node_data(hub, node, "json"), paths.node_data(hub, node, "js"), f"{hub}/{node}", doc
    )
    if h.jspath:
        write_text(
            Path(legacy.jspath_for(h.jspath, node)).expanduser(), jsdata.to_json(legacy.highstock(doc))
        )
    return doc


def _node_files_exist(out: Path, hub: str, node: str) -> bool:
    return all(
        (out / p).exists()
        for p in (
            paths.node_data(hub, node, "json"),
            paths.node_data(hub, node, "js"),
            paths.node_image(hub, node, "svg"),
            paths.node_image(hub, node, "png"),
        )
    )


def _write_data(out: Path, json_path: str, js_path: str, key: str, data: Any) -> None:
    write_text(out / json_path, jsdata.to_json(data))
    write_text(out / js_path, jsdata.to_js(key, data))


def _write_pages(out: Path, hubs: list[HubShape], stale_hours: float) -> int:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("tarwatch.publish", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    write_text(
        out / "index.html",
        env.get_template("index.html").render(page_context("index.html", hubs, stale_hours)),
    )
    for h in hubs:
        page = paths.hub_page(h.tag)
        write_text(out / page, env.get_template("hub.html").render(page_context(page, hubs, stale_hours, h)))
    return 1 + len(hubs)


def static_files() -> list[tuple[str, bytes]]:
    """Return the site's static files shipped in the package, as (path under static/, bytes)."""
    root = resources.files("tarwatch.publish") / "static"
    out: list[tuple[str, bytes]] = []

    def walk(folder: Any, prefix: str) -> None:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            elif not entry.name.startswith("."):
                out.append((prefix + entry.name, entry.read_bytes()))

    walk(root, "")
    return out


def _write_static(out: Path) -> int:
    files = static_files()
    for rel, data in files:
        write_bytes(out / "static" / rel, data)
    return len(files)


def _pool(changed: int, jobs: int | None) -> AbstractContextManager[Executor | None]:
    """Given how many nodes changed and the job cap, return a context giving a process pool to
    render images in, or None to render them here (few changed nodes: no start-up cost)."""
    workers = min(jobs or os.cpu_count() or 1, changed)
    if changed < PARALLEL_FROM or workers < 2:
        return nullcontext()
    return ProcessPoolExecutor(max_workers=workers)

"""Publish the site: given the check report, gather the rest (what changed, the series of
changed nodes), then write it, every file atomically.

    index.html, hub/<hub>.html     written when the hubs, their nodes or tarwatch's version change
    static/…                       likewise (the package's own JS and CSS, uPlot and its licence)
    data/status.json|js            every run: the `check --format json` document
    data/<hub>/<node>.json|js      when the node's data changed (or its files are missing)
    img/<hub>/<node>.svg|png       likewise, drawn without matplotlib (publish.chart)
    <jspath with {node}>           likewise, the seed's Highstock JSON, for hubs with `jspath`
    img/badge/<hub>[/<node>].svg   when the status it shows changed (tarwatch.publish.badges)
    data/.published.json           what was written, to know what changed next time

A node whose files cannot be written is logged as an error naming its hub and node, and the
others are written all the same (Summary.failed lists it; it is tried again next time). A full
disk or a read-only one is the site's failure: the publish stops with an OSError naming the
file, every file written so far whole and the earlier ones as they were.

A publish killed while writing (SIGKILL) leaves its temporary files (".<name>.pid<pid>.<random>.tmp"
beside the target, never a half target): the next publish removes those whose writer is no
longer running on this machine, and any older than STALE_TEMPORARY seconds (a younger one of a
live process may be another publish's, still writing).

The site is world-readable by design: files are written 0644 and the folders tarwatch creates
0755, whatever the umask (folders that exist are left as they are)."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tarwatch import __version__
from tarwatch.atomic import TEMP_SUFFIX, make_folders, temp_writer, write_bytes, write_text
from tarwatch.checks import Report
from tarwatch.config import Config
from tarwatch.errors import TarwatchError
from tarwatch.formats.document import to_json
from tarwatch.publish import diskimage, paths
from tarwatch.publish.badges import write_badges
from tarwatch.publish.changes import State, digest
from tarwatch.publish.context import HubShape, page_context, shapes
from tarwatch.publish.nodes import NodeFailure, NodeJob, node_facts, write_data, write_nodes
from tarwatch.publish.palette import item_colors
from tarwatch.publish.series import NodeFacts
from tarwatch.store import Store
from tarwatch.store.site import Fingerprint

NONE = Fingerprint()  # a node without data
SITE_WIDE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})  # no other node would do better
log = logging.getLogger("tarwatch")
STALE_TEMPORARY = 600  # seconds: no single file takes a publish this long to write


@dataclass
class Summary:
    """What a publish wrote."""

    out: str
    pages: int = 0
    static: int = 0
    data: int = 0
    images: int = 0
    legacy: int = 0
    badges: int = 0
    nodes_changed: list[str] = field(default_factory=list)
    nodes_unchanged: int = 0
    failed: list[str] = field(default_factory=list)  # "hub/node: problem" of nodes not written

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-able data."""
        return asdict(self)


def publish(
    config: Config,
    report: Report,
    store: Store,
    out: Path,
    hubs: Iterable[str] | None = None,
    jobs: int | None = None,
) -> Summary:
    """Given the configuration, the report of every hub (status.json), the store, the site
    folder and optionally the hubs whose node data to refresh (default all; pages and
    status.json always cover every hub), write the site and return what was written. `jobs`
    caps the processes rendering images."""
    out = site_folder(Path(out))
    sweep_temporaries(out, time.time() - STALE_TEMPORARY)
    chosen = list(hubs) if hubs else list(config.hubs)
    # -- gather ------------------------------------------------------------------------------
    status = to_json(report)
    hub_shapes = shapes(config)
    stale_hours = config.defaults.stale_warn.total_seconds() / 3600
    state = State.read(out)
    pages_key = digest([__version__, [asdict(s) for s in hub_shapes], stale_hours])
    prints = store.fingerprints(chosen)
    present = _files_in(out, [f for hub in chosen for f in paths.node_folders(hub)])
    wanted: dict[str, str] = {}
    todo: list[tuple[str, str]] = []
    colors: dict[str, dict[str, str]] = {}
    facts: dict[tuple[str, str], NodeFacts] = {}
    disks = diskimage.facts_of(report, {t: config.thresholds(t).timezone for t in chosen})
    for shape in hub_shapes:
        if shape.tag not in chosen:
            continue
        hub = config.hubs[shape.tag]
        colors[shape.tag] = item_colors(list(hub.select) or store.hub_items(shape.tag))
        for node in shape.nodes:
            key = f"{shape.tag}/{node}"
            fp = prints.get((shape.tag, node), NONE)
            facts[(shape.tag, node)] = node_facts(
                config, shape.tag, list(colors[shape.tag]), fp, disks.get((shape.tag, node))
            )
            # tarwatch's version too: an upgrade draws every node's images once, as it draws them
            made_of = [__version__, fp.key, colors[shape.tag], hub.jspath, asdict(facts[(shape.tag, node)])]
            wanted[key] = digest(made_of)
            if state.nodes.get(key) != wanted[key] or not _node_files_exist(present, shape.tag, node):
                todo.append((shape.tag, node))
    summary = Summary(str(out))
    summary.nodes_unchanged = len(wanted) - len(todo)
    # -- write -------------------------------------------------------------------------------
    if state.pages != pages_key or not (out / "index.html").exists():
        summary.static = _write_static(out)
        summary.pages = _write_pages(out, hub_shapes, stale_hours)
        state.pages = pages_key
    write_data(out, paths.STATUS_JSON, paths.STATUS_JS, "status", status)
    summary.data += 1
    summary.badges = write_badges(out, report)
    node_jobs = [
        NodeJob(
            config.store.url,
            out,
            hub,
            node,
            tuple(config.hubs[hub].select),
            config.hubs[hub].jspath,
            colors[hub],
            prints.get((hub, node), NONE).changed_at,
            facts[(hub, node)],
            state.disks.get(f"{hub}/{node}", ""),
        )
        for hub, node in todo
    ]
    # closing(): a failure that stops the publish cancels the nodes not yet begun, at once
    with contextlib.closing(write_nodes(node_jobs, store, jobs)) as written:
        for job, failure, disk in ((w.job, w.failure, w.disk) for w in written):
            key = f"{job.hub}/{job.node}"
            if failure is not None:
                _fail(summary, failure)
                state.nodes.pop(key, None)  # written again next time, whatever changes
                state.disks.pop(key, None)
                continue
            state.nodes[key] = wanted[key]
            state.disks[key] = disk
            summary.nodes_changed.append(key)
            summary.data += 1
            summary.images += 2
            summary.legacy += 1 if job.jspath else 0
    known = {f"{s.tag}/{n}" for s in hub_shapes for n in s.nodes}
    state.nodes = {k: v for k, v in state.nodes.items() if k in known}
    state.disks = {k: v for k, v in state.disks.items() if k in known}
    state.write(out)
    return summary


def write_overview(config: Config, report: Report, out: Path) -> Summary:
    """Given the configuration, the report of every hub and the site's folder, write the site
    without any node's data: its pages, static files and status.json (all the overview reads);
    return what was written."""
    out = site_folder(Path(out))
    hub_shapes = shapes(config)
    summary = Summary(str(out))
    summary.static = _write_static(out)
    summary.pages = _write_pages(out, hub_shapes, config.defaults.stale_warn.total_seconds() / 3600)
    write_data(out, paths.STATUS_JSON, paths.STATUS_JS, "status", to_json(report))
    summary.data = 1
    return summary


def site_folder(out: Path) -> Path:
    """Given the site's folder, make sure it is one (creating it, 0755); return it. Raise
    TarwatchError naming it when it is a file or cannot be created."""
    if out.exists() and not out.is_dir():
        raise TarwatchError(f"the site's folder {str(out)!r} is a file, not a folder (publish.out)")
    try:
        make_folders(out)
    except OSError as e:
        raise TarwatchError(f"cannot create the site's folder {str(out)!r}: {e.strerror}") from e
    if not os.access(out, os.W_OK | os.X_OK):
        raise TarwatchError(f"cannot write in the site's folder {str(out)!r}: permission denied")
    return out


def sweep_temporaries(out: Path, before: float) -> int:
    """Given the site's folder and a time, remove the temporary files of atomic writes left
    there by killed publishes: those whose writer is not running any more, and those last
    changed before that time; return how many."""
    removed = 0
    for p in out.rglob(f".*{TEMP_SUFFIX}"):
        pid = temp_writer(p.name)
        if pid is None:
            continue
        try:
            if p.is_file() and (not _running(pid) or p.stat().st_mtime < before):
                p.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    if removed:
        log.info("publish: removed %d temporary files left by an interrupted publish", removed)
    return removed


def _running(pid: int) -> bool:
    """True when a process with that pid runs on this machine (this one included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _fail(summary: Summary, failure: NodeFailure) -> None:
    if failure.errno in SITE_WIDE:
        raise OSError(failure.errno, os.strerror(failure.errno), failure.filename)
    log.error("publish: hub %s, node %s not written: %s", failure.hub, failure.node, failure.problem)
    summary.failed.append(f"{failure.hub}/{failure.node}: {failure.problem}")


def _files_in(out: Path, folders: Iterable[str]) -> set[str]:
    """Given the site's folder and folders in it, return the paths of the files in those
    folders, as paths.node_data and node_image give them: one listing a folder, not a look at
    each file."""
    found: set[str] = set()
    for folder in folders:
        try:
            with os.scandir(out / folder) as entries:
                found.update(f"{folder}/{e.name}" for e in entries if e.is_file())
        except (FileNotFoundError, NotADirectoryError):
            continue
    return found


def _node_files_exist(present: set[str], hub: str, node: str) -> bool:
    return all(
        p in present
        for p in (
            paths.node_data(hub, node, "json"),
            paths.node_data(hub, node, "js"),
            paths.node_image(hub, node, "svg"),
            paths.node_image(hub, node, "png"),
        )
    )


def _write_pages(out: Path, hubs: list[HubShape], stale_hours: float) -> int:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("tarwatch.publish", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    write_text(
        paths.within(out, "index.html"),
        env.get_template("index.html").render(page_context("index.html", hubs, stale_hours)),
    )
    for h in hubs:
        page = paths.hub_page(h.tag)
        html = env.get_template("hub.html").render(page_context(page, hubs, stale_hours, h))
        write_text(paths.within(out, page), html)
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

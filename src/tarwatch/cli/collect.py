"""`tarwatch collect [HUB…]`: list the nodes and store what they hold."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from tarwatch.cli.common import global_options, handle_errors, select_hubs, state
from tarwatch.cli.locking import store_lock, wait_option
from tarwatch.gcpause import collector_paused

if TYPE_CHECKING:
    from rich.progress import TaskID

    from tarwatch.collect.poll import Outcome
    from tarwatch.store.lock import RunLock


@click.command()
@click.argument("hubs", nargs=-1, metavar="[HUB]...")
@wait_option
@global_options
@handle_errors()
def collect(hubs: tuple[str, ...], wait: float) -> None:
    """List the tarballs on every node of the hubs (default: all) and store their history.

    All nodes are listed at once, one SSH connection and one command per node and hub, each
    within the node's timeout. One line per node says how it went. Exit status 0 when every
    node was listed, 1 when one or more could not be, 4 when another tarwatch held the store
    for all of --wait."""
    s = state()
    with collector_paused():  # start-up: what it imports and loads lives until the end
        from tarwatch.collect.run import run_collect

        config, source = s.loaded()
    chosen = select_hubs(config, source, hubs)
    with store_lock(config.store.url, "collect", wait, chosen) as lock:
        show = LiveProgress() if sys.stderr.isatty() and not s.quiet else LineProgress(s.quiet > 0)
        try:
            outcomes = run_collect(
                config, chosen, lambda: _open_store(config.store.url, lock), s.now_epoch(), show
            )
        finally:
            show.stop()
    sys.exit(0 if all(o.ok for o in outcomes) else 1)


def _open_store(url: str, lock: RunLock):  # type: ignore[no-untyped-def]
    from tarwatch.store.store import Store

    store = Store.open(url)
    store.guard_writes(lock.check)  # a lock lost mid-run stops it at its next poll stored
    return store


def summary(node: str, outcomes: Sequence[Outcome]) -> str:
    """Given a node's outcomes, return its one summary line."""
    bad = [o for o in outcomes if not o.ok]
    secs = max(o.duration for o in outcomes)
    if bad:
        return f"{node:<12} FAILED  {bad[0].reason}" + (
            f" (and {len(bad) - 1} more hub roots)" if len(bad) > 1 else ""
        )
    files = sum(o.ingested.files for o in outcomes)
    new = sum(o.ingested.new for o in outcomes)
    changed = sum(o.ingested.changed for o in outcomes)
    gone = sum(o.ingested.gone for o in outcomes)
    odd = sum(o.odd for o in outcomes)
    parts = [f"{files:,} tarballs"]
    delta = ", ".join(f"{n} {w}" for n, w in ((new, "new"), (changed, "changed"), (gone, "gone")) if n)
    parts.append(f"({delta})" if delta else "(no change)")
    if odd:
        parts.append(f"{odd} odd entries skipped")
    if any(o.warning for o in outcomes):
        parts.append("with warnings")
    return f"{node:<12} ok      " + " ".join(parts) + f"  {secs:.1f}s"


class LineProgress:
    """Plain lines, for logs and pipes: one per node as it finishes."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def started(self, node: str) -> None: ...
    def files(self, node: str, count: int) -> None: ...

    def finished(self, node: str, outcomes: Sequence[Outcome]) -> None:
        if not self.quiet or any(not o.ok for o in outcomes):
            click.echo(summary(node, outcomes))

    def stop(self) -> None: ...


class LiveProgress(LineProgress):
    """On a terminal: a live line per node still running (spinner and tarballs so far) above
    the summary lines of the nodes that have finished."""

    def __init__(self) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<12}"),
            TextColumn("{task.fields[files]:>10,} tarballs"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.tasks: dict[str, TaskID] = {}
        self.progress.start()

    def started(self, node: str) -> None:
        self.tasks[node] = self.progress.add_task(node, total=None, files=0)

    def files(self, node: str, count: int) -> None:
        self.progress.update(self.tasks[node], files=count)

    def finished(self, node: str, outcomes: Sequence[Outcome]) -> None:
        self.progress.remove_task(self.tasks.pop(node))
        self.progress.console.print(summary(node, outcomes), markup=False, highlight=False)

    def stop(self) -> None:
        self.progress.stop()

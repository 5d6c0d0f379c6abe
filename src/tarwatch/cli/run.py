"""`tarwatch run [HUB…]`: collect, check, notify and publish, once, for cron."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from tarwatch.cli.collect import LineProgress
from tarwatch.cli.common import global_options, handle_errors, select_hubs, state
from tarwatch.cli.locking import store_lock, wait_option
from tarwatch.visible import visible

if TYPE_CHECKING:
    from tarwatch.checks import Report
    from tarwatch.notify.run import Outcome
    from tarwatch.publish.site import Summary


@click.command()
@click.argument("hubs", nargs=-1, metavar="[HUB]...")
@wait_option
@global_options
@handle_errors(exit_code=3)
def run(hubs: tuple[str, ...], wait: float) -> None:
    """Collect, check, notify and publish the hubs (default: all), once: what cron runs nightly.

    Prints a line per node that could not be listed, the problems found, and what was sent;
    the site is published when the configuration sets `publish.out`. Exit status as `check`:
    0 ok, 1 warn, 2 alarm, 3 unknown; a node the publish could not write is one error line
    naming it and counts as unknown (an ok run exits 3); 4 when another tarwatch run, collect
    or notify held the store for all of --wait (one run at a time per hub)."""
    from tarwatch.app.nightly import nightly
    from tarwatch.app.notify import check_channels
    from tarwatch.store import Store

    s = state()
    config, source = s.loaded()
    chosen = select_hubs(config, source, hubs)
    check_channels(config, chosen, source)
    with store_lock(config.store.url, "run", wait, chosen) as lock:
        store = Store.open(config.store.url)
        store.guard_writes(lock.check)  # a lock lost mid-run stops it at its next write
        show = RunProgress(table=not s.quiet, quiet=s.quiet > 0, verbose=s.verbose > 0)
        done = nightly(config, chosen, store, s.now_epoch(), show, lock.acquired)
    sys.exit(done.exit_code)


class RunProgress(LineProgress):
    """What `run` prints as it goes: a line per node that could not be listed (every node's,
    verbose), the table (unless quiet), what notify did (quiet: only what failed), and where
    the site was published (verbose)."""

    def __init__(self, table: bool, quiet: bool, verbose: bool):
        super().__init__(quiet=not verbose)
        self.table, self.quiet_notify, self.verbose = table, quiet, verbose

    def checked(self, report: Report) -> None:
        from tarwatch.cli.check import wants_color
        from tarwatch.formats.table import render_table

        if self.table:
            click.echo(render_table(report, color=wants_color()), nl=False)

    def notified(self, outcome: Outcome) -> None:
        from tarwatch.cli.notify import show_outcome

        show_outcome(outcome, quiet=self.quiet_notify)

    def published(self, summary: Summary) -> None:
        if self.verbose:
            click.echo(f"published to {summary.out}: {summary.data} data files, {summary.images} images")
        if summary.failed:  # said whatever -q says: the exit status alone would not name them
            n = len(summary.failed)
            nodes = visible(", ".join(f.split(": ", 1)[0] for f in summary.failed))  # "Z9:229" is a tag
            click.echo(
                f"tarwatch: error: publish to {summary.out} could not write {n} node{'s' if n != 1 else ''} "
                f"({nodes}): their pages show what was published before",
                err=True,
            )

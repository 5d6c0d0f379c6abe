"""`tarwatch run [HUB…]`: collect, check, notify and publish, once, for cron."""

from __future__ import annotations

import sys

import click

from tarwatch.cli.common import global_options, handle_errors, select_hubs, state
from tarwatch.cli.locking import store_lock, wait_option


@click.command()
@click.argument("hubs", nargs=-1, metavar="[HUB]...")
@wait_option
@global_options
@handle_errors(exit_code=3)
def run(hubs: tuple[str, ...], wait: float) -> None:
    """Collect, check, notify and publish the hubs (default: all), once: what cron runs nightly.

    Prints a line per node that could not be listed, the problems found, and what was sent;
    the site is published when the configuration sets `publish.out`. Exit status as `check`:
    0 ok, 1 warn, 2 alarm, 3 unknown; 4 when another tarwatch run, collect or notify held the
    store for all of --wait (one run at a time per store)."""
    from tarwatch.cli.check import build_report, wants_color
    from tarwatch.cli.collect import LineProgress
    from tarwatch.cli.notify import notify_report
    from tarwatch.collect.run import run_collect
    from tarwatch.formats.table import render_table
    from tarwatch.store import Store

    s = state()
    config, source = s.loaded()
    chosen = select_hubs(config, source, hubs)
    with store_lock(config.store.url, "run", wait) as lock:
        store = Store.open(config.store.url)
        now = s.now_epoch()
        run_collect(config, chosen, store, now, LineProgress(quiet=s.verbose == 0))
        report = build_report(config, chosen, store, now)
        if not s.quiet:
            click.echo(render_table(report, color=wants_color()), nl=False)
        notify_report(config, store, report, now, quiet=s.quiet > 0, locked_since=lock.acquired)
        if "out" in config.publish.model_fields_set:
            from tarwatch.publish.site import publish

            summary = publish(config, store, config.publish.out, now, chosen)
            if s.verbose:
                click.echo(f"published to {summary.out}: {summary.data} data files, {summary.images} images")
    sys.exit(report.status.exit_code)

"""`tarwatch notify [HUB…] [--dry-run]`: send what the changes of state call for."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from tarwatch.checks import Report
from tarwatch.cli.common import global_options, handle_errors, select_hubs, state
from tarwatch.cli.locking import store_lock, wait_option
from tarwatch.config import Config
from tarwatch.store import Store
from tarwatch.visible import visible

if TYPE_CHECKING:
    from tarwatch.notify.run import Planned


@click.command()
@click.argument("hubs", nargs=-1, metavar="[HUB]...")
@click.option("--dry-run", is_flag=True, help="Print the messages that would go out; keep and send nothing.")
@wait_option
@global_options
@handle_errors()
def notify(hubs: tuple[str, ...], dry_run: bool, wait: float) -> None:
    """Tell people what changed on the hubs (default: all): one message per hub with its new
    problems, those still broken and those recovered, to the hub's `notify` and `email`
    channels; reminders of open problems every `repeat`; the weekly "all is well".

    Every message is kept with one delivery per channel; one that could not be sent is tried
    again by the next run. Exit status 0 when everything pending was sent, 1 when something
    is still pending or failed, 4 when another tarwatch held the store for all of --wait
    (a dry run takes no lock)."""
    from tarwatch.cli.check import build_report

    s = state()
    config, source = s.loaded()
    chosen = select_hubs(config, source, hubs)
    if dry_run:
        store = Store.open(config.store.url)
        now = s.now_epoch()
        report = build_report(config, chosen, store, now)
        sys.exit(notify_report(config, store, report, now, dry_run, quiet=s.quiet > 0))
    with store_lock(config.store.url, "notify", wait) as lock:
        store = Store.open(config.store.url)
        now = s.now_epoch()
        report = build_report(config, chosen, store, now)
        code = notify_report(config, store, report, now, quiet=s.quiet > 0, locked_since=lock.acquired)
    sys.exit(code)


def notify_report(
    config: Config,
    store: Store,
    report: Report,
    now: float,
    dry_run: bool = False,
    quiet: bool = False,
    locked_since: float | None = None,
) -> int:
    """Given the configuration, store, a report, `now` and since when this process holds the
    store's run lock, run notify over it, print what it did (`quiet`: only what failed) and
    return 0 when nothing is left pending, else 1."""
    from tarwatch.notify.apprise_transport import AppriseTransport
    from tarwatch.notify.run import run_notify
    from tarwatch.records import DeliveryState

    outcome = run_notify(
        config,
        store,
        report,
        store.snoozes.active(now),
        now,
        None if dry_run else AppriseTransport(),
        locked_since,
    )
    for p in outcome.planned:
        if dry_run:
            _show(p)
        elif p.message is not None and not p.channels:
            click.echo(
                f"{p.hub}: no channels (`notify`, `email`): {p.message.subject!r} is kept, sent nowhere"
            )
    for a in outcome.attempts:
        d = a.delivery
        if a.state == DeliveryState.SENT:
            if not quiet:
                click.echo(f"{d.hub}: sent {d.subject!r} to {d.channel}")
        else:
            will = {"pending": "will retry next run", "failed": "retrying cannot help"}.get(a.state, a.state)
            click.echo(f"{d.hub}: NOT sent {d.subject!r} to {d.channel} ({will}): {visible(a.error or '')}")
    return 0 if all(a.state == DeliveryState.SENT for a in outcome.attempts) else 1


def _show(p: Planned) -> None:
    if p.message is None:
        click.echo(f"{p.hub}: nothing to send ({len(p.transitions)} changes)")
        return
    to = ", ".join(c.label for c in p.channels) or "no channel"
    click.echo(f"--- {p.hub}: to {to}")
    click.echo(f"Subject: {p.message.subject}\n")
    click.echo(p.text)

"""`tarwatch notify [HUB…] [--dry-run]`: send what the changes of state call for."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from tarwatch.cli.common import global_options, handle_errors, select_hubs, state
from tarwatch.cli.locking import store_lock, wait_option
from tarwatch.visible import visible

if TYPE_CHECKING:
    from tarwatch.notify.run import Outcome, Planned


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
    from tarwatch.app.notify import check_channels
    from tarwatch.app.notify import notify as notify_hubs
    from tarwatch.store import Store

    s = state()
    config, source = s.loaded()
    chosen = select_hubs(config, source, hubs)
    check_channels(config, chosen, source)
    if dry_run:
        store = Store.open(config.store.url)
        outcome = notify_hubs(config, chosen, store, s.now_epoch(), dry_run=True)
        sys.exit(show_outcome(outcome, dry_run, quiet=s.quiet > 0))
    with store_lock(config.store.url, "notify", wait, chosen) as lock:
        store = Store.open(config.store.url)
        store.guard_writes(lock.check)  # a lock lost mid-run stops it before its next claim
        outcome = notify_hubs(config, chosen, store, s.now_epoch(), locked_since=lock.acquired)
        code = show_outcome(outcome, quiet=s.quiet > 0)
    sys.exit(code)


def show_outcome(outcome: Outcome, dry_run: bool = False, quiet: bool = False) -> int:
    """Given what a notify did, print it (a dry run: the messages; `quiet`: only what failed)
    and return the exit status: 0 when nothing is left pending, else 1."""
    from tarwatch.records import DeliveryState

    for p in outcome.planned:
        if dry_run:
            _show(p)
        elif p.message is not None and not p.channels:
            click.echo(
                f"{p.hub}: no channel (`notify`, `email`) takes {p.message.subject!r}: kept, sent nowhere"
            )
    for a in outcome.attempts:
        d = a.delivery
        if a.state == DeliveryState.SENT:
            if not quiet:
                click.echo(f"{d.hub}: sent {d.subject!r} to {d.channel}")
        else:
            will = {
                DeliveryState.PENDING: "will retry next run",
                DeliveryState.FAILED: "retrying cannot help",
            }.get(a.state, a.state)
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

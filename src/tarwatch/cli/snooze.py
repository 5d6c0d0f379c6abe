"""`tarwatch snooze [HUB[/NODE[/ITEM]] DURATION --why TEXT | --clear]`: silence problems for a
while (maintenance), list the snoozes in force, or end one early."""

from __future__ import annotations

from datetime import timedelta

import click

from tarwatch.cli.common import global_options, handle_errors, select_hubs, state
from tarwatch.durations import format_duration, parse_duration
from tarwatch.visible import visible


@click.command()
@click.argument("target", required=False, metavar="[HUB[/NODE[/ITEM]]]")
@click.argument("duration", required=False)
@click.option("--why", metavar="TEXT", help="Why (shown in check, on the dashboard and in messages).")
@click.option("--clear", is_flag=True, help="End the snoozes of TARGET now.")
@global_options
@handle_errors()
def snooze(target: str | None, duration: str | None, why: str | None, clear: bool) -> None:
    """Snooze the problems of a hub, a node of it or an item of that node for DURATION ("2d",
    "36h"): no message is sent about them until it ends, by itself. They stay problems, and
    `check` and the dashboard show them as snoozed. Without arguments: list the snoozes in
    force.

        tarwatch snooze ZZ/SDU 2d --why "disk swap at SDU"
        tarwatch snooze ZZ/SDU/tracs/dybaux 8d --why "moving the Trac instance"
        tarwatch snooze ZZ/SDU --clear
    """
    from tarwatch.human import when
    from tarwatch.notify.snooze import parse_target, unknown_target
    from tarwatch.store import Store

    s = state()
    config, source = s.loaded()
    store = Store.open(config.store.url)
    now = s.now_epoch()
    if target is None:
        active = store.snoozes.active(now)
        for z in active:
            click.echo(visible(f"{z.target}  until {when(z.until)}  (since {when(z.since)}): {z.why}"))
        if not active:
            click.echo("Nothing is snoozed.")
        return
    try:
        hub, node, item = parse_target(target)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="TARGET") from None
    select_hubs(config, source, (hub,))
    h = config.hubs[hub]
    items = [] if item is None else sorted({*store.hub_items(hub), *h.select, *h.items})
    if clear and item is not None:  # a snooze in force can be cleared even if its item is gone
        items += [z.item for z in store.snoozes.active(now) if z.hub == hub and z.item]
    problem = unknown_target(hub, node, item, config.hub_nodes(hub), items)
    if problem is not None:
        raise click.BadParameter(visible(problem), param_hint="TARGET")
    if clear:
        n = store.snoozes.clear(hub, node, item, now)
        click.echo(visible(f"Cleared {n} snooze{'s' if n != 1 else ''} of {target}."))
        return
    if duration is None or not why:
        raise click.UsageError("give a DURATION and --why TEXT (or --clear)")
    try:
        length = parse_duration(duration)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="DURATION") from None
    if length <= timedelta(0):
        raise click.BadParameter("a snooze must last a while", param_hint="DURATION")
    z = store.snoozes.add(hub, node, item, now, now + length.total_seconds(), why)
    click.echo(visible(f"Snoozed {z.target} for {format_duration(length)}, until {when(z.until)}: {why}"))

"""`tarwatch check [HUB…]`: say what is wrong, from the stored history."""

from __future__ import annotations

import gc
import os
import sys

import click

from tarwatch.checks import History, Poll, Report, evaluate, stale, to_json, transfer
from tarwatch.cli.common import global_options, handle_errors, select_hubs, state
from tarwatch.config import Config
from tarwatch.formats import jsondoc
from tarwatch.formats.table import render_table
from tarwatch.history import ItemHistory
from tarwatch.notify import snooze
from tarwatch.store import Store


@click.command()
@click.argument("hubs", nargs=-1, metavar="[HUB]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "nagios"]),
    default="table",
    show_default=True,
    help="table for people, json for programs (its keys are in the README), nagios for monitoring plugins.",
)
@click.option("--all", "show_all", is_flag=True, help="table: show every item, not only problems.")
@global_options
@handle_errors(exit_code=3)
def check(hubs: tuple[str, ...], fmt: str, show_all: bool) -> None:
    """Check the stored history of the hubs (default: all) and print the findings.

    Nothing is listed here: run `tarwatch collect` first. Exit status: 0 ok, 1 warn,
    2 alarm, 3 unknown (as monitoring plugins do)."""
    s = state()
    config, source = s.loaded()
    chosen = select_hubs(config, source, hubs)
    report = build_report(config, chosen, Store.open(config.store.url), s.now_epoch())
    if fmt == "json":
        click.echo(jsondoc.dumps(to_json(report), indent=1))
    elif fmt == "nagios":
        from tarwatch.formats import nagios

        def thresholds(hub: str, item: str) -> tuple[float, float]:
            t = config.thresholds(hub, item)
            return t.stale_warn.total_seconds(), t.stale_alarm.total_seconds()

        click.echo(nagios.render(report, thresholds), nl=False)
    else:
        click.echo(render_table(report, show_all=show_all, color=wants_color()), nl=False)
    sys.exit(report.status.exit_code)


def wants_color() -> bool:
    """Colour on a terminal, unless NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def build_report(config: Config, hubs: list[str], store: Store, now: float) -> Report:
    """Given the config, hubs, store and `now`, read the history and return the report."""
    # A report of a thousand nodes makes a few hundred thousand small objects and frees none of
    # them: the cyclic garbage collector would only walk them again and again.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return _build_report(config, hubs, store, now)
    finally:
        if gc_was_on:
            gc.enable()


def _build_report(config: Config, hubs: list[str], store: Store, now: float) -> Report:
    polls = {
        key: Poll(p.ok, p.at, p.reason, p.at if p.ok else store.last_ok_poll(*key), p.unreadable)
        for key, p in store.latest_polls(hubs).items()
    }
    histories = store.item_histories(hubs)
    store.read_manifests(histories, manifests_wanted(config, hubs, histories, now))
    report = evaluate(config, hubs, History(polls, histories, store.locks(hubs)), now)
    snooze.mark(report, store.snoozes.active(now))
    return report


def manifests_wanted(
    config: Config,
    hubs: list[str],
    histories: dict[tuple[str, str], dict[str, ItemHistory]],
    now: float | None = None,
) -> list[tuple[str, str, str]]:
    """Given the histories (and `now`), return the (hub, node, item)s whose manifests the checks
    will read: for transfer, those that differ from the source's, and the source's own for those
    items; for stale and shrink, those whose newest tarball is stamped in the future (they judge
    the newest ones before it)."""
    wanted = set()
    if now is not None:
        limit = now + stale.FUTURE_SLACK.total_seconds()
        for (hub, node), kept in histories.items():
            wanted.update((hub, node, item) for item, h in kept.items() if h.newest.stamp > limit)
    for hub in hubs:
        src = config.hubs[hub].source
        if not src:
            continue
        on_source = histories.get((hub, src), {})
        for (h, node), kept in histories.items():
            if h != hub or node == src:
                continue
            for item, here in kept.items():
                if transfer.needs_manifests(on_source.get(item), here):
                    wanted.update({(hub, node, item), (hub, src, item)})
    return sorted(wanted)

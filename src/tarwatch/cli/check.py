"""`tarwatch check [HUB…]`: say what is wrong, from the stored history."""

from __future__ import annotations

import os
import sys

import click

from tarwatch.cli.common import global_options, handle_errors, select_hubs, state
from tarwatch.gcpause import collector_paused


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

    Nothing is listed here: run `tarwatch collect` first. Before it every format says so, with
    exit status 3: the table in one line on stderr, nagios in one UNKNOWN line, json in its
    document ("collected": false, every item unknown) and one line on stderr. With -q, only
    the summary line. Exit status: 0 ok, 1 warn, 2 alarm, 3 unknown (as monitoring plugins do)."""
    # Short, and what it imports and makes lives until it ends: at start-up, SQLAlchemy's and
    # pydantic's hundreds of thousands of objects, which the collector would walk again and again.
    with collector_paused():
        _check(hubs, fmt, show_all)


def _check(hubs: tuple[str, ...], fmt: str, show_all: bool) -> None:
    from tarwatch.app.report import build_report, nothing_collected_hint, require_collected
    from tarwatch.checks.model import nothing_collected
    from tarwatch.store import Store

    s = state()
    config, source = s.loaded()
    chosen = select_hubs(config, source, hubs)
    store = Store.open(config.store.url)
    report = build_report(config, chosen, store, s.now_epoch())
    if fmt == "table":  # programs get their document, which says it too
        require_collected(report)
    if fmt == "json":
        from tarwatch.formats import jsondoc
        from tarwatch.formats.document import to_json

        click.echo(jsondoc.dumps(to_json(report), indent=1))
        if nothing_collected(report):
            click.echo(f"tarwatch: {nothing_collected_hint(chosen)}", err=True)
    elif fmt == "nagios":
        from tarwatch.formats import nagios

        def thresholds(hub: str, item: str) -> tuple[float, float]:
            t = config.thresholds(hub, item)
            return t.stale_warn.total_seconds(), t.stale_alarm.total_seconds()

        click.echo(nagios.render(report, thresholds), nl=False)
    else:
        from tarwatch.formats.table import render_table

        table = render_table(report, show_all=show_all, color=wants_color(), quiet=s.quiet > 0)
        click.echo(table, nl=False)
    sys.exit(report.status.exit_code)


def wants_color() -> bool:
    """Colour on a terminal, unless NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")

"""`tarwatch doctor [HUB…] [--send-test]`: is everything ready for the first nightly run?"""

from __future__ import annotations

import io
import os
import sys
from itertools import groupby
from typing import TYPE_CHECKING

import click

from tarwatch.cli.common import global_options, handle_errors, select_hubs, state
from tarwatch.errors import ConfigError
from tarwatch.visible import visible

if TYPE_CHECKING:
    from tarwatch.app.doctor import Check


@click.command()
@click.argument("hubs", nargs=-1, metavar="[HUB]...")
@click.option("--send-test", is_flag=True, help="Send one short test message to each channel of the hubs.")
@global_options
@handle_errors()
def doctor(hubs: tuple[str, ...], send_test: bool) -> None:
    """Check everything the first nightly run of the hubs (default: all) needs, node by node,
    without writing to the store or the site: the configuration, the store, publish.out, each
    node's SSH connection, roots, find, md5sum and clock, and each notification channel.

    Exit status: 0 when all is ready, else 1; each problem is one line with its fix."""
    from tarwatch.app.doctor import Check, examine

    s = state()
    try:
        config, source = s.loaded()
        chosen = select_hubs(config, source, hubs)
    except ConfigError as e:
        checks = [Check("configuration", False, str(e), _config_fix(e))]
    else:
        checks = examine(config, source, chosen, test_send=send_test)
    click.echo(render(checks, color=sys.stdout.isatty() and not os.environ.get("NO_COLOR")), nl=False)
    sys.exit(0 if all(c.ok for c in checks) else 1)


def render(checks: list[Check], *, color: bool) -> str:
    """Given the checks, return them grouped by hub and node, ✔ or ✖ and a word on each line,
    each problem followed by its fix on the same line, and a last line: ready, or how many
    problems."""
    from rich.console import Console
    from rich.text import Text

    from tarwatch.human import ICONS, TERMINAL

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=200, highlight=False)

    def line(indent: str, c: Check) -> None:
        status = "ok" if c.ok else "alarm"
        word = "ok     " if c.ok else "PROBLEM"
        t = Text(indent) + Text(f"{ICONS[status]} {word}", style=TERMINAL[status])
        t += Text(f" {c.what}: {visible(c.said)}")
        if c.fix:
            t += Text(" — fix: ", style="bold") + Text(visible(c.fix))
        console.print(t, soft_wrap=True)

    for hub, by_hub in groupby(checks, key=lambda c: c.hub):
        indent = ""
        if hub is not None:
            console.print(Text(visible(f"hub {hub}"), style="bold"), soft_wrap=True)
            indent = "  "
        for node, by_node in groupby(by_hub, key=lambda c: c.node):
            if node is not None:
                console.print(Text(visible(f"{indent}node {node}"), style="bold"), soft_wrap=True)
            for c in by_node:
                line(indent + ("  " if node is not None else ""), c)
    problems = sum(not c.ok for c in checks)
    if problems:
        console.print(
            Text(f"{problems} problem{'s' if problems != 1 else ''}: not ready", style=TERMINAL["alarm"])
        )
    else:
        console.print(Text("ready for the first night", style=TERMINAL["ok"]))
    return buf.getvalue()


def _config_fix(e: ConfigError) -> str:
    """Given why the configuration did not load, return what to do."""
    if e.key is None or "no tarwatch.toml found" in (e.file or ""):
        return (
            "write one (tarwatch config import converts the legacy pair) and pass --config FILE, "
            "or put it at ./tarwatch.toml or ~/.config/tarwatch/tarwatch.toml"
        )
    if e.key == "hubs" and e.problem.startswith("no hub "):
        return "name a configured hub"
    return f"correct {e.key} in {e.file or 'the file'} (tarwatch config schema describes every key)"

"""The command line: one module per command; wiring and exit codes only.

Commands are imported when they are run (or their own help is shown), so that `tarwatch
collect` does not pay for the modules of `publish` or `check`, and `tarwatch --help` for none
of them: start-up time is part of every nightly run and of every check a monitor makes."""

from __future__ import annotations

import gc
import importlib

import click

from tarwatch import __version__
from tarwatch.cli.common import global_options

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# name → ("module:attribute", the first paragraph of its help, which `tarwatch --help` shows
# without importing the module; a test keeps the two in step). Adding a command is adding a
# module and a line here.
COMMANDS: dict[str, tuple[str, str]] = {
    "collect": (
        "tarwatch.cli.collect:collect",
        "List the tarballs on every node of the hubs (default: all) and store their history.",
    ),
    "check": (
        "tarwatch.cli.check:check",
        "Check the stored history of the hubs (default: all) and print the findings.",
    ),
    "config": (
        "tarwatch.cli.config:config",
        "Show the effective configuration, or convert the legacy files.",
    ),
    "cron": (
        "tarwatch.cli.cron:cron",
        "Print a crontab line and a systemd service and timer that run `tarwatch run` every night "
        "(collect, check, notify, publish), with the configuration in use spelled out in full.",
    ),
    "demo": (
        "tarwatch.cli.demo:demo",
        "Make a sample world (a hub's own copy, three backup nodes and one that never answers, "
        "months of nightly tarballs with a stale item, a transfer that never arrived, a shrunken "
        "tarball, a .dna that lies and a LOCKED folder left behind), collect it, check it, publish "
        "its dashboard, say what to look at, and serve the dashboard until Ctrl-C (on a terminal; "
        "--no-serve stops after publishing).",
    ),
    "doctor": (
        "tarwatch.cli.doctor:doctor",
        "Check everything the first nightly run of the hubs (default: all) needs, node by node, "
        "without writing to the store or the site: the configuration, the store, publish.out, each "
        "node's SSH connection, roots, find, md5sum and clock, and each notification channel.",
    ),
    "metrics": (
        "tarwatch.cli.metrics:metrics",
        "Print the Prometheus metrics of the hubs (default: all), from the stored history.",
    ),
    "notify": (
        "tarwatch.cli.notify:notify",
        "Tell people what changed on the hubs (default: all): one message per hub with its new "
        "problems, those still broken and those recovered, to the hub's `notify` and `email` "
        'channels; reminders of open problems every `repeat`; the weekly "all is well".',
    ),
    "publish": (
        "tarwatch.cli.publish:publish",
        "Write the dashboard: pages, status and series JSON, chart images (default: every hub).",
    ),
    "run": (
        "tarwatch.cli.run:run",
        "Collect, check, notify and publish the hubs (default: all), once: what cron runs nightly.",
    ),
    "serve": (
        "tarwatch.cli.serve:serve",
        "Serve the published site until Ctrl-C or SIGTERM, and print its URL.",
    ),
    "snooze": (
        "tarwatch.cli.snooze:snooze",
        'Snooze the problems of a hub, a node of it or an item of that node for DURATION ("2d", '
        '"36h"): no message is sent about them until it ends, by itself. They stay problems, and '
        "`check` and the dashboard show them as snoozed. Without arguments: list the snoozes in "
        "force.",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use; its help lists them unimported."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        module, attr = COMMANDS[cmd_name][0].split(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the "Commands" section as click does, shortening COMMANDS' summaries as click
        shortens a command's help (an imported command from its own help)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            command = self.commands.get(name) or click.Command(name, help=COMMANDS[name][1])
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="tarwatch")
@global_options
def cli() -> None:
    """tarwatch watches backup tarballs across sites.

    It lists the tarballs on a hub and its backup nodes over SSH, keeps their history, decides
    what is wrong and says so. Global options may stand before or after the command name.
    """


def main() -> None:
    """The `tarwatch` console script."""
    try:
        cli(prog_name="tarwatch")
    finally:
        # The process ends here. What it made is left out of the garbage collections of the
        # interpreter's shutdown (gc.freeze): they would walk every object of SQLAlchemy,
        # pydantic and the command once more (a sixteenth of `check`'s instructions), only to
        # free memory the process is giving back; reference counting still frees the rest.
        gc.freeze()

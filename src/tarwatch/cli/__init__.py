"""The command line: one module per command; wiring and exit codes only.

Commands are imported when they are run, so that `tarwatch collect` does not pay for the
modules of `publish` or `check` (start-up time is part of every nightly run)."""

from __future__ import annotations

import importlib

import click

from tarwatch import __version__
from tarwatch.cli.common import global_options

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# name → "module:attribute"; adding a command is adding a module and a line here.
COMMANDS = {
    "collect": "tarwatch.cli.collect:collect",
    "check": "tarwatch.cli.check:check",
    "config": "tarwatch.cli.config:config",
    "cron": "tarwatch.cli.cron:cron",
    "demo": "tarwatch.cli.demo:demo",
    "doctor": "tarwatch.cli.doctor:doctor",
    "metrics": "tarwatch.cli.metrics:metrics",
    "notify": "tarwatch.cli.notify:notify",
    "publish": "tarwatch.cli.publish:publish",
    "run": "tarwatch.cli.run:run",
    "serve": "tarwatch.cli.serve:serve",
    "snooze": "tarwatch.cli.snooze:snooze",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        self.add_command(command, cmd_name)
        return command


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
    cli(prog_name="tarwatch")

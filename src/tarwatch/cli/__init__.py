"""The command line: one module per command; wiring and exit codes only."""

from __future__ import annotations

import click

from tarwatch import __version__
from tarwatch.cli.check import check
from tarwatch.cli.collect import collect
from tarwatch.cli.common import global_options
from tarwatch.cli.config import config
from tarwatch.cli.demo import demo

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="tarwatch")
@global_options
def cli() -> None:
    """tarwatch watches backup tarballs across sites.

    It lists the tarballs on a hub and its backup nodes over SSH, keeps their history, decides
    what is wrong and says so. Global options may stand before or after the command name.
    """


for command in (collect, check, config, demo):
    cli.add_command(command)


def main() -> None:
    """The `tarwatch` console script."""
    cli(prog_name="tarwatch")

"""`tarwatch config show|import|schema`: the effective configuration, the legacy pair converted."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tarwatch.cli.common import global_options, handle_errors, state


@click.group()
@global_options
def config() -> None:
    """Show the effective configuration, or convert the legacy files."""


@config.command()
@click.option(
    "--json", "as_json", is_flag=True, help="JSON, with the structure and key names of the TOML file."
)
@global_options
@handle_errors()
def show(as_json: bool) -> None:
    """Print the effective configuration, defaults filled in, secrets masked.

    The output has the structure and key names of the TOML file; with --json it is JSON,
    otherwise TOML that tarwatch reads back. Passwords and tokens (in URLs and the SMTP
    password) are shown as ***. With --legacy, a comment (on stderr with --json) says which
    time zone was taken for the dated folders: the machine's, as `config import` takes it."""
    from tarwatch.config.legacy import legacy_timezone
    from tarwatch.config.toml import to_toml
    from tarwatch.formats import jsondoc
    from tarwatch.redact import redact_config

    s = state()
    cfg, source = s.loaded()
    data = redact_config(cfg.model_dump(mode="json", exclude_none=True))
    notes = [f"effective configuration, from {source}"]
    if s.legacy is not None:
        notes.append(legacy_timezone()[1])
    if as_json:
        click.echo(jsondoc.dumps(data, indent=2))
        for note in notes[1:]:
            click.echo(f"tarwatch: {note}", err=True)
    else:
        click.echo(to_toml(data, notes), nl=False)


@config.command(name="import")
@click.argument("scm_monitor", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("libfab", type=click.Path(dir_okay=False, path_type=Path))
@global_options
@handle_errors()
def import_(scm_monitor: Path, libfab: Path) -> None:
    """Convert the legacy pair (~/.scm_monitor.cnf and ~/.libfab.cnf) to a tarwatch.toml,
    printed on standard output:

        tarwatch config import ~/.scm_monitor.cnf ~/.libfab.cnf > tarwatch.toml
    """
    from tarwatch.config.legacy import import_legacy

    click.echo(import_legacy(scm_monitor, libfab), nl=False)


@config.command()
@global_options
def schema() -> None:
    """Print the JSON Schema of the configuration file (every key, its default and meaning)."""
    from tarwatch.config.models import Config

    click.echo(json.dumps(Config.model_json_schema(mode="serialization"), indent=2))

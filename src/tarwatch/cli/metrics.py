"""`tarwatch metrics [HUB…] [--textfile PATH]`: the stored history as Prometheus metrics."""

from __future__ import annotations

from pathlib import Path

import click

from tarwatch.cli.common import global_options, handle_errors, log, select_hubs, state


@click.command()
@click.argument("hubs", nargs=-1, metavar="[HUB]...")
@click.option(
    "--textfile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write them to this file atomically (mode 0644) for node_exporter's textfile collector "
    "(a *.prom file in its --collector.textfile.directory) instead of printing them.",
)
@global_options
@handle_errors()
def metrics(hubs: tuple[str, ...], textfile: Path | None) -> None:
    """Print the Prometheus metrics of the hubs (default: all), from the stored history.

    Per item its newest tarball's time and size, the tarballs kept and the status (ok 0,
    warn 1, alarm 2, unknown 3); per node up or down and how long its listing took; per hub
    when the last run ended and how long it took. The README lists every metric. Nothing is
    listed here: run `tarwatch collect` first. `tarwatch serve` answers /metrics too."""
    from tarwatch.app.metrics import gather, write_textfile
    from tarwatch.store import Store

    s = state()
    config, source = s.loaded()
    chosen = select_hubs(config, source, hubs)
    families = gather(config, chosen, Store.open(config.store.url), s.now_epoch())
    if textfile is None:
        from tarwatch.formats.metrics import text

        click.echo(text(families).decode("utf-8"), nl=False)
        return
    if textfile.suffix != ".prom":
        log.warning("node_exporter's textfile collector reads only *.prom files, not %s", textfile.name)
    write_textfile(textfile, families)

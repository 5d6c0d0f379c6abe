"""`tarwatch serve`: serve the published site over HTTP, for a look, and its /metrics."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from tarwatch.cli.common import global_options, handle_errors, port_option, select_hubs, state

if TYPE_CHECKING:
    from tarwatch.config import Config


@click.command()
@port_option("TCP port (0: any free one).")
@click.option("--bind", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The site's folder (default: publish.out of the configuration).",
)
@global_options
@handle_errors()
def serve(port: int, bind: str, folder: Path | None) -> None:
    """Serve the published site until Ctrl-C or SIGTERM, and print its URL.

    /metrics answers the Prometheus metrics of every hub (as `tarwatch metrics`), computed
    from the configured store on each request."""
    from tarwatch.app.metrics import Endpoint
    from tarwatch.errors import TarwatchError
    from tarwatch.serve import serve_forever

    s = state()
    site = folder or s.config().publish.out
    if not (Path(site) / "index.html").is_file():
        raise TarwatchError(f"no published site in {site}: run `tarwatch publish` first")

    def configured() -> Config:
        config, source = s.loaded()
        select_hubs(config, source, ())  # no hubs (no configuration found) is an error, not empty
        return config

    metrics = Endpoint(configured, s.now_epoch)
    serve_forever(
        Path(site), bind, port, lambda url: click.echo(f"Serving {site} at {url} (Ctrl-C stops)"), metrics
    )
    click.echo("stopped")

"""`tarwatch serve`: serve the published site over HTTP, for a look."""

from __future__ import annotations

from pathlib import Path

import click

from tarwatch.cli.common import global_options, handle_errors, port_option, state


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
    """Serve the published site until Ctrl-C or SIGTERM, and print its URL."""
    from tarwatch.errors import TarwatchError
    from tarwatch.serve import serve_forever

    site = folder or state().config().publish.out
    if not (Path(site) / "index.html").is_file():
        raise TarwatchError(f"no published site in {site}: run `tarwatch publish` first")
    serve_forever(Path(site), bind, port, lambda url: click.echo(f"Serving {site} at {url} (Ctrl-C stops)"))
    click.echo("stopped")

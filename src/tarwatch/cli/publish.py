"""`tarwatch publish [HUB…]`: write the static site."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tarwatch.cli.common import global_options, handle_errors, select_hubs, state


@click.command()
@click.argument("hubs", nargs=-1, metavar="[HUB]...")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="The site's folder (default: publish.out of the configuration).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
@global_options
@handle_errors()
def publish(hubs: tuple[str, ...], out: Path | None, as_json: bool) -> None:
    """Write the dashboard: pages, status and series JSON, chart images (default: every hub).

    Pages are written when the hubs or their nodes change; data and images only for nodes whose
    tarballs changed since the last publish (HUB… limits that refresh to those hubs); the
    status every time. Every file is replaced atomically, so a web server never serves half
    of one. A node whose files cannot be written is an error line naming it; the others are
    written all the same, and the exit status is 1. Run `tarwatch collect` first."""
    from tarwatch.app.site import publish_site
    from tarwatch.store import Store

    s = state()
    config, source = s.loaded()
    chosen = select_hubs(config, source, hubs)
    site = out or config.publish.out
    summary = publish_site(config, Store.open(config.store.url), site, s.now_epoch(), chosen)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=1, ensure_ascii=False))
        sys.exit(1 if summary.failed else 0)
    click.echo(
        f"Published to {site}: {summary.pages} pages, {summary.data} data files, "
        f"{summary.images} images"
        + (f", {summary.legacy} legacy JSON" if summary.legacy else "")
        + (f", {summary.badges} badges" if summary.badges else "")
        + (f", {summary.static} static files" if summary.static else "")
        + f"; {summary.nodes_unchanged} nodes unchanged, skipped."
    )
    click.echo(f"Open {Path(site).resolve() / 'index.html'}, or run `tarwatch serve --dir {site}`.")
    if summary.failed:
        click.echo(f"tarwatch: error: {len(summary.failed)} of the nodes failed (see above)", err=True)
        sys.exit(1)
